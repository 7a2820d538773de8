// One-line log records on stderr (journald adds its own timestamps under systemd).
#pragma once

#include <string>

namespace sotto::gw {

enum class LogLevel { kError, kWarning, kInfo };

void log_line(LogLevel level, const std::string &message);

}  // namespace sotto::gw
