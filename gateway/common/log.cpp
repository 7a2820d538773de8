// Writes whole lines under a lock so lines from Paho's thread and the event loop never interleave.
#include "log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "time_format.h"

namespace sotto::gw {

namespace {

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

void log_line(LogLevel level, const std::string &message) {
  static std::mutex mutex;
  // Decided once: stderr does not change while sottod runs.
  static const bool to_journal =
      journal_stream_matches(std::getenv("JOURNAL_STREAM"), STDERR_FILENO);
  const std::string line = format_log_line(level, message, to_journal, now_ms());
  std::lock_guard<std::mutex> lock(mutex);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace sotto::gw
