// Writes whole lines under a lock so lines from Paho's thread and the event loop never interleave.
#include "log.h"

#include <cstdio>
#include <mutex>

#include "time_format.h"

namespace sotto::gw {

void log_line(LogLevel level, const std::string &message) {
  static std::mutex mutex;
  const char *tag = level == LogLevel::kError     ? "error"
                    : level == LogLevel::kWarning ? "warn"
                                                  : "info";
  std::lock_guard<std::mutex> lock(mutex);
  std::fprintf(stderr, "%s sottod %s: %s\n", iso8601_utc(now_ms()).c_str(), tag, message.c_str());
  std::fflush(stderr);
}

}  // namespace sotto::gw
