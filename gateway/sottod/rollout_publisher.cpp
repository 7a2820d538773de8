// sottod's downlink client for rollouts (see the header for why it is separate).
#include "rollout_publisher.h"

#include <chrono>

#include "log.h"
#include "mqtt_credentials.h"

namespace sotto::gw {
namespace {

// A wave's windows of chunks are queued at once: Paho's default of 100 unsent messages would
// refuse most of them.
constexpr int kMaxBufferedPublishes = 65536;

}  // namespace

RolloutPublisher::RolloutPublisher(const MqttConfig &config)
    : config_(config),
      client_(config.broker, config.client_id + "-rollout",
              mqtt::create_options(MQTTVERSION_5, kMaxBufferedPublishes), nullptr) {
  client_.set_connected_handler([this](const std::string &) {
    log_line(LogLevel::kInfo, "rollout downlink connected as " + config_.client_id + "-rollout");
  });
}

RolloutPublisher::~RolloutPublisher() {
  stop();
}

void RolloutPublisher::start() {
  connect();
}

void RolloutPublisher::connect() {
  last_attempt_ = std::chrono::steady_clock::now();
  auto options = mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_5)
                     .clean_start(true)
                     .keep_alive_interval(std::chrono::seconds(config_.keepalive_s))
                     .automatic_reconnect(std::chrono::seconds(1), std::chrono::seconds(30))
                     .finalize();
  apply_mqtt_credentials(config_, options);  // the same identity as the uplink session
  try {
    client_.connect(options);
  } catch (const mqtt::exception &error) {
    log_line(LogLevel::kError, std::string("rollout downlink connect: ") + error.what());
  }
}

void RolloutPublisher::stop() {
  if (stopping_) return;
  stopping_ = true;
  try {
    if (client_.is_connected()) client_.disconnect()->wait_for(std::chrono::seconds(5));
  } catch (const mqtt::exception &error) {
    log_line(LogLevel::kWarning, std::string("rollout downlink disconnect: ") + error.what());
  }
}

bool RolloutPublisher::publish(const std::string &topic, const std::vector<uint8_t> &payload) {
  if (!client_.is_connected()) {
    if (!stopping_ && std::chrono::steady_clock::now() - last_attempt_ > std::chrono::seconds(1)) {
      connect();
    }
    return false;
  }
  try {
    client_.publish(topic, payload.data(), payload.size(), 1, false);
    return true;
  } catch (const mqtt::exception &) {
    return false;  // the engine re-offers when the device next reports
  }
}

}  // namespace sotto::gw
