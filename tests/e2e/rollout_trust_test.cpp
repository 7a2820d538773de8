// What the gateway refuses to send and how the fleet's signing keys change, end to end:
// sotto-sim devices running the SDK's real updater and key list, mosquitto, sottod, sottoctl.
// The broker's side is watched with a subscriber of its own; every count is exact.
#include <gtest/gtest.h>
#include <pb_decode.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <set>

#include "device_transfer.h"
#include "http_client.h"
#include "key_rotation.h"
#include "raw_client.h"
#include "rollout_fixture.h"
#include "rollout_signatures.h"
#include "sotto/v1/key_rotation.pb.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 8192;
constexpr int kAgriClass = 1;
constexpr auto kWait = std::chrono::seconds(60);

std::string body_code(const HttpResponse &response) {
  return std::string(boost::json::parse(response.body).at("code").as_string());
}

std::string body_error(const HttpResponse &response) {
  return std::string(boost::json::parse(response.body).at("error").as_string());
}

// The rollout id in a downlink message (OtaOffer, OtaChunk or KeyRotationOffer: field 1 of each).
uint32_t downlink_rollout_id(const MqttMessage &message) {
  uint32_t id = 0;
  pb_istream_t stream = pb_istream_from_buffer(message.payload.data(), message.payload.size());
  if (message.topic.size() > 9 &&
      message.topic.compare(message.topic.size() - 9, 9, "/ota/keys") == 0) {
    sotto_v1_KeyRotationOffer offer = sotto_v1_KeyRotationOffer_init_zero;
    if (pb_decode(&stream, sotto_v1_KeyRotationOffer_fields, &offer)) id = offer.rollout_id;
  } else if (message.topic.find("/ota/chunk") != std::string::npos) {
    sotto_v1_OtaChunk chunk = sotto_v1_OtaChunk_init_zero;
    if (pb_decode(&stream, sotto_v1_OtaChunk_fields, &chunk)) id = chunk.rollout_id;
  } else {
    sotto_v1_OtaOffer offer = sotto_v1_OtaOffer_init_zero;
    if (pb_decode(&stream, sotto_v1_OtaOffer_fields, &offer)) id = offer.rollout_id;
  }
  return id;
}

bool is_status(const MqttMessage &message) {
  return message.topic.size() > 11 &&
         message.topic.compare(message.topic.size() - 11, 11, "/ota/status") == 0;
}

// The device id in sotto/v1/<site>/<device>/...
std::string device_of(const std::string &topic) {
  const size_t site_end = topic.find('/', 9);
  return topic.substr(site_end + 1, topic.find('/', site_end + 1) - site_end - 1);
}

class RolloutTrust : public RolloutTest {
 protected:
  // These tests watch every downlink the gateway sends, which the fleet ACL grants no identity,
  // and replay them as an attacker: a plain broker. What is under test is the devices' and the
  // gateway's checks of signatures and keys; the ACL and TLS have their own e2e test
  // (broker_security_test.cpp).
  BrokerLink broker_link() const override { return BrokerLink::kPlain; }
  // The next OtaStatus from the watched devices about rollout_id in state `state` (others are
  // skipped), one per device until every device in `devices` answered.
  std::map<std::string, sotto_v1_OtaStatus> statuses(RawClient &watch, uint32_t rollout_id,
                                                     sotto_v1_OtaState state, size_t devices) {
    std::map<std::string, sotto_v1_OtaStatus> by_device;
    while (by_device.size() < devices) {
      const std::optional<MqttMessage> message = watch.next(kWait);
      if (!message) break;
      if (!is_status(*message)) continue;
      sotto_v1_OtaStatus status = sotto_v1_OtaStatus_init_zero;
      pb_istream_t stream =
          pb_istream_from_buffer(message->payload.data(), message->payload.size());
      if (!pb_decode(&stream, sotto_v1_OtaStatus_fields, &status)) continue;
      if (status.rollout_id == rollout_id && status.state == state) {
        by_device[device_of(message->topic)] = status;
      }
    }
    EXPECT_EQ(by_device.size(), devices);
    return by_device;
  }

  std::string write_private_key(const gw::SigningKey &key, const std::string &name) {
    const std::string path = dir_ + "/" + name + ".pem";
    std::ofstream(path) << key.private_pem();
    ::chmod(path.c_str(), 0600);
    return path;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(gateway_->http_port()); }

  // `sottoctl keys rotate` (the operator's way); returns the new rollout's id.
  int64_t rotate(const gw::SigningKey &new_key, const gw::SigningKey &signer,
                 const std::string &retire, const std::string &site) {
    std::vector<std::string> args = {"--gateway",
                                     url(),
                                     "--json",
                                     "keys",
                                     "rotate",
                                     "--new-key",
                                     write_private_key(new_key, "new"),
                                     "--signing-key",
                                     write_private_key(signer, "signer"),
                                     "--site",
                                     site,
                                     "--waves",
                                     "50,100"};
    if (!retire.empty()) args.insert(args.end(), {"--retire", retire});
    const CtlResult result = run_sottoctl(dir_, args);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    if (result.exit_code != 0) return 0;
    return boost::json::parse(result.output).at("id").as_int64();
  }
};

TEST_F(RolloutTrust, BundlesDevicesWouldRefuseNeverLeaveTheGateway) {
  auto sim = start_sim(ota_fleet(10, "farm-north:agri"));
  wait_for_devices(10);
  RawClient watch(broker_->url(), "watch-downlinks");
  watch.subscribe("sotto/v1/farm-north/+/ota/+");
  const std::vector<uint8_t> model = test_model(kModelBytes, 11);

  // The model changed after signing: today's corruption in transit or on disk.
  std::vector<uint8_t> corrupted = gw::serialize_bundle(signed_bundle(key_, model, 2, kAgriClass));
  corrupted.back() ^= 0x01;
  const HttpResponse digest = http_post(gateway_->http_port(), "/api/v1/rollouts?site=farm-north",
                                        std::string(corrupted.begin(), corrupted.end()));
  EXPECT_EQ(digest.status, 400);
  EXPECT_EQ(body_code(digest), "digest_mismatch");
  EXPECT_NE(body_error(digest).find("the model changed after signing"), std::string::npos)
      << digest.body;

  // Signed by a key the fleet was never given.
  const gw::SigningKey stranger = gw::SigningKey::generate();
  const HttpResponse untrusted =
      post_rollout(signed_bundle(stranger, model, 2, kAgriClass), "site=farm-north");
  EXPECT_EQ(untrusted.status, 400);
  EXPECT_EQ(body_code(untrusted), "untrusted_key");
  EXPECT_EQ(body_error(untrusted),
            "the bundle is signed by key " + gw::key_id_text(stranger.key_id()) +
                ", which the gateway does not know the fleet to trust (sottoctl keys list; the "
                "key devices were provisioned with is registered with sottoctl keys trust "
                "PUB.pem)");

  // A signature that does not verify: its last byte is the envelope's last.
  const gw::Bundle good = signed_bundle(key_, model, 2, kAgriClass);
  std::vector<uint8_t> forged = gw::serialize_bundle(good);
  forged[12 + good.envelope.size() - 1] ^= 0x01;
  const HttpResponse signature =
      http_post(gateway_->http_port(), "/api/v1/rollouts?site=farm-north",
                std::string(forged.begin(), forged.end()));
  EXPECT_EQ(signature.status, 400);
  EXPECT_EQ(body_code(signature), "bad_signature");

  // Nothing was published for any of them.
  EXPECT_EQ(gateway_->metric("sotto_rollout_messages_published_total"), 0);
  for (const char *code : {"digest_mismatch", "untrusted_key", "bad_signature"}) {
    EXPECT_EQ(gateway_->metric(std::string("sotto_rollout_refused_total{code=\"") + code + "\"}"),
              1)
        << code;
  }
  // And on the broker's side: a good rollout to one device follows, and everything that reached
  // the broker's downlinks since the watch began is that rollout's, the first this gateway made.
  const int64_t id = start_rollout(good, "devices=farm-north-001");
  EXPECT_EQ(id, 1);
  const auto view = wait_for_state(id, "done");
  const auto &transfer = view.at("transfer").as_object();
  const int64_t sent = transfer.at("offers").as_int64() + transfer.at("resent_offers").as_int64() +
                       transfer.at("chunks").as_int64();
  EXPECT_EQ(gateway_->metric("sotto_rollout_messages_published_total"), sent);
  int64_t downlinks = 0;
  while (downlinks < sent) {
    const std::optional<MqttMessage> message = watch.next(kWait);
    ASSERT_TRUE(message) << "only " << downlinks << " of " << sent << " downlinks arrived";
    if (is_status(*message)) continue;
    EXPECT_EQ(downlink_rollout_id(*message), 1u) << message->topic;
    EXPECT_EQ(device_of(message->topic), "farm-north-001");
    downlinks += 1;
  }
  stop_sim(*sim);
}

// Keys A (provisioned, key_), B and C: rotation 1 adds B (signed by A), rotation 2 adds C and
// retires A (signed by B, which only works when rotation 1 took). Then a bundle signed with C
// is accepted by every device, one signed with A is refused by the gateway and, published to
// the devices directly, by every device with key_revoked; rotation 1 replayed is refused too.
TEST_F(RolloutTrust, KeyRotationEndToEnd) {
  constexpr int kDevices = 10;
  auto sim = start_sim(ota_fleet(kDevices, "orchard:agri"));
  wait_for_devices(kDevices);
  RawClient watch(broker_->url(), "watch-orchard");
  watch.subscribe("sotto/v1/orchard/+/ota/+");
  const gw::SigningKey &a = key_;
  const gw::SigningKey b = gw::SigningKey::generate();
  const gw::SigningKey c = gw::SigningKey::generate();

  // The new key's public half alone is not enough: devices want its holder's signature.
  const std::string public_only = dir_ + "/b.pub.pem";
  std::ofstream(public_only) << b.public_pem();
  const CtlResult no_private =
      run_sottoctl(dir_, {"--gateway", url(), "keys", "rotate", "--new-key", public_only,
                          "--signing-key", write_private_key(a, "signer"), "--site", "orchard"});
  EXPECT_EQ(no_private.exit_code, 1);
  EXPECT_NE(no_private.output.find("--new-key " + public_only +
                                   " (the key to add): signing key: "
                                   "not a PEM private key"),
            std::string::npos)
      << no_private.output;
  EXPECT_NE(no_private.output.find("give its private key"), std::string::npos);

  const int64_t first = rotate(b, a, "", "orchard");
  auto view = wait_for_state(first, "done");
  EXPECT_EQ(view.at("kind").as_string(), "keys");
  EXPECT_EQ(view.at("key_list_version").as_int64(), 1);
  EXPECT_EQ(view.at("devices").at("activated").as_int64(), kDevices);
  // Exactly one key-rotation message per device, none resent: that is all the rollout sent.
  EXPECT_EQ(view.at("transfer").at("offers").as_int64(), kDevices);
  EXPECT_EQ(view.at("transfer").at("chunks").as_int64(), 0);
  // What the broker carried to orchard-001 for rotation 1, for the replay below.
  std::optional<MqttMessage> rotation_1;
  while (!rotation_1) {
    std::optional<MqttMessage> message = watch.next(kWait);
    ASSERT_TRUE(message) << "rotation 1 never reached orchard-001";
    if (message->topic == "sotto/v1/orchard/orchard-001/ota/keys") rotation_1 = message;
  }
  EXPECT_EQ(downlink_rollout_id(*rotation_1), static_cast<uint32_t>(first));

  const int64_t second = rotate(c, b, gw::key_id_text(a.key_id()), "orchard");
  view = wait_for_state(second, "done");
  EXPECT_EQ(view.at("key_list_version").as_int64(), 2);
  EXPECT_EQ(view.at("retires_key_id").as_string(), gw::key_id_text(a.key_id()));
  EXPECT_EQ(view.at("devices").at("activated").as_int64(), kDevices);

  // The gateway's view of who trusts what.
  const auto keys = boost::json::parse(http_get(gateway_->http_port(), "/api/v1/keys").body);
  std::map<std::string, int64_t> trusting;
  for (const auto &key : keys.at("keys").as_array()) {
    trusting[std::string(key.at("key_id").as_string())] = key.at("devices_trusting").as_int64();
  }
  EXPECT_EQ(trusting, (std::map<std::string, int64_t>{{gw::key_id_text(a.key_id()), 0},
                                                      {gw::key_id_text(b.key_id()), kDevices},
                                                      {gw::key_id_text(c.key_id()), kDevices}}));
  EXPECT_EQ(keys.at("next_key_list_version").as_int64(), 3);

  // Signed with the new key: accepted by every device.
  const std::vector<uint8_t> model = test_model(kModelBytes, 21);
  const int64_t accepted = start_rollout(signed_bundle(c, model, 2, kAgriClass), "site=orchard");
  view = wait_for_state(accepted, "done");
  EXPECT_EQ(view.at("devices").at("activated").as_int64(), kDevices);

  // Signed with the retired key: the gateway refuses to send it ...
  const gw::Bundle old_signer = signed_bundle(a, model, 3, kAgriClass);
  const HttpResponse refused = post_rollout(old_signer, "site=orchard");
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(body_code(refused), "untrusted_key");
  EXPECT_EQ(body_error(refused),
            "10 of 10 target devices (first 'orchard-001') do not trust key " +
                gw::key_id_text(a.key_id()) +
                ", the signer of the bundle: it was never added there, or a key rotation they "
                "took retired it");
  // ... and every device refuses it by name when it comes anyway (an attacker's replay).
  constexpr uint32_t kForgedRollout = 900;
  RawClient attacker(broker_->url(), "replayer");
  gw::DeviceTransfer forged(old_signer, kForgedRollout, 1024, 16);
  const std::vector<uint8_t> offer = forged.offer_message();
  for (int i = 1; i <= kDevices; ++i) {
    char device[32];
    std::snprintf(device, sizeof device, "orchard-%03d", i);
    attacker.publish(std::string("sotto/v1/orchard/") + device + "/ota/offer", offer);
  }
  for (const auto &[device, status] :
       statuses(watch, kForgedRollout, sotto_v1_OtaState_OTA_STATE_FAILED, kDevices)) {
    EXPECT_EQ(status.failure, sotto_v1_OtaFailure_OTA_FAILURE_KEY_REVOKED) << device;
    EXPECT_EQ(status.model_version, 2u) << device;  // still the model signed with C
  }

  // Rotation 1 replayed to every device: refused (its signer is retired), the list unchanged.
  for (int i = 1; i <= kDevices; ++i) {
    char device[32];
    std::snprintf(device, sizeof device, "orchard-%03d", i);
    attacker.publish(std::string("sotto/v1/orchard/") + device + "/ota/keys", rotation_1->payload);
  }
  for (const auto &[device, status] : statuses(watch, static_cast<uint32_t>(first),
                                               sotto_v1_OtaState_OTA_STATE_FAILED, kDevices)) {
    EXPECT_EQ(status.failure, sotto_v1_OtaFailure_OTA_FAILURE_KEY_REVOKED) << device;
    EXPECT_EQ(status.key_list_version, 2u) << device;
  }

  // An old key-list number signed by a trusted key: the gateway refuses it as not newer, and so
  // does every device when it comes anyway.
  const gw::SigningKey d = gw::SigningKey::generate();
  gw::KeyRotationRequest stale;
  stale.key_list_version = 1;
  const std::vector<uint8_t> stale_rotation = gw::sign_key_rotation(c, d, stale);
  const HttpResponse not_newer =
      http_post(gateway_->http_port(), "/api/v1/keys/rotations?site=orchard",
                std::string(stale_rotation.begin(), stale_rotation.end()));
  EXPECT_EQ(not_newer.status, 409);
  EXPECT_EQ(body_code(not_newer), "version_not_newer");
  constexpr uint32_t kStaleRollout = 901;
  const std::vector<uint8_t> stale_offer = gw::key_rotation_offer(kStaleRollout, stale_rotation);
  for (int i = 1; i <= kDevices; ++i) {
    char device[32];
    std::snprintf(device, sizeof device, "orchard-%03d", i);
    attacker.publish(std::string("sotto/v1/orchard/") + device + "/ota/keys", stale_offer);
  }
  for (const auto &[device, status] :
       statuses(watch, kStaleRollout, sotto_v1_OtaState_OTA_STATE_FAILED, kDevices)) {
    EXPECT_EQ(status.failure, sotto_v1_OtaFailure_OTA_FAILURE_VERSION_NOT_NEWER) << device;
    EXPECT_EQ(status.key_list_version, 2u) << device;
  }
  stop_sim(*sim);
}

}  // namespace
}  // namespace sotto::test
