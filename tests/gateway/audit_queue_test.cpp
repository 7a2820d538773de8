// sottod's audit log queued for the store writer thread (AuditLog over IngestWriter::post, as
// api_service.cpp wires it): nothing is written on the caller's thread, rows land in the order
// recorded, wait_for_queued() is what GET /api/v1/audit relies on to read its caller's rows, and a
// clean stop writes every row queued before it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "audit_log.h"
#include "ingest_writer.h"
#include "test_store.h"

namespace sotto::gw {
namespace {

AuditRow action(const std::string &who, const std::string &what) {
  AuditRow row;
  row.time_ms = 5000;
  row.who = who;
  row.action = what;
  row.outcome = "ok";
  return row;
}

TEST(AuditQueue, RowsGoThroughTheWriterThreadInOrderAndAllBeforeItStops) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sotto-audit-queue-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  test::TestStore store((dir / "sotto.db").string());
  auto reader = store.store().reader();
  Metrics metrics;
  IngestHealth health(metrics);
  Journal journal(JournalOptions{(dir / "journal").string()}, JournalPosition{});
  Ingest ingest(store.registry(), store.writer(), metrics, IngestConfig{});
  IngestWriter writer(journal, ingest, store.registry(), store.writer(), health, metrics,
                      IngestWriterOptions{});
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<bool> on_caller_thread;
  AuditLog log([&](std::function<void(TrustWriter &)> write) {
    writer.post([&, write = std::move(write)](StoreWriter &store_writer) {
      on_caller_thread.push_back(std::this_thread::get_id() == caller);
      write(store_writer);
    });
  });

  log.record(action("ops", "rollout.start"));
  log.record(action("ops", "rollout.pause"));
  EXPECT_TRUE(reader->audit(AuditFilter{}).empty());  // queued: the thread has not started
  writer.start();
  writer.wait_for_queued();
  auto rows = reader->audit(AuditFilter{});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].action, "rollout.pause");  // newest first
  EXPECT_EQ(rows[1].action, "rollout.start");
  EXPECT_LT(rows[1].id, rows[0].id);

  log.record(action("alice", "keys.retire"));
  writer.stop();  // a clean stop writes what was queued before it
  rows = reader->audit(AuditFilter{});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].who, "alice");
  EXPECT_EQ(rows[0].action, "keys.retire");
  EXPECT_EQ(on_caller_thread, (std::vector<bool>{false, false, false}));
  EXPECT_EQ(log.write_failures(), 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sotto::gw
