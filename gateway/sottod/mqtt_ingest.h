// The gateway's MQTT 5 session: subscribes to the fleet's uplink topics and feeds each message
// to Ingest on Paho's callback thread.
//
// Why synchronously on Paho's thread: no loss across a gateway kill -9. Paho C (with the file
// persistence configured here) either hands a QoS 1 message straight to the callback before it
// acknowledges it, or writes it to the persistence directory first and redelivers it after a
// restart; it drops its copy only once the callback returns. Ingest commits to SQLite before the
// callback returns, so every message the broker considers delivered is in SQLite or in Paho's
// store, and a redelivery is recognised by (device, boot, seq). Posting to the event loop and
// returning early would open a window in which an acknowledged message lives only in memory.
#pragma once

#include <mqtt/async_client.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "config.h"
#include "ingest.h"
#include "metrics.h"

namespace sotto::gw {

class MqttIngest {
 public:
  MqttIngest(boost::asio::io_context &io, const MqttConfig &config, Ingest &ingest,
             Metrics &metrics);
  ~MqttIngest();

  void start();  // connects in the background and keeps retrying until connected
  void stop();   // disconnects cleanly: the session and its queue stay on the broker

  mqtt::async_client &client() { return client_; }

 private:
  void connect();
  void retry_later();

  boost::asio::io_context &io_;
  MqttConfig config_;
  Ingest &ingest_;
  Metrics &metrics_;
  mqtt::async_client client_;
  boost::asio::steady_timer retry_timer_;
  int failed_attempts_ = 0;
  bool stopping_ = false;
  // Paho keeps only references to listeners.
  std::shared_ptr<mqtt::iaction_listener> listener_keepalive_;
  std::shared_ptr<mqtt::iaction_listener> subscribe_listener_;
};

}  // namespace sotto::gw
