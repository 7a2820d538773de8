// The gateway store: dedupe, boots, events before Health, aggregates, WAL, through the registry
// and the SQLite backend.
#include <gtest/gtest.h>

#include <cstdio>

#include "sqlite.h"
#include "test_store.h"

namespace sotto::gw {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;  // a fixed gateway time (ms)

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/sotto-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::remove(path_.c_str());
    store_ = std::make_unique<test::TestStore>(path_);
  }

  static sotto_health_t health(uint32_t boot_id, uint32_t uptime_s) {
    sotto_health_t h = {};
    h.boot_id = boot_id;
    h.uptime_s = uptime_s;
    h.battery_mv = 3100;
    h.model_id = 4;
    h.model_version = 9;
    return h;
  }

  static sotto_event_t event(uint32_t seq, uint32_t uptime_s,
                             sotto_event_kind_t kind = SOTTO_EVENT_THRESHOLD, uint8_t score = 100) {
    sotto_event_t e = {};
    e.kind = kind;
    e.class_id = 1;
    e.score = score;
    e.seq = seq;
    e.uptime_s = uptime_s;
    return e;
  }

  int64_t count(const char *sql) {
    Database db(path_, Database::Mode::kReadOnly, std::chrono::seconds(1));
    Statement query(db.handle(), sql);
    return query.step() ? query.integer(0) : -1;
  }

  std::string path_;
  std::unique_ptr<test::TestStore> store_;
};

TEST_F(StoreTest, RedeliveredEventIsStoredOnce) {
  store_->record_health("farm", "soil-1", health(7, 10), kT0);
  EXPECT_EQ(store_->record_event("farm", "soil-1", event(0, 20), kT0).outcome,
            EventOutcome::kStored);
  EXPECT_EQ(store_->record_event("farm", "soil-1", event(1, 30), kT0).outcome,
            EventOutcome::kStored);
  EXPECT_EQ(store_->record_event("farm", "soil-1", event(0, 20), kT0).outcome,
            EventOutcome::kDuplicate);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 2);
  EXPECT_EQ(count("SELECT event_count FROM devices WHERE device_id = 'soil-1'"), 2);
}

TEST_F(StoreTest, SameSeqInANewBootIsANewEvent) {
  store_->record_health("farm", "soil-1", health(7, 10), kT0);
  store_->record_event("farm", "soil-1", event(0, 20), kT0);
  store_->record_health("farm", "soil-1", health(8, 5), kT0 + 60'000);
  EXPECT_EQ(store_->record_event("farm", "soil-1", event(0, 6), kT0 + 61'000).outcome,
            EventOutcome::kStored);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT boot_key) FROM events"), 2);
}

TEST_F(StoreTest, EventTimeComesFromTheBootOrigin) {
  store_->record_health("farm", "soil-1", health(7, 100), kT0);  // booted at kT0 - 100 s
  store_->record_event("farm", "soil-1", event(0, 250), kT0 + 5'000);
  EXPECT_EQ(count("SELECT event_time_ms FROM events"), kT0 - 100'000 + 250'000);
}

TEST_F(StoreTest, SeqAndTimeWidenAcrossTheWireWrap) {
  store_->record_health("farm", "soil-1", health(7, 0), kT0);
  store_->record_event("farm", "soil-1", event(0xfffffe, 0xfffffe), kT0);
  auto wrapped = store_->record_event("farm", "soil-1",
                                      event(0x1000001 & 0xffffff, 0x1000001 & 0xffffff), kT0);
  EXPECT_EQ(wrapped.seq, 0x1000001u);
  EXPECT_EQ(count("SELECT MAX(seq) FROM events"), 0x1000001);
  EXPECT_EQ(count("SELECT last_uptime_s FROM boots"), 0x1000001);
}

TEST_F(StoreTest, EventsBeforeAnyHealthAreKeptAndFlagged) {
  auto info = store_->record_event("farm", "early-1", event(3, 4), kT0);
  EXPECT_EQ(info.outcome, EventOutcome::kStored);
  EXPECT_FALSE(info.boot_known);
  EXPECT_EQ(count("SELECT b.boot_id IS NULL FROM events e JOIN boots b USING (boot_key)"), 1);
  EXPECT_EQ(count("SELECT event_time_ms FROM events"), kT0);
  EXPECT_EQ(store_->device_count(), 1);
}

TEST_F(StoreTest, AggregatesCountPerWindowKindAndScope) {
  store_->record_health("farm", "soil-1", health(7, 0), kT0);
  store_->record_health("farm", "soil-2", health(9, 0), kT0);
  store_->record_event("farm", "soil-1", event(0, 10, SOTTO_EVENT_ANOMALY, 200), kT0);
  store_->record_event("farm", "soil-1", event(1, 20, SOTTO_EVENT_ANOMALY, 100), kT0);
  store_->record_event("farm", "soil-2", event(0, 30, SOTTO_EVENT_HEARTBEAT, 0), kT0);
  store_->record_event("farm", "soil-2", event(1, 3600 + 30, SOTTO_EVENT_HEARTBEAT, 0),
                       kT0);  // next window
  const std::string farm =
      "scope = 1 AND scope_key = (SELECT site_key FROM sites WHERE site = 'farm')";
  const std::string soil_1 =
      "scope = 0 AND scope_key = (SELECT device_key FROM devices WHERE device_id = 'soil-1')";
  EXPECT_EQ(count(("SELECT SUM(count) FROM aggregates WHERE " + farm).c_str()), 4);
  EXPECT_EQ(count("SELECT COUNT(*) FROM aggregates WHERE scope = 1 AND kind = 4"), 2);
  EXPECT_EQ(count(("SELECT count FROM aggregates WHERE kind = 1 AND " + soil_1).c_str()), 2);
  EXPECT_EQ(count(("SELECT score_sum FROM aggregates WHERE " + soil_1).c_str()), 300);
  EXPECT_EQ(count(("SELECT score_max FROM aggregates WHERE " + soil_1).c_str()), 200);

  auto sites = store_->store().reader()->site_summaries(3300, 3600);
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].devices, 2);
  EXPECT_EQ(sites[0].events, 4);
  EXPECT_EQ(sites[0].events_by_kind[SOTTO_EVENT_ANOMALY], 2);
  EXPECT_EQ(sites[0].events_by_kind[SOTTO_EVENT_HEARTBEAT], 2);
  EXPECT_EQ(sites[0].low_battery_devices, 2);  // 3100 mV < 3300 mV
}

TEST_F(StoreTest, DatabaseIsInWalModeWithItsSchemaVersion) {
  EXPECT_EQ(count("SELECT version FROM schema_version"), 4);
  Database db(path_, Database::Mode::kReadOnly, std::chrono::seconds(1));
  Statement mode(db.handle(), "PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
}

TEST_F(StoreTest, ReopeningKeepsDeviceStateAndDedupe) {
  store_->record_health("farm", "soil-1", health(7, 10), kT0);
  store_->record_event("farm", "soil-1", event(0, 20), kT0);
  store_.reset();
  store_ = std::make_unique<test::TestStore>(path_);
  EXPECT_EQ(store_->device_count(), 1);
  EXPECT_EQ(store_->record_event("farm", "soil-1", event(0, 20), kT0).outcome,
            EventOutcome::kDuplicate);
  auto next = store_->record_event("farm", "soil-1", event(1, 21), kT0);
  EXPECT_TRUE(next.boot_known);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM events e JOIN boots b USING (boot_key) WHERE b.boot_id = 7"), 2);
}

TEST_F(StoreTest, DeviceClassNamesAreKeptByNumberAndNeitherIsTakenTwice) {
  store_->writer().add_device_class({3, "soil-probe"});
  store_->writer().add_device_class({1, "vibration"});
  const auto classes = store_->store().reader()->device_classes();
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_EQ(classes[0].number, 1);
  EXPECT_EQ(classes[0].name, "vibration");
  EXPECT_EQ(classes[1].number, 3);
  EXPECT_EQ(classes[1].name, "soil-probe");
  EXPECT_THROW(store_->writer().add_device_class({4, "soil-probe"}), StoreError);
  EXPECT_THROW(store_->writer().add_device_class({3, "other"}), StoreError);
  EXPECT_EQ(store_->store().reader()->device_classes().size(), 2u);
}

}  // namespace
}  // namespace sotto::gw
