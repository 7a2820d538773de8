// Subscribes to a topic filter (QoS 1) and hands over what arrives, in order: how tests watch the
// broker's side of the fleet (what the gateway sent to devices, what devices answered).
// Messages come through Paho's message callback, not MQTTClient_receive: once any client in the
// process has callbacks (RawPublisher has), Paho runs one thread for every client and its
// MQTTClient_receive fails at once, so a polling subscriber would see nothing after that.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sotto::test {

struct MqttMessage {
  std::string topic;
  std::vector<uint8_t> payload;
};

class RawSubscriber {
 public:
  // Returns once the broker acknowledged the subscription; throws std::runtime_error otherwise.
  RawSubscriber(const std::string &broker_url, const std::string &client_id,
                const std::string &filter);
  ~RawSubscriber();
  RawSubscriber(const RawSubscriber &) = delete;
  RawSubscriber &operator=(const RawSubscriber &) = delete;

  // The next message, or nullopt when none came within timeout; throws std::runtime_error when
  // the connection was lost and nothing that arrived before is left.
  std::optional<MqttMessage> next(std::chrono::milliseconds timeout);

  struct Inbox;  // filled by Paho's thread

 private:
  void *client_ = nullptr;
  std::string description_;  // client id and broker, for errors
  std::unique_ptr<Inbox> inbox_;
};

}  // namespace sotto::test
