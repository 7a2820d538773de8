// RawSubscriber over Paho's C client in its callback mode (see the header for why).
#include "raw_subscriber.h"

#include <MQTTClient.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>

namespace sotto::test {

struct RawSubscriber::Inbox {
  std::mutex mutex;
  std::condition_variable arrived;
  std::deque<MqttMessage> messages;
  std::optional<std::string> lost;  // the cause Paho gave, once the connection is gone
};

namespace {

int on_message(void *context, char *topic, int topic_len, MQTTClient_message *message) {
  auto *inbox = static_cast<RawSubscriber::Inbox *>(context);
  MqttMessage out;
  out.topic = topic_len > 0 ? std::string(topic, static_cast<size_t>(topic_len)) : topic;
  const auto *bytes = static_cast<const uint8_t *>(message->payload);
  out.payload.assign(bytes, bytes + message->payloadlen);
  MQTTClient_freeMessage(&message);
  MQTTClient_free(topic);
  std::lock_guard<std::mutex> lock(inbox->mutex);
  inbox->messages.push_back(std::move(out));
  inbox->arrived.notify_all();
  return 1;  // taken: Paho acknowledges it
}

void on_lost(void *context, char *cause) {
  auto *inbox = static_cast<RawSubscriber::Inbox *>(context);
  std::lock_guard<std::mutex> lock(inbox->mutex);
  inbox->lost = cause != nullptr ? cause : "no cause given";
  inbox->arrived.notify_all();
}

}  // namespace

RawSubscriber::RawSubscriber(const std::string &broker_url, const std::string &client_id,
                             const std::string &filter)
    : description_(client_id + " at " + broker_url), inbox_(std::make_unique<Inbox>()) {
  MQTTClient client = nullptr;
  if (MQTTClient_create(&client, broker_url.c_str(), client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE,
                        nullptr) != MQTTCLIENT_SUCCESS) {
    throw std::runtime_error("MQTTClient_create failed for " + broker_url);
  }
  client_ = client;
  int rc = MQTTClient_setCallbacks(client, inbox_.get(), on_lost, on_message, nullptr);
  MQTTClient_connectOptions options = MQTTClient_connectOptions_initializer;
  options.cleansession = 1;
  options.keepAliveInterval = 30;
  if (rc == MQTTCLIENT_SUCCESS) rc = MQTTClient_connect(client, &options);
  if (rc == MQTTCLIENT_SUCCESS) rc = MQTTClient_subscribe(client, filter.c_str(), 1);
  if (rc != MQTTCLIENT_SUCCESS) {
    throw std::runtime_error("cannot subscribe to " + filter + " as " + description_ + ": rc " +
                             std::to_string(rc));
  }
}

RawSubscriber::~RawSubscriber() {
  MQTTClient client = client_;
  if (client == nullptr) return;
  MQTTClient_disconnect(client, 1000);
  MQTTClient_destroy(&client);  // no callback runs after this: the inbox may go
}

std::optional<MqttMessage> RawSubscriber::next(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(inbox_->mutex);
  inbox_->arrived.wait_for(lock, timeout,
                           [&] { return !inbox_->messages.empty() || inbox_->lost; });
  if (inbox_->messages.empty()) {
    if (inbox_->lost) {
      throw std::runtime_error(description_ + " lost its connection: " + *inbox_->lost);
    }
    return std::nullopt;
  }
  MqttMessage message = std::move(inbox_->messages.front());
  inbox_->messages.pop_front();
  return message;
}

}  // namespace sotto::test
