// A database written by sotto 0.1 (schema version 1, exactly as main created it, rollout tables
// included) opened by this gateway: migrated in place, every row readable, dedupe and sequence
// widening continue where they were. Databases of versions 2 (no class names) and 3 (no trust
// tables) migrate to version 4 keeping their rows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "sqlite.h"
#include "test_store.h"

namespace sotto::gw {
namespace {

// The version 1 DDL as sotto 0.1 ran it (gateway/store/schema.cpp and the rollout tables of
// gateway/rollout/rollout_store.cpp), byte for byte apart from comments.
constexpr const char *kVersion1Schema = R"(
  PRAGMA journal_mode=WAL;
  CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
  CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    boot_id INTEGER,
    boot_origin_ms INTEGER,
    last_seq INTEGER,
    last_uptime_s INTEGER,
    model_id INTEGER NOT NULL DEFAULT 0,
    model_version INTEGER NOT NULL DEFAULT 0,
    sdk_version INTEGER NOT NULL DEFAULT 0,
    battery_mv INTEGER NOT NULL DEFAULT 0,
    device_class INTEGER NOT NULL DEFAULT 0,
    events_dropped INTEGER NOT NULL DEFAULT 0,
    events_queued INTEGER NOT NULL DEFAULT 0,
    event_count INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX devices_site ON devices (site);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    site TEXT NOT NULL,
    boot_id INTEGER NOT NULL,
    boot_known INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    class_id INTEGER NOT NULL,
    score INTEGER NOT NULL,
    uptime_s INTEGER NOT NULL,
    event_time_ms INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    readings TEXT NOT NULL,
    UNIQUE (device_id, boot_id, seq));
  CREATE INDEX events_site ON events (site, id);
  CREATE TABLE aggregates (
    scope TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    window_s INTEGER NOT NULL,
    window_start_ms INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    count INTEGER NOT NULL,
    score_sum INTEGER NOT NULL,
    score_max INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_id, window_s, window_start_ms, kind)) WITHOUT ROWID;
  INSERT INTO schema_version (version) VALUES (1);
  CREATE TABLE IF NOT EXISTS rollouts (
    id INTEGER PRIMARY KEY,
    bundle_path TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    waves TEXT NOT NULL,
    max_failure_permille INTEGER NOT NULL,
    wave_count INTEGER NOT NULL,
    state TEXT NOT NULL,
    current_wave INTEGER NOT NULL,
    halt_reason TEXT NOT NULL DEFAULT '');
  CREATE TABLE IF NOT EXISTS rollout_devices (
    rollout_id INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    wave INTEGER NOT NULL,
    state TEXT NOT NULL,
    next_offset INTEGER NOT NULL DEFAULT 0,
    failure INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rollout_id, device_id));
  CREATE INDEX IF NOT EXISTS rollout_devices_wave ON rollout_devices (rollout_id, wave);
)";

// Two devices on two sites: pump-1 in its second boot (77, after 76), valve-2 with events from
// before its first Health; aggregates for both scopes; a rollout in its second wave.
constexpr const char *kVersion1Rows = R"(
  INSERT INTO devices VALUES ('pump-1', 'plant', 1000, 9000, 77, 5000, 2, 30, 4, 9, 120, 3100,
                              2, 1, 0, 4);
  INSERT INTO devices VALUES ('valve-2', 'farm', 2000, 8000, NULL, NULL, 1, 11, 0, 0, 0, 0,
                              0, 0, 0, 2);
  INSERT INTO events VALUES (1, 'pump-1', 'plant', 76, 1, 7, 3, 0, 10, 100, 1100, 1200, '[]');
  INSERT INTO events VALUES (2, 'pump-1', 'plant', 77, 1, 0, 1, 2, 255, 10, 15000, 15100,
    '[{"quantity":3,"value":912}]');
  INSERT INTO events VALUES (3, 'valve-2', 'farm', 0, 0, 0, 4, 0, 0, 10, 2000, 2000, '[]');
  INSERT INTO events VALUES (4, 'pump-1', 'plant', 77, 1, 1, 3, 1, 20, 20, 25000, 25200,
    '[{"quantity":1,"value":-2150},{"quantity":2,"value":310}]');
  INSERT INTO events VALUES (5, 'pump-1', 'plant', 77, 1, 2, 3, 1, 30, 30, 35000, 35000, '[]');
  INSERT INTO events VALUES (6, 'valve-2', 'farm', 0, 0, 1, 4, 0, 0, 11, 3000, 3000, '[]');
  INSERT INTO aggregates VALUES ('device', 'pump-1', 3600, 0, 3, 3, 60, 30);
  INSERT INTO aggregates VALUES ('device', 'pump-1', 3600, 0, 1, 1, 255, 255);
  INSERT INTO aggregates VALUES ('site', 'plant', 3600, 0, 3, 3, 60, 30);
  INSERT INTO aggregates VALUES ('site', 'plant', 3600, 0, 1, 1, 255, 255);
  INSERT INTO aggregates VALUES ('device', 'valve-2', 3600, 0, 4, 2, 0, 0);
  INSERT INTO aggregates VALUES ('site', 'farm', 3600, 0, 4, 2, 0, 0);
  INSERT INTO rollouts VALUES (1, '/b/m.sotb', 3, '50,100', 20, 2, 'running', 1, '');
  INSERT INTO rollout_devices VALUES (1, 'pump-1', 0, 'activated', 5000, 0);
  INSERT INTO rollout_devices VALUES (1, 'valve-2', 1, 'transferring', 2048, 0);
)";

class StoreMigration : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/sotto-migration-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    for (const char *suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    Database db(path_, Database::Mode::kReadWrite, std::chrono::seconds(1));
    db.exec(kVersion1Schema);
    db.exec(kVersion1Rows);
  }

  std::string path_;
};

TEST_F(StoreMigration, VersionOneDatabaseIsMigratedWithEveryRow) {
  test::TestStore store(path_);
  EXPECT_EQ(store.device_count(), 2);
  auto reader = store.store().reader();

  auto pump = reader->device("pump-1");
  ASSERT_TRUE(pump);
  EXPECT_EQ(pump->site, "plant");
  EXPECT_EQ(pump->boot_id, 77);
  EXPECT_EQ(pump->first_seen_ms, 1000);
  EXPECT_EQ(pump->last_seen_ms, 9000);
  EXPECT_EQ(pump->model_id, 4);
  EXPECT_EQ(pump->model_version, 9);
  EXPECT_EQ(pump->sdk_version, 120);
  EXPECT_EQ(pump->battery_mv, 3100);
  EXPECT_EQ(pump->device_class, 2);
  EXPECT_EQ(pump->events_dropped, 1);
  EXPECT_EQ(pump->event_count, 4);
  auto valve = reader->device("valve-2");
  ASSERT_TRUE(valve);
  EXPECT_FALSE(valve->boot_id);
  EXPECT_EQ(valve->site, "farm");

  EventFilter all;
  all.limit = 10;
  EventPage page = reader->events(all);
  ASSERT_EQ(page.events.size(), 6u);
  const EventRecord &newest = page.events[0];  // id 6
  EXPECT_EQ(newest.id, 6);
  EXPECT_EQ(newest.device_id, "valve-2");
  EXPECT_FALSE(newest.boot_id);
  EXPECT_EQ(newest.seq, 1);
  const EventRecord &readings = page.events[2];  // id 4
  EXPECT_EQ(readings.id, 4);
  EXPECT_EQ(readings.boot_id, 77);
  EXPECT_EQ(readings.seq, 1);
  EXPECT_EQ(readings.kind, 3);
  EXPECT_EQ(readings.score, 20);
  EXPECT_EQ(readings.event_time_ms, 25000);
  EXPECT_EQ(readings.received_ms, 25200);
  EXPECT_EQ(readings.readings, (std::vector<Reading>{{1, -2150}, {2, 310}}));
  EXPECT_EQ(page.events[5].boot_id, 76);  // id 1, the earlier boot

  EventFilter pump_events;
  pump_events.device = "pump-1";
  EXPECT_EQ(reader->events(pump_events).events.size(), 4u);

  auto plant = reader->aggregates(AggregateScope::kSite, "plant", 3600);
  ASSERT_EQ(plant.size(), 2u);
  EXPECT_EQ(plant[0].kind, 1);
  EXPECT_EQ(plant[0].score_max, 255);
  EXPECT_EQ(plant[1].count, 3);
  auto valve_buckets = reader->aggregates(AggregateScope::kDevice, "valve-2", 3600);
  ASSERT_EQ(valve_buckets.size(), 1u);
  EXPECT_EQ(valve_buckets[0].count, 2);

  auto rollout = reader->rollout(1);
  ASSERT_TRUE(rollout);
  EXPECT_EQ(rollout->state, "running");
  EXPECT_EQ(rollout->current_wave, 1);
  EXPECT_EQ(rollout->spec.waves, (std::vector<unsigned>{50, 100}));
  EXPECT_EQ(rollout->spec.kind, RolloutKind::kModel);  // version 4: every older rollout is one
  EXPECT_FALSE(rollout->spec.adds_key_id);
  auto targets = reader->rollout_devices(1, -1);
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[1].device, "valve-2");
  EXPECT_EQ(targets[1].next_offset, 2048);
  EXPECT_EQ(reader->unfinished_rollouts(), std::vector<int64_t>{1});
  EXPECT_TRUE(reader->device_classes().empty());  // version 3's table, empty after migrating

  Database db(path_, Database::Mode::kReadOnly, std::chrono::seconds(1));
  Statement version(db.handle(), "SELECT version FROM schema_version");
  ASSERT_TRUE(version.step());
  EXPECT_EQ(version.integer(0), 4);
}

TEST_F(StoreMigration, DedupeAndWideningContinueAfterTheMigration) {
  test::TestStore store(path_);
  sotto_event_t event = {};
  event.kind = SOTTO_EVENT_THRESHOLD;
  event.seq = 2;  // stored before the migration in boot 77
  event.uptime_s = 30;
  EXPECT_EQ(store.record_event("plant", "pump-1", event, 40000).outcome, EventOutcome::kDuplicate);
  event.seq = 3;
  event.uptime_s = 40;
  const StoredEventInfo next = store.record_event("plant", "pump-1", event, 45000);
  EXPECT_EQ(next.outcome, EventOutcome::kStored);
  EXPECT_TRUE(next.boot_known);
  EXPECT_EQ(next.seq, 3u);
  // Still before any Health: the events from before the migration are in the same boot.
  event.seq = 1;
  event.uptime_s = 11;
  EXPECT_EQ(store.record_event("farm", "valve-2", event, 46000).outcome, EventOutcome::kDuplicate);
  auto pump = store.store().reader()->device("pump-1");
  EXPECT_EQ(pump->event_count, 5);
  EventFilter filter;
  filter.device = "pump-1";
  filter.limit = 1;
  const EventPage newest = store.store().reader()->events(filter);
  ASSERT_EQ(newest.events.size(), 1u);
  EXPECT_EQ(newest.events[0].event_time_ms, 5000 + 40 * 1000);  // the migrated boot origin
}

TEST_F(StoreMigration, DatabaseFromANewerGatewayIsRefusedByName) {
  {
    Database db(path_, Database::Mode::kReadWrite, std::chrono::seconds(1));
    db.exec("UPDATE schema_version SET version = 9");
  }
  try {
    test::TestStore store(path_);
    FAIL() << "opened a version 9 database";
  } catch (const StoreError &error) {
    EXPECT_EQ(error.kind(), StoreError::Kind::kSchema);
    EXPECT_NE(std::string(error.what())
                  .find(path_ + ": schema version 9 was written by a newer "
                                "sottod; this one reads up to version 4"),
              std::string::npos)
        << error.what();
  }
}

// This gateway's layout without what versions 3 and 4 added: what a version 2 or 3 sottod left.
void write_older_database(const std::string &path, int version) {
  for (const char *suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  {
    test::TestStore store(path);
    sotto_event_t event = {};
    event.kind = SOTTO_EVENT_THRESHOLD;
    event.seq = 1;
    store.record_event("plant", "pump-1", event, 1000);
    if (version == 3) store.writer().add_device_class({3, "soil-probe"});
    RolloutSpec spec;
    spec.bundle_path = "/b/m.sotb";
    spec.model_version = 2;
    spec.waves = {100};
    store.writer().create_rollout(spec, {"pump-1"}, {1});
  }
  Database db(path, Database::Mode::kReadWrite, std::chrono::seconds(1));
  db.exec(R"(
    DROP TABLE api_tokens;
    DROP TABLE audit_log;
    DROP TABLE fleet_keys;
    DROP INDEX rollouts_adds_key;
    DROP INDEX rollouts_retires_key;
    ALTER TABLE rollouts DROP COLUMN kind;
    ALTER TABLE rollouts DROP COLUMN adds_key_id;
    ALTER TABLE rollouts DROP COLUMN retires_key_id;
  )");
  if (version == 2) db.exec("DROP TABLE device_classes");
  db.exec("UPDATE schema_version SET version = " + std::to_string(version));
}

int64_t stored_schema_version(const std::string &path) {
  Database db(path, Database::Mode::kReadOnly, std::chrono::seconds(1));
  Statement version(db.handle(), "SELECT version FROM schema_version");
  return version.step() ? version.integer(0) : -1;
}

// What version 4 adds works on a migrated database, and what was there stays.
void expect_version_four_with_rows(const std::string &path, size_t class_count) {
  test::TestStore store(path);
  EXPECT_EQ(stored_schema_version(path), 4);
  EXPECT_EQ(store.device_count(), 1);
  auto reader = store.store().reader();
  EXPECT_EQ(reader->device("pump-1")->event_count, 1);
  EXPECT_EQ(reader->device_classes().size(), class_count);
  const auto rollout = reader->rollout(1);
  ASSERT_TRUE(rollout);
  EXPECT_EQ(rollout->spec.kind, RolloutKind::kModel);
  EXPECT_EQ(rollout->spec.model_version, 2u);
  ApiTokenRow token;
  token.token_id = "0123456789abcdef";
  token.name = "ci";
  token.role = "viewer";
  token.salt = {1};
  token.hash = {2};
  token.iterations = 1;
  EXPECT_TRUE(store.writer().insert_api_token(token));
  EXPECT_EQ(reader->unrevoked_api_token_count(), 1);
  AuditRow row;
  row.who = "ci";
  row.action = "rollout.start";
  row.outcome = "ok";
  EXPECT_EQ(store.writer().append_audit(row), 1);
  EXPECT_TRUE(reader->fleet_keys().empty());
}

TEST_F(StoreMigration, VersionTwoDatabaseIsMigratedToFour) {
  const std::string path = path_ + "-v2.db";
  write_older_database(path, 2);
  ASSERT_EQ(stored_schema_version(path), 2);
  expect_version_four_with_rows(path, 0);
}

TEST_F(StoreMigration, VersionThreeDatabaseIsMigratedToFourKeepingClassNames) {
  const std::string path = path_ + "-v3.db";
  write_older_database(path, 3);
  ASSERT_EQ(stored_schema_version(path), 3);
  expect_version_four_with_rows(path, 1);
}

// The first version 2 databases indexed events by (site_key, id), holding the rowid twice per
// entry. Opening one rebuilds the index as (site_key) once, keeps the version, and the site view
// still pages newest first through the index.
TEST(StoreIndexLayout, SiteIndexWithItsRepeatedIdIsRebuiltOnceAtOpen) {
  const std::string path =
      ::testing::TempDir() + "/sotto-site-index-" + std::to_string(::getpid()) + ".db";
  for (const char *suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  {
    test::TestStore store(path);
    sotto_event_t event = {};
    event.kind = SOTTO_EVENT_THRESHOLD;
    for (uint32_t seq = 0; seq < 5; ++seq) {
      event.seq = seq;
      event.uptime_s = seq;
      store.record_event(seq % 2 == 0 ? "plant" : "farm", "pump-" + std::to_string(seq % 2), event,
                         1000 + seq);
    }
  }
  auto site_index = [&path] {
    Database db(path, Database::Mode::kReadOnly, std::chrono::seconds(1));
    Statement sql(db.handle(), "SELECT sql FROM sqlite_master WHERE name = 'events_site'");
    return sql.step() ? sql.text(0) : std::string();
  };
  EXPECT_EQ(site_index(), "CREATE INDEX events_site ON events (site_key)");
  {
    Database db(path, Database::Mode::kReadWrite, std::chrono::seconds(1));
    db.exec("DROP INDEX events_site; CREATE INDEX events_site ON events (site_key, id)");
  }

  test::TestStore reopened(path);
  EXPECT_EQ(site_index(), "CREATE INDEX events_site ON events (site_key)");
  EventFilter plant;
  plant.site = "plant";
  plant.limit = 2;
  const EventPage first = reopened.store().reader()->events(plant);
  ASSERT_EQ(first.events.size(), 2u);
  EXPECT_EQ(first.events[0].seq, 4);
  EXPECT_EQ(first.events[1].seq, 2);
  ASSERT_TRUE(first.next_before_id);
  plant.before_id = first.next_before_id;
  const EventPage second = reopened.store().reader()->events(plant);
  ASSERT_EQ(second.events.size(), 1u);
  EXPECT_EQ(second.events[0].seq, 0);
  EXPECT_EQ(stored_schema_version(path), 4);
}

}  // namespace
}  // namespace sotto::gw
