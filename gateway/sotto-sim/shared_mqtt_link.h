// The shared MQTT loop's per-connection state and the work on one connection's bytes, shared
// by shared_mqtt_loop.cpp (the loop thread and the port functions device threads call) and
// shared_mqtt_connection.cpp (MQTT 3.1.1 packets in and out). Callers hold the loop's mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "shared_mqtt_loop.h"

namespace sotto::gw::sim {

namespace shared_mqtt {

using Clock = std::chrono::steady_clock;

enum class State { kIdle, kTcpConnecting, kMqttConnecting, kConnected };

constexpr size_t kIncomingMax = 64;  // as the Paho transport: more waiting are dropped
constexpr size_t kMaxPacketBytes = 65536;

struct Ticket {
  uint64_t epoch;
  bool done = false;
  bool acknowledged = false;
};

// Why an attempt failed, for the link's counts.
enum class Refusal { kNone, kTcp, kBroker };

}  // namespace shared_mqtt

struct SharedMqttLoop::Link {
  std::mutex *mutex = nullptr;  // the loop's
  int epoll_fd = -1;
  sockaddr_in broker{};
  uint16_t keepalive_s = 30;
  uint32_t index = 0;
  std::string client_id;
  shared_mqtt::State state = shared_mqtt::State::kIdle;
  int fd = -1;
  uint64_t epoch = 0;  // bumped whenever a connection ends: its tickets answer TRANSPORT
  shared_mqtt::Clock::time_point last_sent{};
  // Since when the broker has been silent while we wait for an answer: the last byte received,
  // or the moment we started waiting, whichever is later.
  shared_mqtt::Clock::time_point silent_since{};
  bool ping_outstanding = false;
  std::vector<uint8_t> in;
  std::vector<uint8_t> out;
  bool want_write = false;
  uint16_t next_packet_id = 0;
  uint32_t next_ticket = 0;
  std::map<uint32_t, shared_mqtt::Ticket> tickets;
  std::map<uint16_t, uint32_t> ticket_of_packet;
  std::vector<std::string> subscriptions;
  std::deque<std::pair<std::string, std::vector<uint8_t>>> incoming;
  std::string last_error = "none";
  LinkStats stats;
};

namespace shared_mqtt {

using Link = SharedMqttLoop::Link;

// Encoding (2.2, 1.5.3).
void put_u16(std::vector<uint8_t> &out, size_t value);
void put_string(std::vector<uint8_t> &out, const char *text, size_t len);
void put_header(std::vector<uint8_t> &out, uint8_t first_byte, size_t remaining);

// (Re)registers the link's socket with epoll: readable, and writable while output waits.
void watch(Link *link, int epoll_fd, bool adding);
// Ends the connection (or attempt) and says why; the device's SDK decides when to try again.
void drop(Link *link, int epoll_fd, const std::string &why, Refusal refusal = Refusal::kNone);
// Sends what is buffered without blocking; the rest waits for EPOLLOUT.
void flush(Link *link, int epoll_fd);
void queue_subscribe(Link *link, const std::string &filter);
// The TCP connection is up: CONNECT with a clean session (3.1).
void send_connect(Link *link, uint16_t keepalive_s);
// Reads what arrived and handles every whole packet (CONNACK, PUBACK, PUBLISH, SUBACK, PINGRESP).
void read_packets(Link *link, int epoll_fd);
// A CONNACK, PUBACK or PINGRESP is awaited (the broker's silence then counts).
bool awaiting_answer(const Link &link);

}  // namespace shared_mqtt
}  // namespace sotto::gw::sim
