// The host MQTT transport's state, shared by its three files: host_transport.cpp (the client
// and its link), host_publish.cpp (publishes and subscriptions) and host_incoming.cpp (messages
// that arrive). Paho calls back on its own threads; every field below the mutex is guarded by it.
#ifndef SOTTO_PORT_HOST_TRANSPORT_STATE_H
#define SOTTO_PORT_HOST_TRANSPORT_STATE_H

#include <MQTTAsync.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "sotto/port_host.h"

namespace sotto::host {

using Clock = std::chrono::steady_clock;

enum class LinkState { kIdle, kConnecting, kConnected, kReconnecting };

struct IncomingMessage {
  std::string topic;
  std::vector<uint8_t> payload;
};

// What Paho hands back to a publish's callbacks: our own ticket, never reused, so a late
// acknowledgement can never be taken for another message's.
struct PublishContext {
  sotto_host_transport_t *transport;
  uint32_t ticket;
};

struct Ticket {
  uint64_t epoch;  // the connection it was sent on
  Clock::time_point started;
  bool done = false;
  bool acknowledged = false;
};

}  // namespace sotto::host

struct sotto_host_transport {
  MQTTAsync client = nullptr;
  std::string broker_url;
  std::string client_id;
  uint32_t publish_timeout_ms = 5000;
  uint32_t keepalive_s = 30;
  uint32_t retry_interval_s = 1;
  size_t incoming_max = 64;
  bool sdk_controls_link = false;

  std::mutex mutex;
  std::condition_variable changed;
  sotto::host::LinkState state = sotto::host::LinkState::kIdle;
  uint64_t connection_epoch = 0;  // bumped on every loss: waiters of the old link give up
  sotto::host::Clock::time_point last_connect_attempt{};
  std::map<MQTTAsync_token, bool> completions;  // subscribe token -> acknowledged
  std::set<MQTTAsync_token> abandoned;          // timed out; their late completions are ignored
  uint32_t next_ticket = 0;
  std::map<uint32_t, sotto::host::Ticket> tickets;           // publishes not yet reported
  std::set<sotto::host::PublishContext *> publish_contexts;  // freed by Paho's callbacks or destroy
  std::vector<std::string> subscriptions;
  std::deque<sotto::host::IncomingMessage> incoming;
  std::string last_error = "none";
  bool disconnect_done = false;
  sotto_host_transport_stats_t stats{};
};

namespace sotto::host {

// Starts a connect when none is running and (unless ignore_interval) the retry interval has
// passed. OK when one runs or the link is up. Caller holds no lock.
sotto_err_t start_connect_if_idle(sotto_host_transport_t *transport, bool ignore_interval);
// Publishing and subscribing (host_publish.cpp), as port functions.
sotto_err_t publish(void *ctx, const char *topic, const uint8_t *payload, size_t len);
sotto_err_t publish_begin(void *ctx, const char *topic, const uint8_t *payload, size_t len,
                          uint32_t *out_ticket);
sotto_err_t publish_result(void *ctx, uint32_t ticket);
sotto_err_t subscribe(void *ctx, const char *topic_filter);
// Paho's message-arrived callback (host_incoming.cpp).
int on_message_arrived(void *context, char *topic, int topic_len, MQTTAsync_message *message);

}  // namespace sotto::host

#endif  // SOTTO_PORT_HOST_TRANSPORT_STATE_H
