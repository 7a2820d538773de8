// End-to-end rollout fixture: the spine's broker + sottod (FleetTest), a fleet signing key the
// gateway is told devices trust, real test models and bundles (signed here with the gateway's
// own signer, so tests can tamper with them), and the rollout API.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bundle.h"
#include "fleet_fixture.h"
#include "http_client.h"
#include "signing_key.h"

namespace sotto::test {

// A real .smdl of about `bytes` bytes: a synthetic FULLY_CONNECTED stack seeded by `seed`
// (gateway/tools/model_synth.h), compiled by the gateway's importer.
std::vector<uint8_t> test_model(size_t bytes, uint64_t seed);
// A signed bundle whose self-test digest is the one devices compute: the SDK's engine
// self-test run on the host (gw::model_self_test).
gw::Bundle signed_bundle(const gw::SigningKey &key, const std::vector<uint8_t> &model,
                         uint32_t version, uint8_t device_class);

class RolloutTest : public FleetTest {
 protected:
  void SetUp() override;

  // Flags for a sotto-sim fleet with the updater on (fleet key, small slots) plus `extra`.
  std::vector<std::string> ota_fleet(int devices, const std::string &sites,
                                     const std::vector<std::string> &extra = {});
  // Waits until the gateway's registry holds `count` devices (every one has sent Health).
  void wait_for_devices(int count);
  // POST /api/v1/rollouts?QUERY with the bundle; returns the HTTP status and body.
  HttpResponse post_rollout(const gw::Bundle &bundle, const std::string &query);
  int64_t start_rollout(const gw::Bundle &bundle, const std::string &query);  // expects 201
  boost::json::object rollout(int64_t id);
  // Polls the rollout until `reached` holds for its view (or the deadline passes, a failure
  // naming `what`); returns the last view.
  boost::json::object wait_for_view(int64_t id,
                                    const std::function<bool(const boost::json::object &)> &reached,
                                    const std::string &what,
                                    std::chrono::seconds timeout = std::chrono::seconds(120));
  // wait_for_view until the rollout's state is `state`.
  boost::json::object wait_for_state(int64_t id, const std::string &state,
                                     std::chrono::seconds timeout = std::chrono::seconds(120));
  // Stops a background sotto-sim (SIGTERM) and returns its summary's devices, by id.
  std::map<std::string, boost::json::object> stop_sim(Process &sim);

  gw::SigningKey key_ = gw::SigningKey::generate();
  std::string public_key_path_;
  // Sent as the bearer token by every request above ("" while the gateway needs none).
  std::string api_token_;
};

}  // namespace sotto::test
