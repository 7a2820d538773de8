// The rollout's downlink MQTT connection: offers and chunks to devices at QoS 1, on a client of
// its own ("<client_id>-rollout", clean start, no persistence). Unlike ingest's session it needs
// no file store: a lost chunk is re-sent from the device's next status, and Paho's file
// persistence would cost a file create and unlink per chunk (profiled: most of sottod's CPU in
// a 300-device rollout).
#pragma once

#include <mqtt/async_client.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"

namespace sotto::gw {

class RolloutPublisher {
 public:
  explicit RolloutPublisher(const MqttConfig &config);
  ~RolloutPublisher();

  // Connects in the background; Paho reconnects automatically after a first connection, and
  // publish() retries (at most once a second) until there has been one.
  void start();
  void stop();
  // Queues a QoS 1 publish; false when not connected or Paho's buffer is full.
  bool publish(const std::string &topic, const std::vector<uint8_t> &payload);

 private:
  void connect();

  MqttConfig config_;
  mqtt::async_client client_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point last_attempt_{};
};

}  // namespace sotto::gw
