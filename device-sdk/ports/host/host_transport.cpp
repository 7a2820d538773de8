// Host transport port: MQTT 3.1.1 on the Paho C asynchronous client. A publish is acknowledged
// only after the PUBACK, so the device runtime keeps an event until the broker owns it; several
// can be in flight (host_publish.cpp). The link is Paho's automatic reconnect, or, with
// sdk_reconnects, the SDK's (connect/link_state: backoff with jitter). MQTTAsync runs all
// clients of a process on Paho's two shared threads, so a thousand simulated devices cost a
// thousand sockets, not a thousand threads.
#include <string.h>

#include <new>

#include "host_transport_state.h"

namespace sotto::host {
namespace {

void on_connected(void *context, char * /*cause*/) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  std::vector<std::string> filters;
  {
    std::lock_guard<std::mutex> lock(transport->mutex);
    transport->state = LinkState::kConnected;
    transport->stats.connects += 1;
    filters = transport->subscriptions;
    transport->changed.notify_all();
  }
  // Clean sessions forget subscriptions: renew them without waiting (we are on Paho's thread).
  for (const std::string &filter : filters) {
    MQTTAsync_responseOptions options = MQTTAsync_responseOptions_initializer;
    MQTTAsync_subscribe(transport->client, filter.c_str(), 1, &options);
  }
}

void on_connect_failure(void *context, MQTTAsync_failureData *response) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  std::lock_guard<std::mutex> lock(transport->mutex);
  // Paho also calls this after a lost connection for the connect that made it; only a
  // running attempt can fail.
  if (transport->state != LinkState::kConnecting) {
    return;
  }
  transport->state = LinkState::kIdle;
  transport->stats.connect_failures += 1;
  transport->last_error = "cannot connect to " + transport->broker_url;
  if (response != nullptr) {
    transport->last_error += std::string(": ") + MQTTAsync_strerror(response->code);
    if (response->message != nullptr) {
      transport->last_error += std::string(" (") + response->message + ")";
    }
  }
  transport->changed.notify_all();
}

void on_connection_lost(void *context, char *cause) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  std::lock_guard<std::mutex> lock(transport->mutex);
  // Paho's automatic reconnect takes over, unless the SDK decides when to reconnect.
  transport->state = transport->sdk_controls_link ? LinkState::kIdle : LinkState::kReconnecting;
  transport->connection_epoch += 1;
  transport->stats.connection_losses += 1;
  transport->last_error = std::string("connection to ") + transport->broker_url + " lost" +
                          (cause != nullptr ? std::string(": ") + cause : std::string());
  transport->completions.clear();
  transport->abandoned.clear();
  transport->tickets.clear();  // each answers TRANSPORT from now on
  transport->changed.notify_all();
}

void on_disconnected(void *context, MQTTAsync_successData * /*response*/) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  std::lock_guard<std::mutex> lock(transport->mutex);
  transport->disconnect_done = true;
  transport->changed.notify_all();
}

void on_disconnect_failed(void *context, MQTTAsync_failureData * /*response*/) {
  on_disconnected(context, nullptr);
}

sotto_err_t port_connect(void *ctx) {
  return start_connect_if_idle(static_cast<sotto_host_transport_t *>(ctx), true);
}

sotto_link_state_t port_link_state(void *ctx) {
  auto *transport = static_cast<sotto_host_transport_t *>(ctx);
  std::lock_guard<std::mutex> lock(transport->mutex);
  switch (transport->state) {
    case LinkState::kConnected:
      return SOTTO_LINK_UP;
    case LinkState::kConnecting:
      return SOTTO_LINK_CONNECTING;
    default:
      return SOTTO_LINK_DOWN;
  }
}

}  // namespace

sotto_err_t start_connect_if_idle(sotto_host_transport_t *transport, bool ignore_interval) {
  {
    std::lock_guard<std::mutex> lock(transport->mutex);
    if (transport->state != LinkState::kIdle) {
      return SOTTO_OK;
    }
    auto now = Clock::now();
    if (!ignore_interval &&
        now - transport->last_connect_attempt < std::chrono::seconds(transport->retry_interval_s)) {
      return SOTTO_OK;
    }
    transport->last_connect_attempt = now;
    transport->state = LinkState::kConnecting;
    transport->stats.connect_attempts += 1;
  }
  MQTTAsync_connectOptions options = MQTTAsync_connectOptions_initializer;
  options.keepAliveInterval = static_cast<int>(transport->keepalive_s);
  options.cleansession = 1;
  options.automaticReconnect = transport->sdk_controls_link ? 0 : 1;
  options.minRetryInterval = static_cast<int>(transport->retry_interval_s);
  options.maxRetryInterval = static_cast<int>(transport->retry_interval_s) * 2;
  options.connectTimeout = 5;
  // One protocol version: with the default Paho tries 3.1 after 3.1.1 fails, a second attempt
  // that may connect after on_connect_failure already reported this one failed.
  options.MQTTVersion = MQTTVERSION_3_1_1;
  options.onFailure = on_connect_failure;
  options.context = transport;
  int rc = MQTTAsync_connect(transport->client, &options);
  if (rc != MQTTASYNC_SUCCESS) {
    std::lock_guard<std::mutex> lock(transport->mutex);
    transport->state = LinkState::kIdle;
    transport->stats.connect_failures += 1;
    transport->last_error =
        "cannot start connecting to " + transport->broker_url + ": " + MQTTAsync_strerror(rc);
    return SOTTO_ERR_TRANSPORT;
  }
  return SOTTO_OK;
}

}  // namespace sotto::host

using sotto::host::LinkState;

extern "C" sotto_err_t sotto_host_transport_create(const sotto_host_transport_config_t *config,
                                                   sotto_host_transport_t **out) {
  if (config == nullptr || out == nullptr || config->broker_url == nullptr ||
      config->client_id == nullptr || config->client_id[0] == '\0' ||
      (strncmp(config->broker_url, "tcp://", 6) != 0 &&
       strncmp(config->broker_url, "mqtt://", 7) != 0)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  auto *transport = new (std::nothrow) sotto_host_transport();
  if (transport == nullptr) {
    return SOTTO_ERR_TRANSPORT;
  }
  transport->broker_url = config->broker_url;
  transport->client_id = config->client_id;
  if (config->publish_timeout_ms != 0) {
    transport->publish_timeout_ms = config->publish_timeout_ms;
  }
  if (config->keepalive_s != 0) {
    transport->keepalive_s = config->keepalive_s;
  }
  if (config->retry_interval_s != 0) {
    transport->retry_interval_s = config->retry_interval_s;
  }
  if (config->incoming_max != 0) {
    transport->incoming_max = config->incoming_max;
  }
  transport->sdk_controls_link = config->sdk_reconnects != 0;

  MQTTAsync_createOptions create_options = MQTTAsync_createOptions_initializer;
  create_options.sendWhileDisconnected = 0;  // the SDK's queue is the only buffer
  create_options.MQTTVersion = MQTTVERSION_3_1_1;
  int rc = MQTTAsync_createWithOptions(&transport->client, transport->broker_url.c_str(),
                                       transport->client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE,
                                       nullptr, &create_options);
  if (rc == MQTTASYNC_SUCCESS) {
    rc = MQTTAsync_setCallbacks(transport->client, transport, sotto::host::on_connection_lost,
                                sotto::host::on_message_arrived, nullptr);
  }
  if (rc == MQTTASYNC_SUCCESS) {
    rc = MQTTAsync_setConnected(transport->client, transport, sotto::host::on_connected);
  }
  if (rc != MQTTASYNC_SUCCESS) {
    if (transport->client != nullptr) {
      MQTTAsync_destroy(&transport->client);
    }
    delete transport;
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  *out = transport;
  return SOTTO_OK;
}

extern "C" void sotto_host_transport_destroy(sotto_host_transport_t *transport) {
  if (transport == nullptr) {
    return;
  }
  MQTTAsync_disconnectOptions options = MQTTAsync_disconnectOptions_initializer;
  options.timeout = 1000;
  options.onSuccess = sotto::host::on_disconnected;
  options.onFailure = sotto::host::on_disconnect_failed;
  options.context = transport;
  if (MQTTAsync_isConnected(transport->client) &&
      MQTTAsync_disconnect(transport->client, &options) == MQTTASYNC_SUCCESS) {
    std::unique_lock<std::mutex> lock(transport->mutex);
    transport->changed.wait_for(lock, std::chrono::seconds(2),
                                [&] { return transport->disconnect_done; });
  }
  MQTTAsync_destroy(&transport->client);  // no callback runs after this
  for (sotto::host::PublishContext *context : transport->publish_contexts) {
    delete context;  // publishes Paho never answered (their connection was lost)
  }
  delete transport;
}

extern "C" sotto_err_t sotto_host_transport_connect(sotto_host_transport_t *transport,
                                                    uint32_t timeout_ms) {
  if (transport == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto::host::start_connect_if_idle(transport, true);
  std::unique_lock<std::mutex> lock(transport->mutex);
  transport->changed.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return transport->state == LinkState::kConnected || transport->state == LinkState::kIdle;
  });
  return transport->state == LinkState::kConnected ? SOTTO_OK : SOTTO_ERR_TRANSPORT;
}

extern "C" int sotto_host_transport_is_connected(sotto_host_transport_t *transport) {
  if (transport == nullptr) {
    return 0;
  }
  if (!transport->sdk_controls_link) {
    sotto::host::start_connect_if_idle(transport, false);
  }
  std::lock_guard<std::mutex> lock(transport->mutex);
  return transport->state == LinkState::kConnected ? 1 : 0;
}

extern "C" const char *sotto_host_transport_last_error(sotto_host_transport_t *transport) {
  if (transport == nullptr) {
    return "no transport";
  }
  // The string lives as long as the transport; it is replaced only by later failures, which a
  // caller reading it right after a failure on its own thread does not race with in practice.
  std::lock_guard<std::mutex> lock(transport->mutex);
  return transport->last_error.c_str();
}

extern "C" sotto_host_transport_stats_t sotto_host_transport_get_stats(
    sotto_host_transport_t *transport) {
  sotto_host_transport_stats_t stats{};
  if (transport == nullptr) {
    return stats;
  }
  std::lock_guard<std::mutex> lock(transport->mutex);
  return transport->stats;
}

extern "C" sotto_transport_port_t sotto_host_transport_port(sotto_host_transport_t *transport) {
  sotto_transport_port_t port{};
  port.ctx = transport;
  port.publish = sotto::host::publish;
  port.subscribe = sotto::host::subscribe;
  if (transport != nullptr && transport->sdk_controls_link) {
    port.connect = sotto::host::port_connect;
    port.link_state = sotto::host::port_link_state;
  }
  port.publish_begin = sotto::host::publish_begin;
  port.publish_result = sotto::host::publish_result;
  return port;
}
