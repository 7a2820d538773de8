// An MQTT 5 client that plays a misbehaving or hostile device (or a bare subscriber): any bytes
// to any topic at QoS 1, subscriptions to any filter, optionally over TLS with any certificate.
// MQTT 5 so the broker's verdict on each publish is visible (PUBACK reason code 0x87 when the
// ACL refuses it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mqtt {
class async_client;
}

namespace sotto::test {

// For ssl:// brokers: the CA to check the broker against, and the client's certificate and key
// (empty: none shown).
struct TlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

// The broker would not have us: what() names Paho's code, and tls_error() OpenSSL's first
// error during the handshake ("" when TLS was not the reason).
class ConnectRefused : public std::runtime_error {
 public:
  ConnectRefused(const std::string &what, std::string tls_error)
      : std::runtime_error(what), tls_error_(std::move(tls_error)) {}
  const std::string &tls_error() const { return tls_error_; }

 private:
  std::string tls_error_;
};

constexpr int kReasonNotAuthorized = 0x87;

struct MqttMessage {
  std::string topic;
  std::vector<uint8_t> payload;
};

class RawClient {
 public:
  // Connects (clean start), sending `username` if given (sottod's name on its own listener, where
  // no certificate maps to one); throws ConnectRefused.
  RawClient(const std::string &broker_url, const std::string &client_id, const TlsFiles &tls = {},
            const std::string &username = "");
  ~RawClient();
  RawClient(const RawClient &) = delete;
  RawClient &operator=(const RawClient &) = delete;

  // Throws std::runtime_error unless the broker acknowledged with success.
  void publish(const std::string &topic, const std::vector<uint8_t> &payload);
  // The PUBACK's reason code: 0x00 or 0x10 (no subscribers) accepted, 0x87 not authorised.
  int publish_reason(const std::string &topic, const std::vector<uint8_t> &payload);
  // Whether the broker closed the connection within `wait` (mosquitto 2.0.11 does so right after
  // the PUBACK that refuses a publish: see README, "What the broker refuses").
  bool closed_by_broker_within(std::chrono::milliseconds wait);
  // Throws unless the broker granted the subscription.
  void subscribe(const std::string &filter);
  // Every message that arrives within `wait` (topic, payload), in order.
  std::vector<std::pair<std::string, std::vector<uint8_t>>> received_within(
      std::chrono::milliseconds wait);
  // The next message to arrive, or nullopt when none came within `timeout`.
  std::optional<MqttMessage> next(std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<mqtt::async_client> client_;
};

}  // namespace sotto::test
