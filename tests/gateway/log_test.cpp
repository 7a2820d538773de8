// Log lines: syslog priority prefixes exactly when stderr is the journal stream systemd names in
// $JOURNAL_STREAM, timestamps otherwise.
#include "log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "time_format.h"

namespace sotto::gw {
namespace {

// An open file and its "<device>:<inode>", as systemd writes $JOURNAL_STREAM for the journal.
struct StreamFile {
  StreamFile() {
    char path[] = "/tmp/sotto-journal-stream-XXXXXX";
    fd = ::mkstemp(path);
    ::unlink(path);
    struct stat status {};
    ::fstat(fd, &status);
    id = std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino);
  }
  ~StreamFile() { ::close(fd); }
  int fd = -1;
  std::string id;
};

TEST(JournalStream, MatchesOnlyTheDescriptorsOwnDeviceAndInode) {
  StreamFile journal;
  StreamFile other;
  ASSERT_GE(journal.fd, 0);
  EXPECT_TRUE(journal_stream_matches(journal.id.c_str(), journal.fd));
  EXPECT_FALSE(journal_stream_matches(journal.id.c_str(), other.fd));
  EXPECT_FALSE(journal_stream_matches(nullptr, journal.fd));
  EXPECT_FALSE(journal_stream_matches("", journal.fd));
  EXPECT_FALSE(journal_stream_matches("journal", journal.fd));
  EXPECT_FALSE(journal_stream_matches((journal.id + " ").c_str(), journal.fd));
  EXPECT_FALSE(journal_stream_matches((journal.id + ":7").c_str(), journal.fd));
  EXPECT_FALSE(journal_stream_matches(journal.id.c_str(), -1));
}

TEST(LogLine, JournalLinesStartWithTheSyslogPriorityAndCarryNoTimestamp) {
  EXPECT_EQ(format_log_line(LogLevel::kError, "store: disk full", true, 0),
            "<3>error: store: disk full\n");
  EXPECT_EQ(format_log_line(LogLevel::kWarning, "rejected 3 oversized", true, 0),
            "<4>warn: rejected 3 oversized\n");
  EXPECT_EQ(format_log_line(LogLevel::kInfo, "stopped", true, 0), "<6>info: stopped\n");
}

TEST(LogLine, TerminalLinesStartWithTheTime) {
  const int64_t at_ms = 1764892800123;  // 2025-12-05T00:00:00.123Z
  EXPECT_EQ(format_log_line(LogLevel::kWarning, "rejected 3 oversized", false, at_ms),
            iso8601_utc(at_ms) + " sottod warn: rejected 3 oversized\n");
}

}  // namespace
}  // namespace sotto::gw
