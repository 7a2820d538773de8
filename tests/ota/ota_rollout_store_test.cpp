// Rollout state in a real SQLite file: waves, halting with a reason, and continuing after the
// gateway reopens the database (a restart).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "rollout_store.h"
#include "sqlite_store.h"

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

  // The gateway's store as the rollout engine sees it: a reader and the writer.
  struct Opened {
    explicit Opened(const std::string &path)
        : store(open_sqlite_store(SqliteStoreOptions{path, "normal"})),
          reader(store->reader()),
          writer(store->writer()),
          rollouts(*reader, *writer) {}
    std::unique_ptr<Store> store;
    std::unique_ptr<StoreReader> reader;
    std::unique_ptr<StoreWriter> writer;
    RolloutStore rollouts;
  };

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
    Opened opened(path());
    RolloutStore &store = opened.rollouts;
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
  Opened opened(path());  // the gateway restarted
  RolloutStore &store = opened.rollouts;
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
  Opened opened(path());
  RolloutStore &store = opened.rollouts;
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
  Opened opened(path());
  RolloutStore &store = opened.rollouts;
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

}  // namespace
}  // namespace sotto::gw
