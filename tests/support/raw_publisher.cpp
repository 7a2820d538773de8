// RawPublisher over Paho's synchronous C client.
#include "raw_publisher.h"

#include <MQTTClient.h>

#include <stdexcept>

namespace sotto::test {

RawPublisher::RawPublisher(const std::string &broker_url, const std::string &client_id) {
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
  int rc = MQTTClient_publish(client_, topic.c_str(), static_cast<int>(payload.size()),
                              payload.data(), 1, 0, &token);
  if (rc == MQTTCLIENT_SUCCESS) rc = MQTTClient_waitForCompletion(client_, token, 10000);
  if (rc != MQTTCLIENT_SUCCESS) {
    throw std::runtime_error("publish to " + topic + " not acknowledged: rc " + std::to_string(rc));
  }
}

}  // namespace sotto::test
