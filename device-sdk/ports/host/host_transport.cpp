// Host transport port: MQTT 3.1.1 on the Paho C asynchronous client (its TLS build, so ssl://
// brokers work with a CA file and the device's certificate and key). publish blocks until the
// PUBACK (or a bounded timeout, or the connection dropping) so the device runtime can keep an
// event until the broker owns it. MQTTAsync runs all clients of a process on Paho's two shared
// threads, so a thousand simulated devices cost a thousand sockets, not a thousand threads.
#include <MQTTAsync.h>
#include <string.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "sotto/port_host.h"

namespace {

using Clock = std::chrono::steady_clock;

enum class LinkState { kIdle, kConnecting, kConnected, kReconnecting };

struct IncomingMessage {
  std::string topic;
  std::vector<uint8_t> payload;
};

}  // namespace

struct sotto_host_transport {
  MQTTAsync client = nullptr;
  std::string broker_url;
  std::string client_id;
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  uint32_t publish_timeout_ms = 5000;
  uint32_t keepalive_s = 30;
  uint32_t retry_interval_s = 1;
  size_t incoming_max = 64;

  std::mutex mutex;
  std::condition_variable changed;
  LinkState state = LinkState::kIdle;
  uint64_t connection_epoch = 0;  // bumped on every loss: waiters of the old link give up
  Clock::time_point last_connect_attempt{};
  std::map<MQTTAsync_token, bool> completions;  // token -> acknowledged
  std::set<MQTTAsync_token> abandoned;          // timed out; their late completions are ignored
  std::vector<std::string> subscriptions;
  std::deque<IncomingMessage> incoming;
  std::string last_error = "none";
  std::string tls_error;  // OpenSSL's reason for the last failed handshake, "" after a success
  bool disconnect_done = false;
  sotto_host_transport_stats_t stats{};
};

namespace {

void record_completion(sotto_host_transport_t *transport, MQTTAsync_token token, bool ok) {
  std::lock_guard<std::mutex> lock(transport->mutex);
  if (transport->abandoned.erase(token) == 0) {
    transport->completions[token] = ok;
  }
  transport->changed.notify_all();
}

void on_request_success(void *context, MQTTAsync_successData *response) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  bool ok = true;
  // A SUBACK carrying 0x80 means the broker refused the subscription.
  if (response != nullptr && response->alt.qos == 0x80) {
    ok = false;
  }
  if (response != nullptr) {
    record_completion(transport, response->token, ok);
  }
}

void on_request_failure(void *context, MQTTAsync_failureData *response) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  if (response != nullptr) {
    record_completion(transport, response->token, false);
  }
}

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
  if (transport->state == LinkState::kConnecting) {
    transport->state = LinkState::kIdle;
  }
  transport->last_error = "cannot connect to " + transport->broker_url;
  if (response != nullptr) {
    transport->last_error += std::string(": ") + MQTTAsync_strerror(response->code);
    if (response->message != nullptr) {
      transport->last_error += std::string(" (") + response->message + ")";
    }
  }
  if (!transport->tls_error.empty()) {
    transport->last_error += "; TLS: " + transport->tls_error;
    transport->tls_error.clear();
  }
  transport->changed.notify_all();
}

// Paho reports OpenSSL's errors here during a handshake; the first one names the cause
// (certificate revoked, unknown CA, expired) for last_error.
int on_tls_error(const char *text, size_t len, void *context) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  std::lock_guard<std::mutex> lock(transport->mutex);
  if (transport->tls_error.empty() && text != nullptr) {
    transport->tls_error.assign(text, len);
    while (!transport->tls_error.empty() && transport->tls_error.back() == '\n') {
      transport->tls_error.pop_back();
    }
  }
  return 0;
}

void on_connection_lost(void *context, char *cause) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  std::lock_guard<std::mutex> lock(transport->mutex);
  transport->state = LinkState::kReconnecting;  // Paho's automatic reconnect takes over
  transport->connection_epoch += 1;
  transport->stats.connection_losses += 1;
  transport->last_error = std::string("connection to ") + transport->broker_url + " lost" +
                          (cause != nullptr ? std::string(": ") + cause : std::string());
  transport->completions.clear();
  transport->abandoned.clear();
  transport->changed.notify_all();
}

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

void on_disconnected(void *context, MQTTAsync_successData * /*response*/) {
  auto *transport = static_cast<sotto_host_transport_t *>(context);
  std::lock_guard<std::mutex> lock(transport->mutex);
  transport->disconnect_done = true;
  transport->changed.notify_all();
}

void on_disconnect_failed(void *context, MQTTAsync_failureData * /*response*/) {
  on_disconnected(context, nullptr);
}

// Starts a connect when none is running and the retry interval has passed. Caller holds no lock.
void start_connect_if_idle(sotto_host_transport_t *transport, bool ignore_interval) {
  {
    std::lock_guard<std::mutex> lock(transport->mutex);
    if (transport->state != LinkState::kIdle) {
      return;
    }
    auto now = Clock::now();
    if (!ignore_interval &&
        now - transport->last_connect_attempt < std::chrono::seconds(transport->retry_interval_s)) {
      return;
    }
    transport->last_connect_attempt = now;
    transport->state = LinkState::kConnecting;
  }
  MQTTAsync_connectOptions options = MQTTAsync_connectOptions_initializer;
  options.keepAliveInterval = static_cast<int>(transport->keepalive_s);
  options.cleansession = 1;
  options.automaticReconnect = 1;
  options.minRetryInterval = static_cast<int>(transport->retry_interval_s);
  options.maxRetryInterval = static_cast<int>(transport->retry_interval_s) * 2;
  options.connectTimeout = 5;
  options.onFailure = on_connect_failure;
  options.context = transport;
  // Paho copies the TLS options during MQTTAsync_connect, so a local struct is enough.
  MQTTAsync_SSLOptions tls = MQTTAsync_SSLOptions_initializer;
  if (transport->tls) {
    tls.trustStore = transport->tls_ca_file.c_str();
    if (!transport->tls_cert_file.empty()) {
      tls.keyStore = transport->tls_cert_file.c_str();
      tls.privateKey = transport->tls_key_file.c_str();
    }
    tls.enableServerCertAuth = 1;
    tls.verify = 1;  // the broker's certificate must name the host in broker_url
    tls.ssl_error_cb = on_tls_error;
    tls.ssl_error_context = transport;
    options.ssl = &tls;
  }
  int rc = MQTTAsync_connect(transport->client, &options);
  if (rc != MQTTASYNC_SUCCESS) {
    std::lock_guard<std::mutex> lock(transport->mutex);
    transport->state = LinkState::kIdle;
    transport->last_error =
        "cannot start connecting to " + transport->broker_url + ": " + MQTTAsync_strerror(rc);
  }
}

// Waits for the request's acknowledgement. Caller holds no lock.
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

uint64_t current_epoch(sotto_host_transport_t *transport, bool *connected) {
  std::lock_guard<std::mutex> lock(transport->mutex);
  *connected = transport->state == LinkState::kConnected;
  if (!*connected) {
    transport->last_error = "not connected to " + transport->broker_url;
  }
  return transport->connection_epoch;
}

sotto_err_t publish(void *ctx, const char *topic, const uint8_t *payload, size_t len) {
  auto *transport = static_cast<sotto_host_transport_t *>(ctx);
  if (topic == nullptr || (payload == nullptr && len != 0)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  start_connect_if_idle(transport, false);
  bool connected = false;
  uint64_t epoch = current_epoch(transport, &connected);
  bool ok = false;
  if (connected) {
    MQTTAsync_responseOptions options = MQTTAsync_responseOptions_initializer;
    options.onSuccess = on_request_success;
    options.onFailure = on_request_failure;
    options.context = transport;
    MQTTAsync_message message = MQTTAsync_message_initializer;
    message.payload = const_cast<uint8_t *>(payload);
    message.payloadlen = static_cast<int>(len);
    message.qos = 1;
    int rc = MQTTAsync_sendMessage(transport->client, topic, &message, &options);
    ok = rc == MQTTASYNC_SUCCESS && await_token(transport, options.token, epoch);
  }
  std::lock_guard<std::mutex> lock(transport->mutex);
  (ok ? transport->stats.publish_acked : transport->stats.publish_failed) += 1;
  return ok ? SOTTO_OK : SOTTO_ERR_TRANSPORT;
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
  start_connect_if_idle(transport, false);
  bool connected = false;
  uint64_t epoch = current_epoch(transport, &connected);
  if (!connected) {
    return SOTTO_ERR_TRANSPORT;  // kept: subscribed as soon as the link is up
  }
  MQTTAsync_responseOptions options = MQTTAsync_responseOptions_initializer;
  options.onSuccess = on_request_success;
  options.onFailure = on_request_failure;
  options.context = transport;
  int rc = MQTTAsync_subscribe(transport->client, topic_filter, 1, &options);
  return rc == MQTTASYNC_SUCCESS && await_token(transport, options.token, epoch)
             ? SOTTO_OK
             : SOTTO_ERR_TRANSPORT;
}

}  // namespace

extern "C" sotto_err_t sotto_host_transport_create(const sotto_host_transport_config_t *config,
                                                   sotto_host_transport_t **out) {
  if (config == nullptr || out == nullptr || config->broker_url == nullptr ||
      config->client_id == nullptr || config->client_id[0] == '\0') {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  const bool tls = strncmp(config->broker_url, "ssl://", 6) == 0 ||
                   strncmp(config->broker_url, "mqtts://", 8) == 0;
  const bool plain = strncmp(config->broker_url, "tcp://", 6) == 0 ||
                     strncmp(config->broker_url, "mqtt://", 7) == 0;
  const bool has_ca = config->tls_ca_file != nullptr && config->tls_ca_file[0] != '\0';
  const bool has_cert = config->tls_cert_file != nullptr && config->tls_cert_file[0] != '\0';
  const bool has_key = config->tls_key_file != nullptr && config->tls_key_file[0] != '\0';
  if ((!tls && !plain) || (tls && !has_ca) || (plain && (has_ca || has_cert || has_key)) ||
      has_cert != has_key) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  auto *transport = new (std::nothrow) sotto_host_transport();
  if (transport == nullptr) {
    return SOTTO_ERR_TRANSPORT;
  }
  transport->broker_url = config->broker_url;
  transport->client_id = config->client_id;
  transport->tls = tls;
  if (tls) {
    transport->tls_ca_file = config->tls_ca_file;
    transport->tls_cert_file = has_cert ? config->tls_cert_file : "";
    transport->tls_key_file = has_key ? config->tls_key_file : "";
  }
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

  MQTTAsync_createOptions create_options = MQTTAsync_createOptions_initializer;
  create_options.sendWhileDisconnected = 0;  // the SDK's queue is the only buffer
  create_options.MQTTVersion = MQTTVERSION_3_1_1;
  int rc = MQTTAsync_createWithOptions(&transport->client, transport->broker_url.c_str(),
                                       transport->client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE,
                                       nullptr, &create_options);
  if (rc == MQTTASYNC_SUCCESS) {
    rc = MQTTAsync_setCallbacks(transport->client, transport, on_connection_lost,
                                on_message_arrived, nullptr);
  }
  if (rc == MQTTASYNC_SUCCESS) {
    rc = MQTTAsync_setConnected(transport->client, transport, on_connected);
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
  options.onSuccess = on_disconnected;
  options.onFailure = on_disconnect_failed;
  options.context = transport;
  if (MQTTAsync_isConnected(transport->client) &&
      MQTTAsync_disconnect(transport->client, &options) == MQTTASYNC_SUCCESS) {
    std::unique_lock<std::mutex> lock(transport->mutex);
    transport->changed.wait_for(lock, std::chrono::seconds(2),
                                [&] { return transport->disconnect_done; });
  }
  MQTTAsync_destroy(&transport->client);
  delete transport;
}

extern "C" sotto_err_t sotto_host_transport_connect(sotto_host_transport_t *transport,
                                                    uint32_t timeout_ms) {
  if (transport == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  start_connect_if_idle(transport, true);
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
  start_connect_if_idle(transport, false);
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
  sotto_transport_port_t port = {transport, publish, subscribe};
  return port;
}

extern "C" size_t sotto_host_transport_take_incoming(
    sotto_host_transport_t *transport,
    void (*handle)(void *ctx, const char *topic, const uint8_t *payload, size_t len), void *ctx) {
  if (transport == nullptr || handle == nullptr) {
    return 0;
  }
  std::deque<IncomingMessage> batch;
  {
    std::lock_guard<std::mutex> lock(transport->mutex);
    batch.swap(transport->incoming);
  }
  for (const IncomingMessage &message : batch) {
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
  std::deque<IncomingMessage> batch;
  {
    std::lock_guard<std::mutex> lock(transport->mutex);
    batch.swap(transport->incoming);
  }
  for (const IncomingMessage &message : batch) {
    sotto_err_t result = sotto_device_on_message(device, message.topic.c_str(),
                                                 message.payload.data(), message.payload.size());
    if (on_result != nullptr) {
      on_result(ctx, message.topic.c_str(), result);
    }
  }
  return batch.size();
}
