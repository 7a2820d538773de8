// One-line log records on stderr (journald adds its own timestamps under systemd), or appended
// to a file ([log] path) that SIGHUP reopens after a rotation.
#pragma once

#include <string>

namespace sotto::gw {

enum class LogLevel { kError, kWarning, kInfo };

void log_line(LogLevel level, const std::string &message);
// Logs to path from now on ("" = stderr); throws std::runtime_error naming the file and the
// setting when it cannot be opened (the previous destination stays).
void set_log_file(const std::string &path);
// Opens the current log file again (after logrotate moved it); no-op on stderr.
void reopen_log();

}  // namespace sotto::gw
