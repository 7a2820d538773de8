// The ingest journal on a real filesystem: order and positions, segments, a torn tail cut at
// reopening, applied segments deleted, the backlog limit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "journal.h"

namespace sotto::gw {
namespace {

namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sotto-journal-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  JournalOptions options(uint64_t segment_bytes = 8 << 20) const {
    JournalOptions options;
    options.dir = dir_.string();
    options.segment_bytes = segment_bytes;
    return options;
  }
  static std::vector<ReceivedMessage> messages(int first, int count) {
    std::vector<ReceivedMessage> batch;
    for (int i = first; i < first + count; ++i) {
      batch.push_back(ReceivedMessage{"sotto/v1/s/d" + std::to_string(i) + "/event",
                                      std::vector<uint8_t>(static_cast<size_t>(i % 7), 0x41),
                                      1000 + i});
    }
    return batch;
  }
  static void append(Journal &journal, const std::vector<ReceivedMessage> &batch) {
    std::string why;
    ASSERT_TRUE(journal.append(batch, &why)) << why;
  }
  size_t segment_count() const {
    size_t count = 0;
    for (const auto &entry : fs::directory_iterator(dir_))
      count += entry.path().extension() == ".journal";
    return count;
  }

  fs::path dir_;
};

TEST_F(JournalTest, ReadsBackWhatWasAppendedInOrderFromAnyPosition) {
  Journal journal(options(), JournalPosition{});
  append(journal, messages(0, 3));
  append(journal, messages(3, 2));
  JournalRead first = journal.read(journal.start(), 4, std::chrono::milliseconds(0));
  ASSERT_EQ(first.messages.size(), 4u);
  EXPECT_EQ(first.messages[0].topic, "sotto/v1/s/d0/event");
  EXPECT_EQ(first.messages[3].received_ms, 1003);
  EXPECT_EQ(first.messages[3].payload, std::vector<uint8_t>(3, 0x41));
  JournalRead rest = journal.read(first.end, 100, std::chrono::milliseconds(0));
  ASSERT_EQ(rest.messages.size(), 1u);
  EXPECT_EQ(rest.messages[0].topic, "sotto/v1/s/d4/event");
  JournalRead none = journal.read(rest.end, 100, std::chrono::milliseconds(0));
  EXPECT_TRUE(none.messages.empty());
  EXPECT_EQ(none.end, rest.end);
  EXPECT_EQ(journal.unapplied_bytes(), first.bytes + rest.bytes);
  journal.applied(first);
  journal.applied(rest);
  EXPECT_EQ(journal.unapplied_bytes(), 0u);
}

TEST_F(JournalTest, ReopeningCutsATornTailAndKeepsTheBacklog) {
  JournalPosition applied;
  {
    Journal journal(options(), JournalPosition{});
    append(journal, messages(0, 5));
    applied = journal.read(journal.start(), 2, std::chrono::milliseconds(0)).end;
  }
  const fs::path segment = *fs::directory_iterator(dir_);
  const uint64_t whole_size = fs::file_size(segment);
  {
    std::ofstream tail(segment, std::ios::app | std::ios::binary);
    tail.write("\x30\x00\x00\x00\x12\x34", 6);  // a record cut short by a power failure
  }
  ::testing::internal::CaptureStderr();
  Journal journal(options(), applied);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("journal: cut 6 bytes of an unfinished record at the end of"),
            std::string::npos)
      << log;
  EXPECT_EQ(fs::file_size(segment), whole_size);
  JournalRead rest = journal.read(applied, 100, std::chrono::milliseconds(0));
  ASSERT_EQ(rest.messages.size(), 3u);
  EXPECT_EQ(rest.messages[0].topic, "sotto/v1/s/d2/event");
  EXPECT_EQ(journal.unapplied_bytes(), rest.bytes);
  append(journal, messages(5, 1));  // appends continue after the cut
  EXPECT_EQ(journal.read(rest.end, 100, std::chrono::milliseconds(0)).messages.at(0).topic,
            "sotto/v1/s/d5/event");
}

TEST_F(JournalTest, SegmentsRotateAndAppliedOnesAreDeleted) {
  Journal journal(options(64), JournalPosition{});
  for (int i = 0; i < 10; ++i) append(journal, messages(i * 4, 4));  // > 64 bytes per batch
  EXPECT_EQ(segment_count(), 10u);
  JournalRead read = journal.read(journal.start(), 1000, std::chrono::milliseconds(0));
  ASSERT_EQ(read.messages.size(), 40u);
  EXPECT_EQ(read.messages[39].topic, "sotto/v1/s/d39/event");
  journal.applied(read);
  EXPECT_EQ(segment_count(), 1u);  // the last one, still being appended to
  EXPECT_EQ(journal.unapplied_bytes(), 0u);
}

TEST_F(JournalTest, RefusesPastTheBacklogLimitAndTakesAgainOnceApplied) {
  JournalOptions small = options();
  small.max_unapplied_bytes = 100;
  Journal journal(small, JournalPosition{});
  append(journal, messages(0, 4));  // about 120 bytes: now over the limit
  std::string why;
  EXPECT_FALSE(journal.append(messages(4, 1), &why));
  EXPECT_NE(why.find("over ingest.journal_max_bytes (100)"), std::string::npos) << why;
  journal.applied(journal.read(journal.start(), 100, std::chrono::milliseconds(0)));
  EXPECT_TRUE(journal.append(messages(4, 1), &why)) << why;
}

}  // namespace
}  // namespace sotto::gw
