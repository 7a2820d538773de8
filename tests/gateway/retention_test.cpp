// Retention: events (and quarantined messages) received more than store.retention_days ago are
// deleted in small batches by the writer thread's pass; the registry and aggregates stay.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "ingest_writer.h"
#include "sqlite.h"
#include "test_store.h"

namespace sotto::gw {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kDay = 86'400'000;

TEST(Retention, OldEventsGoInSmallBatchesAndAggregatesStay) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sotto-retention-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  test::TestStore store((dir / "sotto.db").string());
  sotto_health_t health = {};
  health.boot_id = 3;
  store.record_health("farm", "soil-1", health, kNow - 100 * kDay);
  for (uint32_t seq = 0; seq < 7; ++seq) {  // received 100 days ago: past 30 days
    sotto_event_t event = {};
    event.kind = SOTTO_EVENT_HEARTBEAT;
    event.seq = seq;
    event.uptime_s = seq;
    store.record_event("farm", "soil-1", event, kNow - 100 * kDay);
  }
  for (uint32_t seq = 7; seq < 10; ++seq) {  // received yesterday: kept
    sotto_event_t event = {};
    event.kind = SOTTO_EVENT_ANOMALY;
    event.seq = seq;
    event.uptime_s = 100 * 86400 + seq;
    store.record_event("farm", "soil-1", event, kNow - kDay);
  }
  {
    IngestBatch batch(store.registry(), store.writer());
    batch.quarantine(QuarantineRow{kNow - 40 * kDay, "undecodable", "sotto/v1/farm/x/event", {8}});
    batch.quarantine(QuarantineRow{kNow - kDay, "undecodable", "sotto/v1/farm/x/event", {8}});
    batch.commit(store.registry().journal_position());
  }
  auto reader = store.store().reader();
  const auto buckets_before = reader->aggregates(AggregateScope::kDevice, "soil-1", 3600);

  Metrics metrics;
  IngestHealth health_state(metrics);
  Journal journal(JournalOptions{(dir / "journal").string()}, JournalPosition{});
  Ingest ingest(store.registry(), store.writer(), metrics, IngestConfig{});
  IngestWriterOptions options;
  options.retention_days = 30;
  options.retention_batch_rows = 3;
  IngestWriter writer(journal, ingest, store.registry(), store.writer(), health_state, metrics,
                      options);
  EXPECT_EQ(writer.expire(kNow), 7 + 1);
  EXPECT_EQ(metrics.retention_deleted, 8u);

  EventFilter all;
  const EventPage kept = reader->events(all);
  ASSERT_EQ(kept.events.size(), 3u);
  EXPECT_EQ(kept.events.back().seq, 7);
  EXPECT_EQ(reader->quarantine_count(), 1);
  EXPECT_EQ(reader->device("soil-1")->event_count, 10);  // the registry keeps its counts
  const auto buckets_after = reader->aggregates(AggregateScope::kDevice, "soil-1", 3600);
  ASSERT_EQ(buckets_after.size(), buckets_before.size());
  int64_t counted = 0;
  for (size_t i = 0; i < buckets_after.size(); ++i) {
    EXPECT_EQ(buckets_after[i].count, buckets_before[i].count);
    counted += buckets_after[i].count;
  }
  EXPECT_EQ(counted, 10);
  EXPECT_EQ(writer.expire(kNow), 0);  // nothing more is due
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sotto::gw
