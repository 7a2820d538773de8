// Writes whole lines under a lock so lines from the MQTT client's thread and the event loop never
// interleave.
#include "log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "time_format.h"

namespace sotto::gw {

namespace {

std::mutex mutex;
std::FILE *file = nullptr;  // nullptr: stderr
std::string file_path;

std::FILE *open_log(const std::string &path) {
  std::FILE *opened = std::fopen(path.c_str(), "a");
  if (opened == nullptr) {
    throw std::runtime_error("log.path: cannot open " + path + ": " + std::strerror(errno));
  }
  return opened;
}

struct LevelNames {
  const char *tag;
  const char *priority;  // sd-daemon(3) prefix: LOG_ERR, LOG_WARNING, LOG_INFO
};

LevelNames names(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return {"error", "<3>"};
    case LogLevel::kWarning:
      return {"warn", "<4>"};
    case LogLevel::kInfo:
      break;
  }
  return {"info", "<6>"};
}

}  // namespace

bool journal_stream_matches(const char *journal_stream, int fd) {
  if (journal_stream == nullptr) return false;
  uintmax_t device = 0;
  uintmax_t inode = 0;
  int consumed = 0;
  if (std::sscanf(journal_stream, "%" SCNuMAX ":%" SCNuMAX "%n", &device, &inode, &consumed) != 2 ||
      journal_stream[consumed] != '\0') {
    return false;
  }
  struct stat status {};
  if (::fstat(fd, &status) != 0) return false;
  return static_cast<uintmax_t>(status.st_dev) == device &&
         static_cast<uintmax_t>(status.st_ino) == inode;
}

std::string format_log_line(LogLevel level, const std::string &message, bool to_journal,
                            int64_t now_ms) {
  const LevelNames level_names = names(level);
  if (to_journal)
    return std::string(level_names.priority) + level_names.tag + ": " + message + "\n";
  return iso8601_utc(now_ms) + " sottod " + level_names.tag + ": " + message + "\n";
}

void set_log_file(const std::string &path) {
  std::FILE *opened = path.empty() ? nullptr : open_log(path);
  std::lock_guard<std::mutex> lock(mutex);
  if (file != nullptr) std::fclose(file);
  file = opened;
  file_path = path;
}

void reopen_log() {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(mutex);
    path = file_path;
  }
  if (!path.empty()) set_log_file(path);
}

void log_line(LogLevel level, const std::string &message) {
  // Decided once: stderr does not change while sottod runs. A log file never is the journal.
  static const bool stderr_is_journal =
      journal_stream_matches(std::getenv("JOURNAL_STREAM"), STDERR_FILENO);
  const int64_t now = now_ms();
  std::lock_guard<std::mutex> lock(mutex);
  std::FILE *out = file != nullptr ? file : stderr;
  const std::string line =
      format_log_line(level, message, file == nullptr && stderr_is_journal, now);
  std::fputs(line.c_str(), out);
  std::fflush(out);
}

}  // namespace sotto::gw
