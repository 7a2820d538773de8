// The rollout engine in one process: RolloutEngine on a real SQLite file, its published offers
// and chunks delivered in order to devices running the SDK's real updater (host flash), their
// OtaStatus fed back. No broker, no timing: every count is exact.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "key_rotation.h"
#include "ota_fixture.h"
#include "rollout_engine.h"
#include "sotto/messages.h"
#include "test_store.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 5000;  // 5 chunks of 1024

sotto_err_t failing_self_test(void *, const sotto_ota_candidate_t *, uint8_t out[32]) {
  std::fill(out, out + 32, 0);
  return SOTTO_OK;
}

// A device as the rollout sees it: its updater, and whether it is online.
struct FleetDevice : OtaDevice {
  explicit FleetDevice(bool fails_self_test)
      : OtaDevice(false, fails_self_test ? failing_self_test : engine_self_test) {
    EXPECT_EQ(boot(), SOTTO_OK);
  }
  std::vector<uint8_t> status() {
    uint8_t bytes[SOTTO_OTA_STATUS_MAX_BYTES];
    size_t len = 0;
    EXPECT_EQ(sotto_ota_encode_status(&ota(), bytes, sizeof bytes, &len), SOTTO_OK);
    return std::vector<uint8_t>(bytes, bytes + len);
  }

  bool online = true;
};

class RolloutEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sotto-rollout-engine-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<TestStore>(db_path());
    reader_ = store_->store().reader();
    rollouts_ = std::make_unique<gw::RolloutStore>(*reader_, store_->writer());
    // The devices are provisioned with fleet_key(); the gateway is told so.
    trust_writer_ = &store_->writer();
    gw::FleetKeyRow key;
    const auto point = fleet_key().public_key();
    key.public_key.assign(point.begin(), point.end());
    key.key_id = fleet_key().key_id();
    ASSERT_TRUE(trust_writer_->add_provisioned_key(key));
  }
  void TearDown() override {
    engine_.reset();
    trust_writer_ = nullptr;
    rollouts_.reset();
    reader_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string db_path() const { return (dir_ / "sotto.db").string(); }

  // Devices dev-NNN (known to the registry through a Health); failing ones by index.
  void add_devices(int count, const std::set<int> &failing = {}) {
    for (int i = 1; i <= count; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "dev-%03d", i);
      sotto_health_t health{};
      health.boot_id = 1;
      health.device_tag = sotto_device_tag(id);
      store_->record_health("site", id, health, 1000);
      devices_[id] = std::make_unique<FleetDevice>(failing.count(i) > 0);
    }
  }
  void start_engine(uint32_t resync_after_ms = 3000,
                    uint32_t device_answer_deadline_ms = 30 * 60 * 1000) {
    gw::RolloutEngineOptions options;
    options.bundle_dir = (dir_ / "bundles").string();
    options.resync_after_ms = resync_after_ms;
    options.device_answer_deadline_ms = device_answer_deadline_ms;
    engine_ = std::make_unique<gw::RolloutEngine>(
        io_, options, *rollouts_,
        [this](const std::string &topic, const std::vector<uint8_t> &payload) {
          sent_.emplace_back(topic, payload);
          return true;
        });
    engine_->start();
  }
  int64_t start(const gw::Bundle &bundle, std::vector<unsigned> waves, double max_failure_pct) {
    gw::RolloutStartRequest request;
    request.payload = gw::serialize_bundle(bundle);
    request.site = "site";
    request.waves = std::move(waves);
    request.max_failure_pct = max_failure_pct;
    return engine_->start_rollout(request);
  }
  // Delivers the oldest published message (to its device, if online) and feeds the device's
  // status back. False when nothing is left.
  bool deliver_one() {
    if (sent_.empty()) return false;
    auto [topic, payload] = sent_.front();
    sent_.pop_front();
    // sotto/v1/site/<device>/ota/<offer|chunk>
    const std::string device = topic.substr(14, 7);
    FleetDevice &target = *devices_.at(device);
    if (target.online) {
      sotto_ota_handle_message(&target.ota(), topic.c_str() + 22, payload.data(), payload.size());
      engine_->on_status("site", device, target.status());
    }
    return true;
  }
  // Delivers everything published, and what the answers cause, in order.
  void deliver() {
    while (deliver_one()) {
    }
  }
  // Puts BUNDLE on DEVICE directly, as if an earlier transfer had finished unnoticed.
  void install(const std::string &device, const gw::Bundle &bundle) {
    ASSERT_EQ(devices_.at(device)->update(bundle, 1, 1024), SOTTO_OK);
  }
  boost::json::object view(int64_t id) { return engine_->describe(id, false); }
  static int64_t devices_in(const boost::json::object &view, const char *state) {
    return view.at("devices").at(state).to_number<int64_t>();
  }

  std::filesystem::path dir_;
  boost::asio::io_context io_;
  std::unique_ptr<TestStore> store_;
  std::unique_ptr<gw::StoreReader> reader_;
  std::unique_ptr<gw::RolloutStore> rollouts_;
  gw::TrustWriter *trust_writer_ = nullptr;  // the store's writer
  std::unique_ptr<gw::RolloutEngine> engine_;
  std::deque<std::pair<std::string, std::vector<uint8_t>>> sent_;
  std::map<std::string, std::unique_ptr<FleetDevice>> devices_;
};

gw::Bundle bundle_v(uint32_t version) {
  const std::vector<uint8_t> model = make_model(kModelBytes, version);
  return gw::make_bundle(fleet_key(), fields_for(model, version), model);
}

TEST_F(RolloutEngineTest, WavesRunInOrderAndEachDeviceGetsTheBundleOnce) {
  add_devices(20);
  start_engine();
  const gw::Bundle bundle = bundle_v(2);
  const int64_t id = start(bundle, {10, 50, 100}, 2);
  EXPECT_EQ(sent_.size(), 2u);  // wave 1 (2 devices) is offered; nothing else yet
  deliver();
  const auto done = view(id);
  EXPECT_EQ(done.at("state").as_string(), "done");
  EXPECT_EQ(devices_in(done, "activated"), 20);
  const auto &transfer = done.at("transfer").as_object();
  EXPECT_EQ(transfer.at("offers").to_number<int64_t>(), 20);
  EXPECT_EQ(transfer.at("resent_offers").to_number<int64_t>(), 0);
  EXPECT_EQ(transfer.at("chunks").to_number<int64_t>(), 20 * 5);
  const double per_device = transfer.at("payload_bytes").to_number<double>() / 20;
  EXPECT_LE(per_device, 1.1 * static_cast<double>(gw::serialize_bundle(bundle).size()));
  for (const auto &[name, device] : devices_) EXPECT_EQ(device->active_version(), 2u) << name;
}

// Waves of 20 at 10,50,100 are 2, 8 and 10 devices; dev-004 is the first failure in wave 2:
// 1 of 8 = 12.5% > 10%.
TEST_F(RolloutEngineTest, HaltsAtTheFirstFailureAboveTheLimitAndNeverStartsTheNextWave) {
  add_devices(20, {4, 5});
  start_engine();
  const int64_t id = start(bundle_v(2), {10, 50, 100}, 10);
  deliver();
  const auto halted = view(id);
  EXPECT_EQ(halted.at("state").as_string(), "halted");
  EXPECT_EQ(halted.at("halt_reason").as_string(),
            "wave 2 of 3: 1 of 8 devices failed, above the 10.0% limit");
  EXPECT_EQ(halted.at("failures").at("self_test_failed").to_number<int64_t>(), 1);
  for (int i = 11; i <= 20; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "dev-%03d", i);
    sotto_ota_status_t status{};
    sotto_ota_get_status(&devices_.at(name)->ota(), &status);
    EXPECT_EQ(status.rollout_id, 0u) << name;  // never offered
    EXPECT_EQ(devices_.at(name)->active_version(), 0u) << name;
  }
}

TEST_F(RolloutEngineTest, RestartedEngineResumesFromSqliteAndOffersOnlyUnfinishedDevices) {
  add_devices(10);
  for (const char *name : {"dev-006", "dev-007", "dev-008", "dev-009", "dev-010"}) {
    devices_.at(name)->online = false;  // the second wave is offline until the restart
  }
  start_engine();
  const int64_t id = start(bundle_v(2), {50, 100}, 2);
  deliver();
  EXPECT_EQ(view(id).at("state").as_string(), "running");
  EXPECT_EQ(devices_in(view(id), "activated"), 5);
  engine_.reset();  // the gateway dies; SQLite keeps the rollout
  for (auto &[name, device] : devices_) device->online = true;
  start_engine();
  EXPECT_EQ(sent_.size(), 5u);  // offers to the five that have not finished
  deliver();
  const auto done = view(id);
  EXPECT_EQ(done.at("state").as_string(), "done");
  EXPECT_EQ(devices_in(done, "activated"), 10);
  EXPECT_EQ(done.at("transfer").at("offers").to_number<int64_t>(), 5);
}

TEST_F(RolloutEngineTest, PausedRolloutSendsNoChunksUntilResumed) {
  add_devices(4);
  start_engine();
  const int64_t id = start(bundle_v(2), {100}, 2);
  engine_->pause(id);
  deliver();  // devices take the offers; the paused engine sends them nothing more
  EXPECT_EQ(devices_in(view(id), "activated"), 0);
  EXPECT_EQ(view(id).at("transfer").at("chunks").to_number<int64_t>(), 0);
  EXPECT_THROW(engine_->pause(id), gw::RolloutRequestError);
  engine_->resume(id);
  deliver();
  EXPECT_EQ(view(id).at("state").as_string(), "done");
  EXPECT_EQ(devices_in(view(id), "activated"), 4);
}

// The device stores chunks 0 and 1 of 5, loses power (chunks 2..4 in flight are lost), boots
// from its flash and reports offset 2048: the engine resends exactly chunks 2..4.
TEST_F(RolloutEngineTest, DeviceRebootedMidTransferResumesFromItsLastStoredChunk) {
  add_devices(1);
  start_engine(/*resync_after_ms=*/0);
  const int64_t id = start(bundle_v(2), {100}, 2);
  ASSERT_TRUE(deliver_one());   // the offer; the engine answers with the whole window
  EXPECT_EQ(sent_.size(), 5u);  // chunks 0..4
  ASSERT_TRUE(deliver_one());
  ASSERT_TRUE(deliver_one());
  FleetDevice &device = *devices_.at("dev-001");
  device.online = false;
  deliver();  // chunks 2..4 are lost
  device.online = true;
  EXPECT_EQ(device.boot(), SOTTO_OK);  // power cycle: the updater starts from its flash
  engine_->on_status("site", "dev-001", device.status());  // its boot announcement
  EXPECT_EQ(sent_.size(), 3u);                             // chunks 2..4 again, not 0 and 1
  deliver();
  const auto done = view(id);
  EXPECT_EQ(done.at("state").as_string(), "done");
  EXPECT_EQ(done.at("transfer").at("chunks").to_number<int64_t>(), 8);
  EXPECT_EQ(done.at("transfer").at("resyncs").to_number<int64_t>(), 1);
  EXPECT_EQ(device.active_version(), 2u);
}

// A device that never answers is given up on at the engine's next timer tick once its deadline
// (0 here) has passed: failed with reason no_answer, counted against the limit, and the wave
// moves on without it.
TEST_F(RolloutEngineTest, SilentDeviceFailsWithNoAnswerAndReleasesItsWave) {
  add_devices(4);
  devices_.at("dev-002")->online = false;
  start_engine(/*resync_after_ms=*/3000, /*device_answer_deadline_ms=*/0);
  const int64_t id = start(bundle_v(2), {50, 100}, 50);  // 1 of 2 is not above 50%
  deliver();  // dev-001 activates; dev-002 stays silent and holds wave 1
  EXPECT_EQ(view(id).at("state").as_string(), "running");
  EXPECT_EQ(view(id).at("current_wave").to_number<int64_t>(), 1);
  ASSERT_EQ(io_.run_one(), 1u);  // one timer tick
  deliver();                     // wave 2: dev-003 and dev-004
  const auto done = view(id);
  EXPECT_EQ(done.at("state").as_string(), "done");
  EXPECT_EQ(devices_in(done, "activated"), 3);
  EXPECT_EQ(devices_in(done, "failed"), 1);
  EXPECT_EQ(done.at("failures").at("no_answer").to_number<int64_t>(), 1);
  EXPECT_EQ(devices_.at("dev-002")->active_version(), 0u);
}

// The same silence above the failure limit halts the rollout by itself.
TEST_F(RolloutEngineTest, SilentDevicesAboveTheLimitHaltTheRollout) {
  add_devices(4);
  devices_.at("dev-002")->online = false;
  start_engine(/*resync_after_ms=*/3000, /*device_answer_deadline_ms=*/0);
  const int64_t id = start(bundle_v(2), {50, 100}, 10);
  deliver();
  ASSERT_EQ(io_.run_one(), 1u);
  const auto halted = view(id);
  EXPECT_EQ(halted.at("state").as_string(), "halted");
  EXPECT_EQ(halted.at("halt_reason").as_string(),
            "wave 1 of 2: 1 of 2 devices failed, above the 10.0% limit");
  EXPECT_EQ(halted.at("failures").at("no_answer").to_number<int64_t>(), 1);
  EXPECT_TRUE(sent_.empty());  // wave 2 never offered
}

// A device whose ACTIVATED status was lost refuses the re-offer as not newer; the engine counts
// that as activated, not failed.
TEST_F(RolloutEngineTest, DeviceAlreadyRunningTheVersionCountsAsActivated) {
  add_devices(2);
  const gw::Bundle bundle = bundle_v(2);
  install("dev-001", bundle);
  ASSERT_EQ(devices_.at("dev-001")->active_version(), 2u);
  start_engine();
  const int64_t id = start(bundle, {100}, 0);
  deliver();
  EXPECT_EQ(view(id).at("state").as_string(), "done");
  EXPECT_EQ(devices_in(view(id), "activated"), 2);
  EXPECT_EQ(devices_in(view(id), "failed"), 0);
}

// The same after a gateway restart, where the engine knows the model only from the bundle file
// it kept.
TEST_F(RolloutEngineTest, DeviceAlreadyRunningTheVersionCountsAsActivatedAfterARestart) {
  add_devices(2);
  const gw::Bundle bundle = bundle_v(2);
  start_engine();
  const int64_t id = start(bundle, {100}, 0);
  engine_.reset();  // the gateway dies before any offer arrives
  sent_.clear();
  install("dev-001", bundle);
  ASSERT_EQ(devices_.at("dev-001")->active_version(), 2u);
  start_engine();
  EXPECT_EQ(sent_.size(), 2u);  // offers to both again
  deliver();
  EXPECT_EQ(view(id).at("state").as_string(), "done");
  EXPECT_EQ(devices_in(view(id), "activated"), 2);
  EXPECT_EQ(devices_in(view(id), "failed"), 0);
}

gw::RolloutStartRequest request_for(gw::RolloutKind kind, const std::vector<uint8_t> &payload,
                                    std::vector<unsigned> waves) {
  gw::RolloutStartRequest request;
  request.kind = kind;
  request.payload = payload;
  request.site = "site";
  request.waves = std::move(waves);
  request.max_failure_pct = 0;
  return request;
}

// The refusal's code, or "" when the engine took the request.
std::string refusal_code(gw::RolloutEngine &engine, const gw::RolloutStartRequest &request) {
  try {
    engine.start_rollout(request);
  } catch (const gw::RolloutRequestError &error) {
    return error.code();
  }
  return "";
}

TEST_F(RolloutEngineTest, BundlesDevicesWouldRefuseAreRefusedBeforeAnythingIsSent) {
  add_devices(3);
  start_engine();
  std::vector<uint8_t> corrupted = gw::serialize_bundle(bundle_v(2));
  corrupted.back() ^= 0x80;  // a model byte
  EXPECT_EQ(refusal_code(*engine_, request_for(gw::RolloutKind::kModel, corrupted, {100})),
            "digest_mismatch");
  const gw::SigningKey stranger = gw::SigningKey::generate();
  const std::vector<uint8_t> model = make_model(kModelBytes, 2);
  EXPECT_EQ(refusal_code(*engine_, request_for(gw::RolloutKind::kModel,
                                               gw::serialize_bundle(gw::make_bundle(
                                                   stranger, fields_for(model, 2), model)),
                                               {100})),
            "untrusted_key");
  EXPECT_EQ(
      refusal_code(*engine_, request_for(gw::RolloutKind::kModel, {'S', 'O', 'T', 'B'}, {100})),
      "bad_bundle");
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(engine_->published_messages(), 0u);
  EXPECT_TRUE(reader_->rollout_ids().empty());
  EXPECT_EQ(engine_->refused_starts().at("digest_mismatch"), 1u);
}

// A key rotation through the rollout waves: one ota/keys message per device, every device ends
// trusting the new key only, and from then on the engine sends bundles signed by the new key and
// refuses ones signed by the retired key without sending anything.
TEST_F(RolloutEngineTest, KeyRotationMovesTheFleetToTheNewKey) {
  add_devices(4);
  start_engine();
  const gw::SigningKey new_key = gw::SigningKey::generate();
  gw::KeyRotationRequest rotation;
  rotation.key_list_version = 1;
  rotation.retire_key_id = fleet_key().key_id();
  const int64_t id = engine_->start_rollout(request_for(
      gw::RolloutKind::kKeys, gw::sign_key_rotation(fleet_key(), new_key, rotation), {50, 100}));
  ASSERT_EQ(sent_.size(), 2u);  // wave 1: two devices
  for (const auto &[topic, payload] : sent_) {
    EXPECT_EQ(topic.substr(topic.size() - 9), "/ota/keys") << topic;
  }
  deliver();
  const auto done = view(id);
  EXPECT_EQ(done.at("state").as_string(), "done");
  EXPECT_EQ(done.at("kind").as_string(), "keys");
  EXPECT_EQ(devices_in(done, "activated"), 4);
  EXPECT_EQ(engine_->published_messages(), 4u);
  for (const auto &[name, device] : devices_) {
    sotto_ota_key_list_t keys{};
    ASSERT_EQ(sotto_ota_get_keys(&device->ota(), &keys), SOTTO_OK);
    EXPECT_EQ(keys.version, 1u) << name;
    ASSERT_EQ(keys.key_count, 1u) << name;
    EXPECT_EQ(keys.key_ids[0], new_key.key_id()) << name;
  }
  EXPECT_EQ(reader_->devices_not_trusting(fleet_key().key_id(), {"dev-001", "dev-004"}).size(), 2u);
  EXPECT_EQ(refusal_code(*engine_, request_for(gw::RolloutKind::kModel,
                                               gw::serialize_bundle(bundle_v(2)), {100})),
            "untrusted_key");
  EXPECT_EQ(engine_->published_messages(), 4u);
  // The same rotation again is not newer than the last this gateway sent.
  EXPECT_EQ(refusal_code(*engine_, request_for(gw::RolloutKind::kKeys,
                                               gw::sign_key_rotation(
                                                   new_key, gw::SigningKey::generate(), rotation),
                                               {100})),
            "version_not_newer");
  const std::vector<uint8_t> model = make_model(kModelBytes, 2);
  const int64_t model_rollout =
      start(gw::make_bundle(new_key, fields_for(model, 2), model), {100}, 0);
  deliver();
  EXPECT_EQ(view(model_rollout).at("state").as_string(), "done");
  EXPECT_EQ(devices_in(view(model_rollout), "activated"), 4);
  for (const auto &[name, device] : devices_) EXPECT_EQ(device->active_version(), 2u) << name;
}

}  // namespace
}  // namespace sotto::test
