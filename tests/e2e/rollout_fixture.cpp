// The rollout fixture: HTTP POST, bundles, polling the rollout API.
#include "rollout_fixture.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "http_client.h"
#include "importer.h"
#include "model_self_test.h"
#include "model_synth.h"

namespace sotto::test {

std::vector<uint8_t> test_model(size_t bytes, uint64_t seed) {
  gw::tools::SynthSpec spec;
  spec.target_bytes = bytes;
  spec.seed = seed;
  return gw::model::import_tflite(gw::tools::synth_tflite(spec), gw::model::Target::kGeneric);
}

gw::Bundle signed_bundle(const gw::SigningKey &key, const std::vector<uint8_t> &model,
                         uint32_t version, uint8_t device_class) {
  gw::ManifestFields fields;
  fields.model_id = 7;
  fields.version = version;
  fields.device_class = device_class;
  fields.min_sdk_version = 100;
  fields.self_test_input_seed = 0x5eed0000ull + version;
  fields.self_test_output_sha256 = gw::model_self_test(model, fields.self_test_input_seed);
  return gw::make_bundle(key, fields, model);
}

void RolloutTest::SetUp() {
  FleetTest::SetUp();
  public_key_path_ = dir_ + "/fleet.pub.pem";
  std::ofstream(public_key_path_) << key_.public_pem();
  // The simulated devices are provisioned with key_: the gateway is told, as an operator would.
  const HttpResponse trusted =
      http_post(gateway_->http_port(), "/api/v1/keys", key_.public_pem(), api_token_);
  ASSERT_EQ(trusted.status, 201) << trusted.body;
}

std::vector<std::string> RolloutTest::ota_fleet(int devices, const std::string &sites,
                                                const std::vector<std::string> &extra) {
  std::vector<std::string> flags = {"--devices",       std::to_string(devices),
                                    "--sites",         sites,
                                    "--fleet-key",     public_key_path_,
                                    "--slot-bytes",    "16384",
                                    "--duration",      "600",
                                    "--seed",          "5",
                                    "--threads",       "2",
                                    "--drain-timeout", "5"};
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

void RolloutTest::wait_for_devices(int count) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    if (gateway_->metric("sotto_devices_known") >= count) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL() << "the gateway knows " << gateway_->metric("sotto_devices_known") << " of " << count
         << " devices";
}

HttpResponse RolloutTest::post_rollout(const gw::Bundle &bundle, const std::string &query) {
  const std::vector<uint8_t> bytes = gw::serialize_bundle(bundle);
  return http_post(gateway_->http_port(), "/api/v1/rollouts?" + query,
                   std::string(bytes.begin(), bytes.end()), api_token_);
}

int64_t RolloutTest::start_rollout(const gw::Bundle &bundle, const std::string &query) {
  HttpResponse result = post_rollout(bundle, query);
  EXPECT_EQ(result.status, 201) << result.body;
  if (result.status != 201) return 0;
  return boost::json::parse(result.body).as_object().at("id").as_int64();
}

boost::json::object RolloutTest::rollout(int64_t id) {
  HttpResponse response =
      http_get(gateway_->http_port(), "/api/v1/rollouts/" + std::to_string(id), api_token_);
  if (response.status != 200) return {};
  return boost::json::parse(response.body).as_object();
}

boost::json::object RolloutTest::wait_for_view(
    int64_t id, const std::function<bool(const boost::json::object &)> &reached,
    const std::string &what, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  boost::json::object view;
  while (std::chrono::steady_clock::now() < deadline) {
    view = rollout(id);
    if (reached(view)) return view;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ADD_FAILURE() << "rollout " << id << " never reached " << what << ": "
                << boost::json::serialize(view);
  return view;
}

boost::json::object RolloutTest::wait_for_state(int64_t id, const std::string &state,
                                                std::chrono::seconds timeout) {
  return wait_for_view(
      id,
      [&](const boost::json::object &view) {
        return view.contains("state") && view.at("state").as_string() == state;
      },
      state, timeout);
}

std::map<std::string, boost::json::object> RolloutTest::stop_sim(Process &sim) {
  sim.signal(SIGTERM);
  EXPECT_EQ(sim.wait(std::chrono::seconds(60)), 0) << read_file(dir_ + "/sotto-sim.log");
  std::map<std::string, boost::json::object> devices;
  auto summary = boost::json::parse(read_file(summary_path())).as_object();
  for (const auto &entry : summary.at("devices").as_array()) {
    const auto &device = entry.as_object();
    devices[std::string(device.at("device").as_string())] = device;
  }
  return devices;
}

}  // namespace sotto::test
