// sottod's ingest connection: an MQTT 5 subscriber on a persistent session (clean start off, a
// session expiry) that hands received messages to a sink in batches and acknowledges a QoS 1
// message only after the sink took it. Runs on a thread and io_context of its own.
//
// Why not Paho: Paho C sends the PUBACK as soon as its message callback returns (or queues the
// message in memory when the callback refuses it), so "acknowledged" can only mean "in memory",
// and one message at a time. Here the sink writes a whole batch to the journal (and fdatasyncs
// it with store.synchronous = "full") before one write carries all its PUBACKs: group commit.
//
// Backpressure: when the sink cannot take a batch (disk full, journal over its limit), nothing
// is acknowledged and nothing more is read; the broker keeps the rest in the session. Pings go
// on, so the connection stays up, and the same batch is offered again until it is taken.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "received_message.h"

namespace sotto::gw {

struct MqttSubscriberOptions {
  std::string broker;  // tcp://HOST:PORT
  std::string client_id;
  uint16_t keepalive_s = 30;
  uint32_t session_expiry_s = 7 * 24 * 3600;
  std::vector<std::string> filters;  // subscribed with QoS 1
  // Unacknowledged messages the broker may send ahead: the largest batch.
  uint16_t receive_maximum = 8192;
  std::chrono::milliseconds retry_after{200};  // offering a refused batch again
};

class MqttSubscriber {
 public:
  // True: the batch is durable, acknowledge it. False: not now; nothing is acknowledged.
  using Sink = std::function<bool(const std::vector<ReceivedMessage> &batch)>;
  // Called on every change between subscribed (ready to receive) and not, with the reason.
  using StateHandler = std::function<void(bool subscribed, const std::string &why)>;

  MqttSubscriber(MqttSubscriberOptions options, Sink sink, StateHandler on_state);
  ~MqttSubscriber();
  MqttSubscriber(const MqttSubscriber &) = delete;
  MqttSubscriber &operator=(const MqttSubscriber &) = delete;

  void start();  // connects in the background and keeps reconnecting
  void stop();   // DISCONNECT (the session and its queue stay on the broker), joins the thread

 private:
  void connect();
  void on_connected();
  void read();
  void process_input();
  void handle_packet(uint8_t first_byte, const uint8_t *body, size_t body_bytes);
  bool deliver();
  void retry_delivery();
  void send(std::vector<uint8_t> bytes);
  void write_next();
  void arm_keepalive();
  void drop_connection(const std::string &why);
  void set_subscribed(bool subscribed, const std::string &why);

  MqttSubscriberOptions options_;
  Sink sink_;
  StateHandler on_state_;
  std::string host_, port_;

  boost::asio::io_context io_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer reconnect_timer_, keepalive_timer_, retry_timer_;
  std::thread thread_;

  // Per connection (reset by drop_connection). `generation_` tells handlers of an old
  // connection that their socket is gone.
  uint64_t generation_ = 0;
  bool connected_ = false;  // CONNACK received
  bool subscribed_ = false;
  bool paused_ = false;  // a batch waits for the sink
  bool writing_ = false;
  std::vector<uint8_t> input_;
  size_t input_begin_ = 0;
  std::vector<ReceivedMessage> batch_;
  std::vector<uint16_t> batch_ack_ids_;
  std::deque<std::vector<uint8_t>> writes_;
  std::chrono::steady_clock::time_point last_received_;
  uint16_t keepalive_s_ = 30;
  std::chrono::seconds backoff_{1};
  int failed_attempts_ = 0;
  bool stopping_ = false;
};

}  // namespace sotto::gw
