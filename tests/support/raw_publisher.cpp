// RawPublisher over Paho's synchronous C client, with a delivery callback so a PUBACK completes
// its publish at once (waitForCompletion polls and takes tens of milliseconds per message).
#include "raw_publisher.h"

#include <MQTTClient.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>

namespace sotto::test {

struct RawPublisher::Deliveries {
  std::mutex mutex;
  std::condition_variable done;
  std::set<int> acknowledged;
  bool lost = false;
};

namespace {

int ignore_message(void *, char *topic, int, MQTTClient_message *message) {
  MQTTClient_freeMessage(&message);
  MQTTClient_free(topic);
  return 1;
}

void on_delivered(void *context, MQTTClient_deliveryToken token) {
  auto *deliveries = static_cast<RawPublisher::Deliveries *>(context);
  std::lock_guard<std::mutex> lock(deliveries->mutex);
  deliveries->acknowledged.insert(token);
  deliveries->done.notify_all();
}

void on_lost(void *context, char *) {
  auto *deliveries = static_cast<RawPublisher::Deliveries *>(context);
  std::lock_guard<std::mutex> lock(deliveries->mutex);
  deliveries->lost = true;
  deliveries->done.notify_all();
}

}  // namespace

RawPublisher::RawPublisher(const std::string &broker_url, const std::string &client_id)
    : deliveries_(std::make_unique<Deliveries>()) {
  MQTTClient client = nullptr;
  if (MQTTClient_create(&client, broker_url.c_str(), client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE,
                        nullptr) != MQTTCLIENT_SUCCESS) {
    throw std::runtime_error("MQTTClient_create failed for " + broker_url);
  }
  client_ = client;
  MQTTClient_setCallbacks(client, deliveries_.get(), on_lost, ignore_message, on_delivered);
  MQTTClient_connectOptions options = MQTTClient_connectOptions_initializer;
  options.cleansession = 1;
  options.keepAliveInterval = 30;
  int rc = MQTTClient_connect(client, &options);
  if (rc != MQTTCLIENT_SUCCESS) {
    throw std::runtime_error("cannot connect to " + broker_url + ": rc " + std::to_string(rc));
  }
}

RawPublisher::~RawPublisher() {
  MQTTClient client = client_;
  if (client == nullptr) return;
  MQTTClient_disconnect(client, 1000);
  MQTTClient_destroy(&client);
}

void RawPublisher::publish(const std::string &topic, const std::vector<uint8_t> &payload) {
  MQTTClient_deliveryToken token = 0;
  const int rc = MQTTClient_publish(client_, topic.c_str(), static_cast<int>(payload.size()),
                                    payload.data(), 1, 0, &token);
  if (rc != MQTTCLIENT_SUCCESS) {
    throw std::runtime_error("publish to " + topic + " failed: rc " + std::to_string(rc));
  }
  std::unique_lock<std::mutex> lock(deliveries_->mutex);
  const bool acknowledged = deliveries_->done.wait_for(lock, std::chrono::seconds(10), [&] {
    return deliveries_->lost || deliveries_->acknowledged.count(token) > 0;
  }) && deliveries_->acknowledged.erase(token) > 0;
  if (!acknowledged) throw std::runtime_error("publish to " + topic + " not acknowledged");
}

}  // namespace sotto::test
