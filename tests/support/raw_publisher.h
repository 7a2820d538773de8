// Publishes arbitrary bytes to arbitrary topics (QoS 1, waits for PUBACK): how tests play a
// misbehaving or hostile device.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sotto::test {

class RawPublisher {
 public:
  RawPublisher(const std::string &broker_url, const std::string &client_id);
  ~RawPublisher();
  RawPublisher(const RawPublisher &) = delete;
  RawPublisher &operator=(const RawPublisher &) = delete;

  // Throws std::runtime_error when the broker does not acknowledge.
  void publish(const std::string &topic, const std::vector<uint8_t> &payload);

  struct Deliveries;  // PUBACKs seen by Paho's thread

 private:
  void *client_ = nullptr;
  std::unique_ptr<Deliveries> deliveries_;
};

}  // namespace sotto::test
