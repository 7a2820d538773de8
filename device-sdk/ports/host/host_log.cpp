// Host log port: SDK log lines to stderr with a prefix naming the device.
#include <stdio.h>

#include "sotto/port_host.h"

namespace {

const char *level_name(sotto_log_level_t level) {
  switch (level) {
    case SOTTO_LOG_ERROR:
      return "error";
    case SOTTO_LOG_WARN:
      return "warn";
    case SOTTO_LOG_INFO:
      return "info";
    case SOTTO_LOG_DEBUG:
      return "debug";
  }
  return "?";
}

void write_line(void *ctx, sotto_log_level_t level, const char *message) {
  auto *log = static_cast<sotto_host_log_t *>(ctx);
  if (level > log->max_level) {
    return;
  }
  fprintf(stderr, "%s: %s: %s\n", log->prefix != nullptr ? log->prefix : "sotto", level_name(level),
          message);
}

}  // namespace

extern "C" sotto_log_port_t sotto_host_log_port(sotto_host_log_t *log) {
  sotto_log_port_t port = {log, write_line};
  return port;
}
