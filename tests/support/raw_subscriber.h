// Subscribes to a topic filter (QoS 1) and hands over what arrives, in order: how tests watch the
// broker's side of the fleet (what the gateway sent to devices, what devices answered).
#pragma once

#include <chrono>
#include <cstdint>
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

  // The next message, or nullopt when none came within timeout.
  std::optional<MqttMessage> next(std::chrono::milliseconds timeout);

 private:
  void *client_ = nullptr;
};

}  // namespace sotto::test
