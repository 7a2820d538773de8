// SQLite wrappers: every failure becomes a StoreError naming the file and the way out.
#include "sqlite.h"

#include <filesystem>

namespace sotto::gw {

namespace {

// Enough of a statement to recognise it in a log line.
std::string first_words(const char *sql) {
  std::string text;
  for (const char *c = sql; *c != '\0' && text.size() < 60; ++c) {
    const bool space = *c == ' ' || *c == '\n' || *c == '\t';
    if (space && (text.empty() || text.back() == ' ')) continue;
    text += space ? ' ' : *c;
  }
  return "'" + text + (text.size() >= 60 ? "...'" : "'");
}

}  // namespace

StoreError sqlite_error(sqlite3 *db, int code, const std::string &what) {
  const char *file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  const std::string path = file != nullptr && *file != '\0' ? file : "(unnamed database)";
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  const std::string head = "store " + path + ": " + what + ": " + reason;
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreError(StoreError::Kind::kBusy,
                        head +
                            " (another connection holds the write lock, e.g. an sqlite3 "
                            "session or a backup; sottod waits until it ends)");
    case SQLITE_FULL:
      return StoreError(StoreError::Kind::kFull,
                        head + " (the filesystem holding " + dir + " is full; free space there)");
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return StoreError(StoreError::Kind::kIo,
                        head + " (the user running sottod must be able to write " + path +
                            " and its directory " + dir + "; see store.path)");
    case SQLITE_IOERR:
      return StoreError(StoreError::Kind::kIo, head + " (I/O error on " + dir + ")");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StoreError(StoreError::Kind::kCorrupt,
                        head +
                            " (not a usable sotto database; restore a backup or point "
                            "store.path elsewhere)");
    default:
      return StoreError(StoreError::Kind::kOther, head);
  }
}

const char *store_error_kind_name(StoreError::Kind kind) {
  switch (kind) {
    case StoreError::Kind::kBusy:
      return "busy";
    case StoreError::Kind::kFull:
      return "full";
    case StoreError::Kind::kIo:
      return "io";
    case StoreError::Kind::kCorrupt:
      return "corrupt";
    case StoreError::Kind::kSchema:
      return "schema";
    case StoreError::Kind::kOther:
      break;
  }
  return "other";
}

Statement::Statement(sqlite3 *db, const char *sql) : db_(db) {
  const int rc = sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr);
  if (rc != SQLITE_OK) throw sqlite_error(db, rc, std::string("prepare ") + sql);
}

Statement::~Statement() {
  sqlite3_finalize(statement_);
}

Statement &Statement::bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK) throw sqlite_error(db_, rc, "bind");
  return *this;
}

Statement &Statement::bind(int index, const std::string &value) {
  const int rc = sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                                   SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw sqlite_error(db_, rc, "bind");
  return *this;
}

Statement &Statement::bind_blob(int index, const std::vector<uint8_t> &value) {
  // A zero-length blob, not NULL: columns holding blobs are NOT NULL.
  static const uint8_t kEmpty = 0;
  const int rc = sqlite3_bind_blob(statement_, index, value.empty() ? &kEmpty : value.data(),
                                   static_cast<int>(value.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw sqlite_error(db_, rc, "bind");
  return *this;
}

Statement &Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(statement_, index);
  if (rc != SQLITE_OK) throw sqlite_error(db_, rc, "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const StoreError error = sqlite_error(db_, rc, "run " + first_words(sqlite3_sql(statement_)));
  sqlite3_reset(statement_);
  throw error;
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::optional<int64_t> Statement::optional_integer(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(statement_, column);
}

std::string Statement::text(int column) const {
  const unsigned char *text = sqlite3_column_text(statement_, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char *>(text));
}

std::vector<uint8_t> Statement::blob(int column) const {
  const auto *bytes = static_cast<const uint8_t *>(sqlite3_column_blob(statement_, column));
  const int size = sqlite3_column_bytes(statement_, column);
  return bytes == nullptr ? std::vector<uint8_t>() : std::vector<uint8_t>(bytes, bytes + size);
}

Database::Database(const std::string &path, Mode mode, std::chrono::milliseconds busy_timeout)
    : path_(path) {
  const int flags =
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const StoreError error = sqlite_error(db_, rc, "open");
    sqlite3_close(db_);
    throw error;
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
}

Database::~Database() {
  sqlite3_close(db_);
}

void Database::exec(const char *sql) {
  char *message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) throw sqlite_error(db_, rc, "run " + first_words(sql));
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace sotto::gw
