// RawSubscriber over Paho's synchronous C client (MQTTClient_receive).
#include "raw_subscriber.h"

#include <MQTTClient.h>

#include <stdexcept>

namespace sotto::test {

RawSubscriber::RawSubscriber(const std::string &broker_url, const std::string &client_id,
                             const std::string &filter) {
  MQTTClient client = nullptr;
  if (MQTTClient_create(&client, broker_url.c_str(), client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE,
                        nullptr) != MQTTCLIENT_SUCCESS) {
    throw std::runtime_error("MQTTClient_create failed for " + broker_url);
  }
  client_ = client;
  MQTTClient_connectOptions options = MQTTClient_connectOptions_initializer;
  options.cleansession = 1;
  options.keepAliveInterval = 30;
  int rc = MQTTClient_connect(client, &options);
  if (rc == MQTTCLIENT_SUCCESS) rc = MQTTClient_subscribe(client, filter.c_str(), 1);
  if (rc != MQTTCLIENT_SUCCESS) {
    throw std::runtime_error("cannot subscribe to " + filter + " at " + broker_url + ": rc " +
                             std::to_string(rc));
  }
}

RawSubscriber::~RawSubscriber() {
  MQTTClient client = client_;
  if (client == nullptr) return;
  MQTTClient_disconnect(client, 1000);
  MQTTClient_destroy(&client);
}

std::optional<MqttMessage> RawSubscriber::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    char *topic = nullptr;
    int topic_len = 0;
    MQTTClient_message *message = nullptr;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const int rc =
        MQTTClient_receive(client_, &topic, &topic_len, &message,
                           static_cast<unsigned long>(std::max<int64_t>(left.count(), 0)));
    if (rc == MQTTCLIENT_SUCCESS && message != nullptr) {
      MqttMessage out;
      out.topic = topic_len > 0 ? std::string(topic, static_cast<size_t>(topic_len)) : topic;
      const auto *bytes = static_cast<const uint8_t *>(message->payload);
      out.payload.assign(bytes, bytes + message->payloadlen);
      MQTTClient_freeMessage(&message);
      MQTTClient_free(topic);
      return out;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
  }
}

}  // namespace sotto::test
