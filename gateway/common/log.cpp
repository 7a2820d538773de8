// Writes whole lines under a lock so lines from Paho's thread and the event loop never interleave.
#include "log.h"

#include <cerrno>
#include <cstdio>
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

}  // namespace

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
  const char *tag = level == LogLevel::kError     ? "error"
                    : level == LogLevel::kWarning ? "warn"
                                                  : "info";
  std::lock_guard<std::mutex> lock(mutex);
  std::FILE *out = file != nullptr ? file : stderr;
  std::fprintf(out, "%s sottod %s: %s\n", iso8601_utc(now_ms()).c_str(), tag, message.c_str());
  std::fflush(out);
}

}  // namespace sotto::gw
