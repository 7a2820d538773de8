// Host transport: QoS 1 publishes as tickets (begun at once, acknowledged later, so a device can
// keep several in flight), the blocking publish built on them, and subscriptions.
#include <string>

#include "host_transport_state.h"

namespace sotto::host {
namespace {

void record_completion(sotto_host_transport_t *transport, MQTTAsync_token token, bool ok) {
  std::lock_guard<std::mutex> lock(transport->mutex);
  if (transport->abandoned.erase(token) == 0) {
    transport->completions[token] = ok;
  }
  transport->changed.notify_all();
}

void on_subscribe_success(void *context, MQTTAsync_successData *response) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  // A SUBACK carrying 0x80 means the broker refused the subscription.
  if (response != nullptr) {
    record_completion(transport, response->token, response->alt.qos != 0x80);
  }
}

void on_subscribe_failure(void *context, MQTTAsync_failureData *response) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  if (response != nullptr) {
    record_completion(transport, response->token, false);
  }
}

void finish_publish(void *context, bool acknowledged) {
  auto *publish_context = static_cast<PublishContext *>(context);
  sotto_host_transport_t *transport = publish_context->transport;
  std::lock_guard<std::mutex> lock(transport->mutex);
  auto found = transport->tickets.find(publish_context->ticket);
  if (found != transport->tickets.end()) {
    found->second.done = true;
    found->second.acknowledged = acknowledged;
  }
  transport->publish_contexts.erase(publish_context);
  delete publish_context;
  transport->changed.notify_all();
}

void on_publish_success(void *context, MQTTAsync_successData * /*response*/) {
  finish_publish(context, true);
}

void on_publish_failure(void *context, MQTTAsync_failureData * /*response*/) {
  finish_publish(context, false);
}

// The ticket's final answer (and it is forgotten), or PENDING. Caller holds the lock.
sotto_err_t resolve(sotto_host_transport_t *transport, uint32_t ticket) {
  auto found = transport->tickets.find(ticket);
  if (found == transport->tickets.end() || found->second.epoch != transport->connection_epoch) {
    if (found != transport->tickets.end()) {
      transport->tickets.erase(found);
    }
    transport->last_error =
        "connection to " + transport->broker_url + " lost before acknowledgement";
    transport->stats.publish_failed += 1;
    return SOTTO_ERR_TRANSPORT;
  }
  const Ticket &state = found->second;
  if (state.done) {
    const bool ok = state.acknowledged;
    transport->tickets.erase(found);
    (ok ? transport->stats.publish_acked : transport->stats.publish_failed) += 1;
    if (!ok) {
      transport->last_error = "publish to " + transport->broker_url + " refused";
    }
    return ok ? SOTTO_OK : SOTTO_ERR_TRANSPORT;
  }
  if (Clock::now() - state.started >= std::chrono::milliseconds(transport->publish_timeout_ms)) {
    transport->tickets.erase(found);  // its context stays until Paho gives it back
    transport->last_error =
        "no acknowledgement within " + std::to_string(transport->publish_timeout_ms) + " ms";
    transport->stats.publish_failed += 1;
    return SOTTO_ERR_TRANSPORT;
  }
  return SOTTO_ERR_PENDING;
}

// Waits for a subscribe request's acknowledgement. Caller holds no lock.
bool await_token(sotto_host_transport_t *transport, MQTTAsync_token token, uint64_t epoch) {
  std::unique_lock<std::mutex> lock(transport->mutex);
  auto deadline = Clock::now() + std::chrono::milliseconds(transport->publish_timeout_ms);
  bool finished = transport->changed.wait_until(lock, deadline, [&] {
    return transport->completions.count(token) != 0 || transport->connection_epoch != epoch;
  });
  auto found = transport->completions.find(token);
  if (found != transport->completions.end()) {
    bool ok = found->second;
    transport->completions.erase(found);
    return ok;
  }
  if (transport->connection_epoch == epoch) {
    transport->abandoned.insert(token);
  }
  transport->last_error = finished ? "connection lost before acknowledgement"
                                   : "no acknowledgement within " +
                                         std::to_string(transport->publish_timeout_ms) + " ms";
  return false;
}

// The current connection's epoch, or false when there is none (last_error says so).
bool connected_epoch(sotto_host_transport_t *transport, uint64_t *epoch) {
  std::lock_guard<std::mutex> lock(transport->mutex);
  *epoch = transport->connection_epoch;
  if (transport->state != LinkState::kConnected) {
    transport->last_error = "not connected to " + transport->broker_url;
    return false;
  }
  return true;
}

}  // namespace

sotto_err_t publish_begin(void *ctx, const char *topic, const uint8_t *payload, size_t len,
                          uint32_t *out_ticket) {
  auto *transport = static_cast<sotto_host_transport_t *>(ctx);
  if (topic == nullptr || (payload == nullptr && len != 0) || out_ticket == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (!transport->sdk_controls_link) {
    start_connect_if_idle(transport, false);
  }
  uint64_t epoch = 0;
  if (!connected_epoch(transport, &epoch)) {
    std::lock_guard<std::mutex> lock(transport->mutex);
    transport->stats.publish_failed += 1;
    return SOTTO_ERR_TRANSPORT;
  }
  auto *context = new PublishContext{transport, 0};
  {
    std::lock_guard<std::mutex> lock(transport->mutex);
    context->ticket = ++transport->next_ticket;
    transport->tickets[context->ticket] = Ticket{epoch, Clock::now()};
    transport->publish_contexts.insert(context);
  }
  const uint32_t ticket = context->ticket;  // the context may be gone once Paho has it
  MQTTAsync_responseOptions options = MQTTAsync_responseOptions_initializer;
  options.onSuccess = on_publish_success;
  options.onFailure = on_publish_failure;
  options.context = context;
  MQTTAsync_message message = MQTTAsync_message_initializer;
  message.payload = const_cast<uint8_t *>(payload);
  message.payloadlen = static_cast<int>(len);
  message.qos = 1;
  const int rc = MQTTAsync_sendMessage(transport->client, topic, &message, &options);
  if (rc != MQTTASYNC_SUCCESS) {
    std::lock_guard<std::mutex> lock(transport->mutex);
    transport->tickets.erase(ticket);
    transport->publish_contexts.erase(context);
    delete context;  // Paho calls back only for requests it accepted
    transport->last_error =
        std::string("cannot publish to ") + transport->broker_url + ": " + MQTTAsync_strerror(rc);
    transport->stats.publish_failed += 1;
    return SOTTO_ERR_TRANSPORT;
  }
  *out_ticket = ticket;
  return SOTTO_OK;
}

sotto_err_t publish_result(void *ctx, uint32_t ticket) {
  auto *transport = static_cast<sotto_host_transport_t *>(ctx);
  std::lock_guard<std::mutex> lock(transport->mutex);
  return resolve(transport, ticket);
}

sotto_err_t publish(void *ctx, const char *topic, const uint8_t *payload, size_t len) {
  auto *transport = static_cast<sotto_host_transport_t *>(ctx);
  uint32_t ticket = 0;
  sotto_err_t err = publish_begin(ctx, topic, payload, len, &ticket);
  if (err != SOTTO_OK) {
    return err;
  }
  std::unique_lock<std::mutex> lock(transport->mutex);
  transport->changed.wait_for(lock, std::chrono::milliseconds(transport->publish_timeout_ms), [&] {
    auto found = transport->tickets.find(ticket);
    return found == transport->tickets.end() || found->second.done ||
           found->second.epoch != transport->connection_epoch;
  });
  err = resolve(transport, ticket);
  if (err == SOTTO_ERR_PENDING) {  // the wait ended a hair before the deadline resolve uses
    transport->tickets.erase(ticket);
    transport->last_error =
        "no acknowledgement within " + std::to_string(transport->publish_timeout_ms) + " ms";
    transport->stats.publish_failed += 1;
    err = SOTTO_ERR_TRANSPORT;
  }
  return err;
}

sotto_err_t subscribe(void *ctx, const char *topic_filter) {
  auto *transport = static_cast<sotto_host_transport_t *>(ctx);
  if (topic_filter == nullptr || topic_filter[0] == '\0') {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  {
    std::lock_guard<std::mutex> lock(transport->mutex);
    bool known = false;
    for (const auto &filter : transport->subscriptions) {
      known = known || filter == topic_filter;
    }
    if (!known) {
      transport->subscriptions.push_back(topic_filter);
    }
  }
  if (!transport->sdk_controls_link) {
    start_connect_if_idle(transport, false);
  }
  uint64_t epoch = 0;
  if (!connected_epoch(transport, &epoch)) {
    return SOTTO_ERR_TRANSPORT;  // kept: subscribed as soon as the link is up
  }
  MQTTAsync_responseOptions options = MQTTAsync_responseOptions_initializer;
  options.onSuccess = on_subscribe_success;
  options.onFailure = on_subscribe_failure;
  options.context = transport;
  int rc = MQTTAsync_subscribe(transport->client, topic_filter, 1, &options);
  return rc == MQTTASYNC_SUCCESS && await_token(transport, options.token, epoch)
             ? SOTTO_OK
             : SOTTO_ERR_TRANSPORT;
}

}  // namespace sotto::host
