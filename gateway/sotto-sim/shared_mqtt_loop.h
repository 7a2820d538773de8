// Many simulated devices' MQTT 3.1.1 connections on one epoll thread (sotto-sim --transport
// shared, for storms of thousands of devices from one process). Each device still runs the real
// SDK on its own transport port (connect/link_state for the SDK's backoff with jitter,
// publish_begin/publish_result for its paced flush); only the sockets' plumbing is shared.
//
// Why not one Paho client per device: Paho's asynchronous client serves all of a process's
// clients from one receive and one send thread whose work per packet grows with the number of
// clients, and its publish timeout (5 s) expired under a storm while PUBACKs were still on their
// way, so the SDK resent what the broker already had.
//
// Publish policy: a QoS 1 publish waits for its PUBACK as long as its connection lives (MQTT
// 3.1.1 resends a message only on a new connection, 4.4). A connection is declared lost when the
// broker has sent nothing for one and a half keepalive periods (the broker's own rule, 3.1.2.10)
// while a PUBACK, CONNACK or PINGRESP is awaited; its publishes then answer TRANSPORT and the
// SDK resends them on its next connection (the gateway stores a resent event once).
// Plain TCP only: TLS storms use the Paho transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>

#include "sotto/port.h"

namespace sotto::gw::sim {

// What a device's link did, for the run's summary.
struct LinkStats {
  uint64_t connects = 0;           // CONNACKs accepted
  uint64_t connection_losses = 0;  // established connections that ended
  uint64_t connect_failures = 0;   // attempts that never got an accepted CONNACK; of those:
  uint64_t tcp_refused = 0;        // nothing listened (connection refused: the broker is down)
  uint64_t broker_refusals = 0;    // the broker accepted the TCP connection, then refused or
                                   // closed it before an accepted CONNACK (max_connections)
};

class SharedMqttLoop {
 public:
  // broker_url: tcp://HOST:PORT with a numeric IPv4 host. Throws std::invalid_argument otherwise,
  // std::runtime_error when epoll cannot be set up.
  explicit SharedMqttLoop(const std::string &broker_url, uint16_t keepalive_s = 30);
  ~SharedMqttLoop();
  SharedMqttLoop(const SharedMqttLoop &) = delete;
  SharedMqttLoop &operator=(const SharedMqttLoop &) = delete;

  // A device's connection (not connected yet); the port functions take the returned handle as
  // their ctx and stay valid until the loop is destroyed.
  struct Link;
  Link *add_link(const std::string &client_id);
  static sotto_transport_port_t port(Link *link);

  static void connect(Link *link);
  static bool is_connected(Link *link);
  static std::string last_error(Link *link);
  static LinkStats stats(Link *link);
  // Hands each message received since the last call to handle, on the caller's thread.
  static size_t take_incoming(Link *link,
                              void (*handle)(void *ctx, const char *topic, const uint8_t *payload,
                                             size_t len),
                              void *ctx);

 private:
  static constexpr uint64_t kWakeMarker = ~uint64_t{0};

  void run();
  void on_ready(Link *link, uint32_t events);
  void check_timers();

  sockaddr_in broker_{};
  uint16_t keepalive_s_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::mutex mutex_;  // guards every link's state
  std::vector<std::unique_ptr<Link>> links_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sotto::gw::sim
