// Host transport: messages that arrive on Paho's thread wait (bounded) until the device's own
// thread takes them, so the SDK's single-threaded contract holds.
#include "host_transport_state.h"

namespace sotto::host {

int on_message_arrived(void *context, char *topic, int topic_len, MQTTAsync_message *message) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  {
    std::lock_guard<std::mutex> lock(transport->mutex);
    transport->stats.incoming_received += 1;
    if (transport->incoming.size() >= transport->incoming_max) {
      transport->stats.incoming_dropped += 1;
    } else {
      IncomingMessage copy;
      copy.topic = topic_len > 0 ? std::string(topic, static_cast<size_t>(topic_len)) : topic;
      const auto *bytes = static_cast<const uint8_t *>(message->payload);
      copy.payload.assign(bytes, bytes + message->payloadlen);
      transport->incoming.push_back(std::move(copy));
    }
  }
  MQTTAsync_freeMessage(&message);
  MQTTAsync_free(topic);
  return 1;
}

namespace {

std::deque<IncomingMessage> take_all(sotto_host_transport_t *transport) {
  std::deque<IncomingMessage> batch;
  std::lock_guard<std::mutex> lock(transport->mutex);
  batch.swap(transport->incoming);
  return batch;
}

}  // namespace
}  // namespace sotto::host

extern "C" size_t sotto_host_transport_take_incoming(
    sotto_host_transport_t *transport,
    void (*handle)(void *ctx, const char *topic, const uint8_t *payload, size_t len), void *ctx) {
  if (transport == nullptr || handle == nullptr) {
    return 0;
  }
  std::deque<sotto::host::IncomingMessage> batch = sotto::host::take_all(transport);
  for (const sotto::host::IncomingMessage &message : batch) {
    handle(ctx, message.topic.c_str(), message.payload.data(), message.payload.size());
  }
  return batch.size();
}

extern "C" size_t sotto_host_transport_deliver_incoming(
    sotto_host_transport_t *transport, sotto_device_t *device,
    void (*on_result)(void *ctx, const char *topic, sotto_err_t result), void *ctx) {
  if (transport == nullptr || device == nullptr) {
    return 0;
  }
  std::deque<sotto::host::IncomingMessage> batch = sotto::host::take_all(transport);
  for (const sotto::host::IncomingMessage &message : batch) {
    sotto_err_t result = sotto_device_on_message(device, message.topic.c_str(),
                                                 message.payload.data(), message.payload.size());
    if (on_result != nullptr) {
      on_result(ctx, message.topic.c_str(), result);
    }
  }
  return batch.size();
}
