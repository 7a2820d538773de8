// Ingest validation: every reject reason counted exactly, good messages stored, nothing thrown.
#include <gtest/gtest.h>

#include <cstdio>

#include "ingest.h"
#include "sotto/messages.h"
#include "test_store.h"

namespace sotto::gw {
namespace {

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/sotto-ingest-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::remove(path_.c_str());
    store_ = std::make_unique<test::TestStore>(path_);
    ingest_ =
        std::make_unique<Ingest>(store_->registry(), store_->writer(), metrics_, IngestConfig{});
  }

  uint64_t rejected(RejectReason reason) const {
    return metrics_.rejected[static_cast<size_t>(reason)];
  }

  static std::vector<uint8_t> health_bytes(const std::string &device) {
    sotto_health_t health = {};
    health.boot_id = 5;
    health.device_tag = sotto_device_tag(device.c_str());
    std::vector<uint8_t> bytes(SOTTO_HEALTH_MAX_ENCODED_BYTES);
    size_t length = 0;
    EXPECT_EQ(sotto_health_encode(&health, bytes.data(), bytes.size(), &length), SOTTO_OK);
    bytes.resize(length);
    return bytes;
  }

  static std::vector<uint8_t> event_bytes(uint32_t seq) {
    sotto_event_t event = {};
    event.kind = SOTTO_EVENT_ANOMALY;
    event.seq = seq;
    std::vector<uint8_t> bytes(SOTTO_EVENT_MAX_ENCODED_BYTES);
    size_t length = 0;
    EXPECT_EQ(sotto_event_encode(&event, bytes.data(), bytes.size(), &length), SOTTO_OK);
    bytes.resize(length);
    return bytes;
  }

  std::string path_;
  Metrics metrics_;
  std::unique_ptr<test::TestStore> store_;
  std::unique_ptr<Ingest> ingest_;
};

TEST_F(IngestTest, GoodHealthThenEventsAreStored) {
  ingest_->handle("sotto/v1/farm/pump-1/health", health_bytes("pump-1"), 1000);
  ingest_->handle("sotto/v1/farm/pump-1/event", event_bytes(0), 1000);
  ingest_->handle("sotto/v1/farm/pump-1/event", event_bytes(1), 1000);
  ingest_->handle("sotto/v1/farm/pump-1/event", event_bytes(1), 1000);
  EXPECT_EQ(metrics_.messages, 4u);
  EXPECT_EQ(metrics_.health, 1u);
  EXPECT_EQ(metrics_.events_stored, 2u);
  EXPECT_EQ(metrics_.duplicates, 1u);
  EXPECT_EQ(metrics_.events_without_boot, 0u);
  EXPECT_EQ(metrics_.devices_known, 1);
}

TEST_F(IngestTest, EachRejectReasonIsCountedExactly) {
  ingest_->handle("sotto/v1/farm/pump-1/event", std::vector<uint8_t>(257, 0), 1);  // oversized
  ingest_->handle("sotto/v1/farm/pump-1/event", {0x08}, 1);                        // truncated
  ingest_->handle("sotto/v1/farm/pump-1/health", {0xff, 0xff}, 1);                 // not a Health
  ingest_->handle("sotto/v1/Farm/pump-1/event", event_bytes(0), 1);                // bad id
  ingest_->handle("sotto/v1/farm/pump-1/telemetry", event_bytes(0), 1);            // bad channel
  ingest_->handle("sotto/v1/farm/pump-1/health", health_bytes("pump-2"), 1);       // another's tag
  ingest_->handle("sotto/v1/farm/pump-1/event", {0x08, 0x07}, 1);                  // kind 7
  ingest_->handle("sotto/v1/farm/pump-1/event", {0x08, 0x01, 0x1a, 0x02, 0x08, 0x09},
                  1);  // quantity 9
  EXPECT_EQ(rejected(RejectReason::kOversized), 1u);
  EXPECT_EQ(rejected(RejectReason::kUndecodable), 2u);
  EXPECT_EQ(rejected(RejectReason::kBadTopic), 2u);
  EXPECT_EQ(rejected(RejectReason::kDeviceMismatch), 1u);
  EXPECT_EQ(rejected(RejectReason::kUnknownEnum), 2u);
  EXPECT_EQ(metrics_.events_stored, 0u);
  EXPECT_EQ(store_->device_count(), 0);
}

TEST_F(IngestTest, RejectedMessagesAreKeptInQuarantineAsReceived) {
  const std::vector<uint8_t> oversized(300, 0x5a);
  ingest_->handle("sotto/v1/farm/pump-1/event", oversized, 1000);
  ingest_->handle("sotto/v1/farm/pump-1/event", {0x08}, 1001);
  ingest_->handle("not/a/sotto/topic", {0x01, 0x02}, 1002);
  auto reader = store_->store().reader();
  EXPECT_EQ(reader->quarantine_count(), 3);
  auto rows = reader->quarantine(10);  // newest first
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].reason, "bad_topic");
  EXPECT_EQ(rows[0].topic, "not/a/sotto/topic");
  EXPECT_EQ(rows[0].payload, (std::vector<uint8_t>{0x01, 0x02}));
  EXPECT_EQ(rows[0].received_ms, 1002);
  EXPECT_EQ(rows[1].reason, "undecodable");
  EXPECT_EQ(rows[1].payload, std::vector<uint8_t>{0x08});
  EXPECT_EQ(rows[2].reason, "oversized");
  EXPECT_EQ(rows[2].payload, oversized);
  EXPECT_EQ(metrics_.events_stored, 0u);
}

TEST_F(IngestTest, EventsBeforeHealthAreCounted) {
  ingest_->handle("sotto/v1/farm/pump-1/event", event_bytes(0), 1000);
  EXPECT_EQ(metrics_.events_stored, 1u);
  EXPECT_EQ(metrics_.events_without_boot, 1u);
}

TEST_F(IngestTest, RejectsAreLoggedOncePerWindow) {
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 100; ++i) ingest_->handle("sotto/v1/farm/pump-1/event", {0x08}, 1000 + i);
  ingest_->handle("sotto/v1/farm/pump-1/event", {0x08}, 1000 + 61'000);  // the next window
  std::string log = ::testing::internal::GetCapturedStderr();
  size_t lines = 0;
  for (char c : log) lines += c == '\n';
  EXPECT_EQ(lines, 3u) << log;  // first of window 1, "99 more", first of window 2
  EXPECT_NE(log.find("rejected 99 more undecodable messages"), std::string::npos) << log;
}

TEST_F(IngestTest, MetricsTextHasEveryReason) {
  ingest_->handle("sotto/v1/farm/pump-1/event", {0x08}, 1);
  std::string text = metrics_.render();
  EXPECT_NE(text.find("sotto_ingest_rejected_total{reason=\"undecodable\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("sotto_ingest_rejected_total{reason=\"oversized\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("sotto_ingest_messages_total 1\n"), std::string::npos);
  // The reject is kept in quarantine: one committed batch.
  EXPECT_NE(text.find("sotto_store_commit_seconds_count 1\n"), std::string::npos);
}

}  // namespace
}  // namespace sotto::gw
