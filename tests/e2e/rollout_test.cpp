// Signed model rollouts end to end: sotto-sim devices running the SDK's real updater ← mosquitto
// ← sottod's rollout engine, driven through the HTTP API. Exact counts; deadlines only bound
// the polling.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "http_client.h"
#include "rollout_fixture.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 8192;
constexpr int kAgriClass = 1;

int64_t count(const boost::json::object &view, const char *group, const char *key) {
  const auto &object = view.at(group).as_object();
  return object.contains(key) ? object.at(key).to_number<int64_t>() : 0;
}

std::string device_id(const std::string &site, int index) {
  char digits[8];
  std::snprintf(digits, sizeof digits, "%03d", index);
  return site + "-" + digits;
}

std::string device_list(const std::string &site, int first, int last) {
  std::string list;
  for (int i = first; i <= last; ++i) list += (list.empty() ? "" : ",") + device_id(site, i);
  return list;
}

// Exactly 200 devices of one farm: ids farm-north-001..200, waves 5,25,100 = 10, 40, 150.
TEST_F(RolloutTest, TwoHundredDevicesGetTheModelInThreeWaves) {
  auto sim = start_sim(ota_fleet(200, "farm-north:agri"));
  wait_for_devices(200);
  const gw::Bundle bundle = signed_bundle(key_, test_model(kModelBytes, 1), 2, kAgriClass);
  const int64_t id = start_rollout(bundle, "site=farm-north&waves=5,25,100&max_failure_pct=2");
  auto view = wait_for_state(id, "done");
  EXPECT_EQ(count(view, "devices", "total"), 200);
  EXPECT_EQ(count(view, "devices", "activated"), 200);
  EXPECT_EQ(count(view, "devices", "failed"), 0);
  const auto &waves = view.at("wave_progress").as_array();
  ASSERT_EQ(waves.size(), 3u);
  const int64_t sizes[] = {10, 40, 150};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(waves[i].at("devices").as_int64(), sizes[i]);
    EXPECT_EQ(waves[i].at("activated").as_int64(), sizes[i]);
  }
  // Nothing failed, so each device got its offer and chunks about once: at most 1.1x the bundle.
  const auto &transfer = view.at("transfer").as_object();
  const double bundle_bytes = static_cast<double>(gw::serialize_bundle(bundle).size());
  EXPECT_LE(transfer.at("payload_bytes").to_number<double>() / 200, 1.1 * bundle_bytes);
  auto devices = stop_sim(*sim);
  ASSERT_EQ(devices.size(), 200u);
  for (const auto &[device, report] : devices) {
    const auto &ota = report.at("ota").as_object();
    EXPECT_EQ(ota.at("model_version").as_int64(), 2) << device;
    EXPECT_EQ(ota.at("failure").as_string(), "none") << device;
  }
}

// farm-north-020, -030 and -040 are in wave 2 (011..050): the third failure is 3 of 40 = 7.5%,
// above 5%, and halts the rollout before wave 3 starts.
TEST_F(RolloutTest, SelfTestFailuresAboveTheThresholdHaltTheRollout) {
  const std::string failing = "farm-north-020,farm-north-030,farm-north-040";
  auto sim = start_sim(ota_fleet(200, "farm-north:agri", {"--fail-self-test", failing}));
  wait_for_devices(200);
  const gw::Bundle bundle = signed_bundle(key_, test_model(kModelBytes, 2), 2, kAgriClass);
  const int64_t id = start_rollout(bundle, "site=farm-north&waves=5,25,100&max_failure_pct=5");
  auto view = wait_for_state(id, "halted");
  EXPECT_EQ(view.at("halt_reason").as_string(),
            "wave 2 of 3: 3 of 40 devices failed, above the 5.0% limit");
  EXPECT_EQ(view.at("current_wave").as_int64(), 2);
  EXPECT_EQ(count(view, "failures", "self_test_failed"), 3);
  EXPECT_EQ(view.at("failures").as_object().size(), 1u);
  const auto &waves = view.at("wave_progress").as_array();
  EXPECT_EQ(waves[0].at("activated").as_int64(), 10);
  EXPECT_EQ(waves[1].at("failed").as_int64(), 3);
  EXPECT_EQ(waves[2].at("activated").as_int64(), 0);
  EXPECT_EQ(waves[2].at("failed").as_int64(), 0);
  for (const auto &entry : view.at("device_list").as_array()) {
    const auto &device = entry.as_object();
    if (device.at("state").as_string() == "failed") {
      EXPECT_NE(failing.find(device.at("device").as_string().c_str()), std::string::npos);
      EXPECT_EQ(device.at("failure").as_string(), "self_test_failed");
    }
  }
  auto devices = stop_sim(*sim);
  for (int i = 51; i <= 200; ++i) {  // wave 3 was never offered anything
    const auto &ota = devices.at(device_id("farm-north", i)).at("ota").as_object();
    EXPECT_EQ(ota.at("model_version").as_int64(), 0) << i;
    EXPECT_EQ(ota.at("rollout_id").as_int64(), 0) << i;
  }
  for (const char *device : {"farm-north-020", "farm-north-030", "farm-north-040"}) {
    const auto &ota = devices.at(device).at("ota").as_object();
    EXPECT_EQ(ota.at("model_version").as_int64(), 0) << device;
    EXPECT_EQ(ota.at("failure").as_string(), "SOTTO_ERR_OTA_SELF_TEST_FAILED") << device;
  }
}

// The last wave holds ten devices of farm-b, which are offline while the gateway is killed: the
// rollout is provably unfinished at the kill, and the restarted gateway finishes it from SQLite
// (offering only the ten) once they come back.
TEST_F(RolloutTest, GatewayKilledMidRolloutContinuesItAfterRestart) {
  auto farm_b_log = dir_ + "/sim-farm-b.log";
  auto farm_b_flags = [&](const std::string &summary) {
    auto flags = ota_fleet(10, "farm-b:agri");
    const std::vector<std::string> broker = sim_broker_flags();
    flags.insert(flags.end(), broker.begin(), broker.end());
    flags.insert(flags.end(), {"--summary-json", summary, "--quiet"});
    return flags;
  };
  auto farm_a = start_sim(ota_fleet(90, "farm-a:agri"));
  {
    Process farm_b(SOTTO_BIN_DIR "/sotto-sim", farm_b_flags(dir_ + "/farm-b-1.json"), farm_b_log);
    wait_for_devices(100);
    farm_b.signal(SIGTERM);
    ASSERT_EQ(farm_b.wait(std::chrono::seconds(60)), 0);
  }
  const gw::Bundle bundle = signed_bundle(key_, test_model(kModelBytes, 3), 4, kAgriClass);
  // Given order is wave order: 10 and 40 of farm-a, then farm-a-051..090 and farm-b-001..010.
  const int64_t id = start_rollout(bundle, "devices=" + device_list("farm-a", 1, 90) + "," +
                                               device_list("farm-b", 1, 10) +
                                               "&waves=10,50,100&max_failure_pct=2");
  boost::json::object view = wait_for_view(
      id, [&](const boost::json::object &v) { return count(v, "devices", "activated") == 90; },
      "90 activated");
  ASSERT_EQ(count(view, "devices", "activated"), 90) << boost::json::serialize(view);
  EXPECT_EQ(view.at("state").as_string(), "running");
  EXPECT_EQ(view.at("current_wave").as_int64(), 3);

  gateway_->kill_hard();
  gateway_->start();
  view = rollout(id);
  EXPECT_EQ(view.at("state").as_string(), "running");
  EXPECT_EQ(count(view, "devices", "activated"), 90);
  EXPECT_EQ(view.at("transfer").at("offers").as_int64(), 10);  // only the unfinished ten
  Process farm_b(SOTTO_BIN_DIR "/sotto-sim", farm_b_flags(dir_ + "/farm-b-2.json"), farm_b_log);
  view = wait_for_state(id, "done");
  EXPECT_EQ(count(view, "devices", "activated"), 100);
  EXPECT_EQ(count(view, "devices", "failed"), 0);
  EXPECT_NE(gateway_->log().find("rollout " + std::to_string(id) + ": resuming (running, wave 3)"),
            std::string::npos);
  farm_b.signal(SIGTERM);
  EXPECT_EQ(farm_b.wait(std::chrono::seconds(60)), 0);
  auto farm_b_summary = boost::json::parse(read_file(dir_ + "/farm-b-2.json")).as_object();
  for (const auto &entry : farm_b_summary.at("devices").as_array()) {
    EXPECT_EQ(entry.at("ota").at("model_version").as_int64(), 4) << entry.at("device");
  }
  for (const auto &[device, report] : stop_sim(*farm_a)) {
    EXPECT_EQ(report.at("ota").at("model_version").as_int64(), 4) << device;
  }
}

// Where a bundle's bytes sit: header (12), then the SignedManifest (manifest = field 1 with a
// one-byte length, signature = its last 64 bytes), then the model.
std::vector<uint8_t> flip_bit(std::vector<uint8_t> bytes, size_t offset) {
  bytes.at(offset) ^= 0x10;
  return bytes;
}

TEST_F(RolloutTest, TamperedBundlesAreRefusedWithTheNamedReason) {
  constexpr int kDevices = 20;
  auto sim = start_sim(ota_fleet(kDevices, "farm-north:agri"));
  wait_for_devices(kDevices);
  const std::vector<uint8_t> model = test_model(kModelBytes, 4);
  const std::string all = "site=farm-north&waves=100&max_failure_pct=100";
  const int64_t first = start_rollout(signed_bundle(key_, model, 2, kAgriClass), all);
  EXPECT_EQ(count(wait_for_state(first, "done"), "devices", "activated"), kDevices);

  const gw::Bundle good = signed_bundle(key_, model, 3, kAgriClass);
  const size_t envelope_bytes = good.envelope.size();
  auto model_bit = good;
  model_bit.model[model.size() / 2] ^= 0x01;
  auto manifest_bit = good;  // inside model_sha256: still decodes, no longer what was signed
  const auto digest = gw::sha256_of(model);
  for (size_t i = 0; i + digest.size() <= manifest_bit.envelope.size(); ++i) {
    if (std::equal(digest.begin(), digest.end(),
                   manifest_bit.envelope.begin() + static_cast<std::ptrdiff_t>(i))) {
      manifest_bit.envelope = flip_bit(manifest_bit.envelope, i + 3);
      break;
    }
  }
  ASSERT_NE(manifest_bit.envelope, good.envelope);
  auto signature_bit = good;
  signature_bit.envelope = flip_bit(good.envelope, envelope_bytes - 20);
  const gw::SigningKey other_key = gw::SigningKey::generate();

  // What fails a signature or digest check never leaves the gateway: refused by name, nothing
  // created (devices refuse the same by name: tests/ota, and rollout_trust_test.cpp's replay).
  const std::vector<std::pair<gw::Bundle, std::string>> refused_by_gateway = {
      {model_bit, "digest_mismatch"},
      {manifest_bit, "bad_signature"},
      {signature_bit, "bad_signature"},
      {signed_bundle(other_key, model, 3, kAgriClass), "untrusted_key"},
  };
  for (const auto &[bundle, code] : refused_by_gateway) {
    const HttpResponse refused = post_rollout(bundle, all);
    EXPECT_EQ(refused.status, 400) << code;
    EXPECT_EQ(boost::json::parse(refused.body).at("code").as_string(), code) << refused.body;
  }
  // What only a device can judge (its running version, its class) goes out, and every device
  // refuses it with the named reason.
  const std::vector<std::pair<gw::Bundle, std::string>> cases = {
      {signed_bundle(key_, model, 1, kAgriClass), "version_not_newer"},
      {signed_bundle(key_, model, 3, 2), "wrong_device_class"},
  };
  for (const auto &[bundle, reason] : cases) {
    const int64_t id = start_rollout(bundle, all);
    auto view = wait_for_state(id, "done");
    EXPECT_EQ(count(view, "devices", "failed"), kDevices) << reason;
    EXPECT_EQ(count(view, "failures", reason.c_str()), kDevices) << reason;
    EXPECT_EQ(view.at("failures").as_object().size(), 1u) << reason;
  }
  // Every device still runs version 2, and says so in its Health.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int reporting_v2 = 0;
  while (std::chrono::steady_clock::now() < deadline && reporting_v2 != kDevices) {
    auto devices =
        boost::json::parse(http_get(gateway_->http_port(), "/api/v1/devices?site=farm-north").body);
    reporting_v2 = 0;
    for (const auto &device : devices.at("devices").as_array()) {
      reporting_v2 += device.at("model_version").to_number<int64_t>() == 2 ? 1 : 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(reporting_v2, kDevices);
  for (const auto &[device, report] : stop_sim(*sim)) {
    EXPECT_EQ(report.at("ota").at("model_version").as_int64(), 2) << device;
  }
}

// The API's refusals, with a hand-made device that never answers (no fleet needed).
TEST_F(RolloutTest, ApiRefusesBadRequestsWithNamedErrors) {
  auto device = connect_device("farm-x-001", "farm-x");
  device->publish("sotto/v1/farm-x/farm-x-001/health", encode(health_of("farm-x-001", 7)));
  wait_for_devices(1);
  const gw::Bundle bundle = signed_bundle(key_, test_model(1024, 5), 2, kAgriClass);
  const int port = gateway_->http_port();
  auto error_of = [](const HttpResponse &result) {
    return std::string(boost::json::parse(result.body).at("error").as_string());
  };
  HttpResponse result = http_post(port, "/api/v1/rollouts?site=farm-x", "");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(error_of(result), "body: expected the bundle file's bytes, got nothing");
  result = http_post(port, "/api/v1/rollouts?site=farm-x", "not a bundle");
  EXPECT_EQ(result.status, 400);
  result = post_rollout(bundle, "site=nowhere");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(error_of(result), "site 'nowhere' has no known devices");
  result = post_rollout(bundle, "devices=farm-x-001,ghost-1");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(error_of(result), "unknown device 'ghost-1'");
  result = post_rollout(bundle, "site=farm-x&waves=50,25");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(error_of(result), "waves: --waves: 25 does not exceed 50");
  result = post_rollout(bundle, "site=farm-x&max_failure_pct=150");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(http_get(port, "/api/v1/rollouts/99").status, 404);

  const int64_t id = start_rollout(bundle, "site=farm-x");
  const std::string base = "/api/v1/rollouts/" + std::to_string(id);
  result = post_rollout(bundle, "devices=farm-x-001");
  EXPECT_EQ(result.status, 409);
  EXPECT_EQ(error_of(result), "1 target devices (first 'farm-x-001') are in an unfinished rollout");
  EXPECT_EQ(http_post(port, base + "/resume", "").status, 409);
  EXPECT_EQ(http_post(port, base + "/pause", "").status, 200);
  result = http_post(port, base + "/pause", "");
  EXPECT_EQ(result.status, 409);
  EXPECT_EQ(error_of(result), "rollout 1 is paused, only a running rollout can be paused");
  EXPECT_EQ(http_post(port, base + "/resume", "").status, 200);
  EXPECT_EQ(http_post(port, base + "/abort", "").status, 200);
  EXPECT_EQ(rollout(id).at("state").as_string(), "aborted");
  EXPECT_EQ(http_post(port, base + "/abort", "").status, 409);
  EXPECT_EQ(http_post(port, base + "/reboot", "").status, 404);
  EXPECT_EQ(http_get(port, base + "/pause").status, 405);
  auto list = boost::json::parse(http_get(port, "/api/v1/rollouts").body);
  EXPECT_EQ(list.at("rollouts").as_array().size(), 1u);
}

}  // namespace
}  // namespace sotto::test
