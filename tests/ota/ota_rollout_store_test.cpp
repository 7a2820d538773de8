// Rollout state in a real SQLite file: waves, halting with a reason, and continuing after the
// gateway reopens the database (a restart).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "rollout_store.h"
#include "time_format.h"

namespace sotto::gw {
namespace {

class OtaRolloutStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sotto-rollout-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    for (int i = 0; i < 200; ++i) {
      devices_.push_back("dev-" + std::to_string(i));
    }
  }
  void TearDown() override { EXPECT_EQ(std::system(("rm -rf " + dir_).c_str()), 0); }
  std::string path() const { return dir_ + "/gateway.db"; }

  void finish_wave(RolloutStore &store, int64_t id, int64_t wave, size_t failures) {
    size_t failed = 0;
    for (const auto &device : store.wave_devices(id, wave)) {
      const bool fail = failed < failures;
      failed += fail ? 1 : 0;
      store.record_device(id, device, fail ? "failed" : "activated", 0, fail ? 6 : 0);
    }
  }

  std::string dir_;
  std::vector<std::string> devices_;
};

TEST_F(OtaRolloutStore, ThreeWavesRunToDoneAcrossARestart) {
  int64_t id = 0;
  {
    Database db(path(), false);
    RolloutStore store(db);
    id = store.create(RolloutSpec{"/b/m.bundle", 2, {5, 25, 100}, 20}, devices_);
    EXPECT_EQ(store.wave_devices(id, 0).size(), 10u);
    EXPECT_EQ(store.wave_devices(id, 1).size(), 40u);
    EXPECT_EQ(store.wave_devices(id, 2).size(), 150u);
    EXPECT_EQ(store.wave_devices(id, 0).front(), "dev-0");
    finish_wave(store, id, 0, 0);
    EXPECT_EQ(advance_rollout(store, id), "running");
    EXPECT_EQ(store.get(id).current_wave, 1);
    store.record_device(id, store.wave_devices(id, 1)[0], "transferring", 4096, 0);
  }
  Database db(path(), false);  // the gateway restarted
  RolloutStore store(db);
  EXPECT_EQ(store.unfinished(), std::vector<int64_t>{id});
  RolloutRow row = store.get(id);
  EXPECT_EQ(row.state, "running");
  EXPECT_EQ(row.current_wave, 1);
  EXPECT_EQ(row.spec.bundle_path, "/b/m.bundle");
  EXPECT_EQ(store.wave_counts(id, 1).activated, 0);
  finish_wave(store, id, 1, 0);
  EXPECT_EQ(advance_rollout(store, id), "running");
  finish_wave(store, id, 2, 3);  // 3 of 150 = 2.0 %: allowed
  EXPECT_EQ(advance_rollout(store, id), "done");
  EXPECT_TRUE(store.unfinished().empty());
}

TEST_F(OtaRolloutStore, HaltsByItselfAndSaysWhy) {
  Database db(path(), false);
  RolloutStore store(db);
  const int64_t id = store.create(RolloutSpec{"/b/m.bundle", 2, {5, 25, 100}, 20}, devices_);
  finish_wave(store, id, 0, 0);
  EXPECT_EQ(advance_rollout(store, id), "running");
  // Wave 2 (40 devices): the first failure already exceeds 2 % (0.8 devices).
  store.record_device(id, store.wave_devices(id, 1)[3], "failed", 0, 6);
  EXPECT_EQ(advance_rollout(store, id), "halted");
  RolloutRow row = store.get(id);
  EXPECT_EQ(row.halt_reason, "wave 2 of 3: 1 of 40 devices failed, above the 2.0% limit");
  EXPECT_EQ(row.current_wave, 1);
  EXPECT_TRUE(store.unfinished().empty());
  EXPECT_EQ(advance_rollout(store, id), "halted");  // stays halted
}

TEST_F(OtaRolloutStore, PausedRolloutDoesNotAdvance) {
  Database db(path(), false);
  RolloutStore store(db);
  const int64_t id = store.create(RolloutSpec{"/b/m.bundle", 2, {50, 100}, 20}, devices_);
  store.set_state(id, "paused");
  finish_wave(store, id, 0, 0);
  EXPECT_EQ(advance_rollout(store, id), "paused");
  EXPECT_EQ(store.get(id).current_wave, 0);
  EXPECT_EQ(store.unfinished(), std::vector<int64_t>{id});
  store.set_state(id, "running");
  EXPECT_EQ(advance_rollout(store, id), "running");
  EXPECT_EQ(store.get(id).current_wave, 1);
  EXPECT_THROW(store.get(id + 1), std::runtime_error);
}

TEST_F(OtaRolloutStore, RecordsWhenItStartedAndWhenItsStateLastChanged) {
  Database db(path(), false);
  RolloutStore store(db);
  const int64_t before_create = now_ms();
  const int64_t id = store.create(RolloutSpec{"/b/m.bundle", 2, {50, 100}, 20}, devices_);
  const int64_t after_create = now_ms();
  RolloutRow row = store.get(id);
  EXPECT_GE(row.created_ms, before_create);
  EXPECT_LE(row.created_ms, after_create);
  EXPECT_EQ(row.state_changed_ms, row.created_ms);

  db.exec("UPDATE rollouts SET state_changed_ms = 1");  // a known earlier change
  store.set_state(id, "running");                       // the same state: no change
  EXPECT_EQ(store.get(id).state_changed_ms, 1);
  const int64_t before_pause = now_ms();
  store.set_state(id, "paused");
  row = store.get(id);
  EXPECT_GE(row.state_changed_ms, before_pause);
  EXPECT_LE(row.state_changed_ms, now_ms());
  EXPECT_GE(row.created_ms, before_create);  // unchanged
  EXPECT_LE(row.created_ms, after_create);
}

TEST_F(OtaRolloutStore, ADatabaseFromBeforeTimestampsGainsThemAndKeepsItsRollouts) {
  {
    Database db(path(), false);
    db.exec(R"(
      CREATE TABLE rollouts (id INTEGER PRIMARY KEY, bundle_path TEXT NOT NULL,
        model_version INTEGER NOT NULL, waves TEXT NOT NULL,
        max_failure_permille INTEGER NOT NULL, wave_count INTEGER NOT NULL,
        state TEXT NOT NULL, current_wave INTEGER NOT NULL,
        halt_reason TEXT NOT NULL DEFAULT '');
      INSERT INTO rollouts VALUES (1, '/b/old.bundle', 3, '100', 20, 1, 'done', 0, '');)");
  }
  Database db(path(), false);
  RolloutStore store(db);
  RolloutRow old = store.get(1);
  EXPECT_EQ(old.spec.bundle_path, "/b/old.bundle");
  EXPECT_EQ(old.state, "done");
  EXPECT_EQ(old.created_ms, 0);  // unknown
  EXPECT_EQ(old.state_changed_ms, 0);
  const int64_t id = store.create(RolloutSpec{"/b/m.bundle", 4, {100}, 20}, devices_);
  EXPECT_EQ(id, 2);
  EXPECT_GT(store.get(id).created_ms, 0);
}

}  // namespace
}  // namespace sotto::gw
