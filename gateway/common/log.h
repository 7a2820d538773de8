// One-line log records on stderr, or appended to a file ([log] path) that SIGHUP reopens after a
// rotation. Under systemd, stderr is a stream into the journal: then each line starts with its
// syslog priority ("<3>" error, "<4>" warning, "<6>" info), which journald strips and stores, so
// `journalctl -u sottod -p warning` filters by it, and carries no timestamp of its own (the
// journal adds one). Elsewhere (a terminal, a file) lines read "<time> sottod <level>: <message>".
#pragma once

#include <cstdint>
#include <string>

namespace sotto::gw {

enum class LogLevel { kError, kWarning, kInfo };

void log_line(LogLevel level, const std::string &message);
// Logs to path from now on ("" = stderr); throws std::runtime_error naming the file and the
// setting when it cannot be opened (the previous destination stays).
void set_log_file(const std::string &path);
// Opens the current log file again (after logrotate moved it); no-op on stderr.
void reopen_log();

// systemd's test for "stderr is the journal": $JOURNAL_STREAM ("<device>:<inode>", decimal) names
// the file descriptor's device and inode. False for a null, malformed or different value.
bool journal_stream_matches(const char *journal_stream, int fd);

// The line log_line writes, newline included; now_ms is used only off the journal.
std::string format_log_line(LogLevel level, const std::string &message, bool to_journal,
                            int64_t now_ms);

}  // namespace sotto::gw
