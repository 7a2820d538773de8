// The SQLite backend's online backup (StoreReader::backup_to): SQLite's backup API reading from
// a reader connection while sottod's writer goes on.
//
// Consistency: one read transaction on the source spans every step, so the copy is the database
// as of one commit. Without it, the backup API restarts from page 1 whenever another connection
// commits between two steps, and under steady ingest it would never finish. In WAL mode a reader
// never blocks the writer; it only keeps checkpoints from passing its snapshot, so the WAL grows
// for as long as the backup runs and is checkpointed afterwards.
//
// Gentleness: pages go over in steps with a short pause between them, so the copy does not
// monopolise the disk (an SD card on a Pi) that the writer commits to.
//
// Safety: the copy is written to a unique temporary file beside the target, checked with
// PRAGMA integrity_check, flushed, and renamed to the target only if the target still does not
// exist. A failure or a crash never leaves a partial file under the target's name.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "file_bytes.h"
#include "sqlite_connections.h"

namespace sotto::gw {
namespace {

constexpr int kPagesPerStep = 256;  // 1 MiB with 4 KiB pages
constexpr std::chrono::milliseconds kPauseBetweenSteps{2};

std::string directory_of(const std::string &path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

StoreError target_exists(const std::string &path) {
  return StoreError(StoreError::Kind::kOther,
                    "backup: " + path +
                        " already exists; a backup never overwrites a file, give "
                        "a new path");
}

// The error of a failed step on the copy, naming the target rather than the temporary file.
StoreError copy_error(sqlite3 *copy, int code, const std::string &path, const std::string &what) {
  const std::string head = "backup to " + path + ": " + what + ": " +
                           (copy != nullptr ? sqlite3_errmsg(copy) : sqlite3_errstr(code));
  switch (code & 0xff) {
    case SQLITE_FULL:
      return StoreError(StoreError::Kind::kFull,
                        head + " (the filesystem holding " + directory_of(path) + " is full)");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreError(StoreError::Kind::kBusy, head);
    default:
      return StoreError(StoreError::Kind::kIo, head);
  }
}

// The temporary file: removed (with any journal SQLite left beside it) unless kept.
class TemporaryCopy {
 public:
  explicit TemporaryCopy(const std::string &target) : path_(target + ".partial-XXXXXX") {
    const int fd = mkstemp(path_.data());
    if (fd < 0) {
      const int error = errno;
      throw StoreError(StoreError::Kind::kIo,
                       "backup to " + target + ": cannot create a file in " + directory_of(target) +
                           ": " + std::strerror(error) +
                           " (the directory must exist and be writable by this user)");
    }
    close(fd);
  }
  ~TemporaryCopy() {
    if (kept_) return;
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
    for (const char *suffix : {"-journal", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix, ignored);
  }
  TemporaryCopy(const TemporaryCopy &) = delete;
  TemporaryCopy &operator=(const TemporaryCopy &) = delete;
  const std::string &path() const { return path_; }
  void keep() { kept_ = true; }

 private:
  std::string path_;
  bool kept_ = false;
};

// Holds one read transaction on the source for the whole copy; ends it however the copy ends.
class SnapshotRead {
 public:
  explicit SnapshotRead(Database &db) : db_(db) {
    db_.exec("BEGIN");
    // A read transaction starts at its first read: this one fixes the snapshot.
    Statement(db_.handle(), "SELECT COUNT(*) FROM sqlite_schema").step();
  }
  ~SnapshotRead() { sqlite3_exec(db_.handle(), "COMMIT", nullptr, nullptr, nullptr); }
  SnapshotRead(const SnapshotRead &) = delete;
  SnapshotRead &operator=(const SnapshotRead &) = delete;

 private:
  Database &db_;
};

void copy_pages(Database &source, Database &copy, const std::string &path) {
  SnapshotRead snapshot(source);
  sqlite3_backup *backup = sqlite3_backup_init(copy.handle(), "main", source.handle(), "main");
  if (backup == nullptr)
    throw copy_error(copy.handle(), sqlite3_errcode(copy.handle()), path, "start");
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_backup_step(backup, kPagesPerStep);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(kPauseBetweenSteps);
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) throw copy_error(copy.handle(), rc, path, "copy pages");
}

int64_t count_rows(Database &db, const char *sql) {
  Statement count(db.handle(), sql);
  count.step();
  return count.integer(0);
}

// The copy as a standalone file that passes SQLite's own check; returns its counts.
BackupSummary check_copy(Database &copy, const std::string &path) {
  // The pages say WAL; a backup is one file with nothing beside it.
  copy.exec("PRAGMA journal_mode=DELETE");
  Statement check(copy.handle(), "PRAGMA integrity_check");
  std::string problems;
  while (check.step()) {
    const std::string line = check.text(0);
    if (line == "ok") continue;
    problems += (problems.empty() ? "" : "; ") + line;
  }
  if (!problems.empty()) {
    throw StoreError(StoreError::Kind::kCorrupt,
                     "backup to " + path + ": PRAGMA integrity_check on the copy failed: " +
                         problems + " (the copy was removed; check the source database)");
  }
  BackupSummary summary;
  summary.events = count_rows(copy, "SELECT COUNT(*) FROM events");
  summary.devices = count_rows(copy, "SELECT COUNT(*) FROM devices");
  return summary;
}

// Renames the finished copy to the target unless something appeared there meanwhile.
void publish_copy(const std::string &temporary, const std::string &path) {
  if (renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) return;
  const int error = errno;
  if (error == EEXIST) throw target_exists(path);
  throw StoreError(StoreError::Kind::kIo, "backup to " + path + ": cannot rename " + temporary +
                                              " to it: " + std::strerror(error));
}

}  // namespace

BackupSummary SqliteReader::backup_to(const std::string &path) {
  if (std::filesystem::exists(std::filesystem::symlink_status(path))) throw target_exists(path);
  TemporaryCopy temporary(path);
  BackupSummary summary;
  {
    Database copy(temporary.path(), Database::Mode::kReadWrite, std::chrono::milliseconds(0));
    copy_pages(db_, copy, path);
    summary = check_copy(copy, path);
  }
  sync_file(temporary.path());
  publish_copy(temporary.path(), path);
  temporary.keep();
  sync_directory_of(path);
  summary.bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  return summary;
}

}  // namespace sotto::gw
