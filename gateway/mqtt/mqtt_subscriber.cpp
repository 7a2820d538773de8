// The ingest MQTT session (see the header): connect, subscribe, read, batch, acknowledge.
#include "mqtt_subscriber.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "log.h"
#include "mqtt_packets.h"
#include "time_format.h"

namespace sotto::gw {
namespace {

constexpr size_t kReadChunkBytes = 256 * 1024;
// Larger than any device message and any broker limit we ship (max_packet_size 65536).
constexpr size_t kMaxPacketBytes = 1 << 20;
constexpr uint16_t kSubscribePacketId = 1;
constexpr std::chrono::seconds kMaxBackoff{30};

}  // namespace

MqttSubscriber::MqttSubscriber(MqttSubscriberOptions options, Sink sink, StateHandler on_state)
    : options_(std::move(options)),
      sink_(std::move(sink)),
      on_state_(std::move(on_state)),
      resolver_(io_),
      socket_(io_),
      reconnect_timer_(io_),
      keepalive_timer_(io_),
      retry_timer_(io_) {
  const std::string prefix = "tcp://";
  const std::string rest = options_.broker.substr(prefix.size());
  const size_t colon = rest.rfind(':');
  if (options_.broker.rfind(prefix, 0) != 0 || colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("mqtt.broker: expected tcp://HOST:PORT, got \"" + options_.broker +
                                "\"");
  }
  host_ = rest.substr(0, colon);
  port_ = rest.substr(colon + 1);
}

MqttSubscriber::~MqttSubscriber() {
  stop();
}

void MqttSubscriber::start() {
  boost::asio::post(io_, [this] { connect(); });
  thread_ = std::thread([this] { io_.run(); });
}

void MqttSubscriber::stop() {
  if (!thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    stopping_ = true;
    reconnect_timer_.cancel();
    keepalive_timer_.cancel();
    retry_timer_.cancel();
    resolver_.cancel();
    if (connected_) {
      // Nothing of the pending batch (if any) was acknowledged: the broker redelivers it.
      boost::system::error_code ignored;
      boost::asio::write(socket_, boost::asio::buffer(mqtt::encode_disconnect()), ignored);
    }
    boost::system::error_code ignored;
    socket_.close(ignored);
  });
  thread_.join();
}

void MqttSubscriber::connect() {
  if (stopping_) return;
  const uint64_t generation = ++generation_;
  resolver_.async_resolve(
      host_, port_,
      [this, generation](const boost::system::error_code &error,
                         const boost::asio::ip::tcp::resolver::results_type &endpoints) {
        if (generation != generation_ || stopping_) return;
        if (error) return drop_connection("cannot resolve " + host_ + ": " + error.message());
        boost::asio::async_connect(
            socket_, endpoints,
            [this, generation](const boost::system::error_code &connect_error,
                               const boost::asio::ip::tcp::endpoint &) {
              if (generation != generation_ || stopping_) return;
              if (connect_error) {
                return drop_connection("cannot connect to " + options_.broker + ": " +
                                       connect_error.message() +
                                       " (is the broker running? see mqtt.broker)");
              }
              on_connected();
            });
      });
}

void MqttSubscriber::on_connected() {
  socket_.set_option(boost::asio::ip::tcp::no_delay(true));
  mqtt::ConnectOptions connect;
  connect.client_id = options_.client_id;
  connect.clean_start = false;
  connect.keepalive_s = options_.keepalive_s;
  connect.session_expiry_s = options_.session_expiry_s;
  connect.receive_maximum = options_.receive_maximum;
  connect.maximum_packet_bytes = kMaxPacketBytes;
  keepalive_s_ = options_.keepalive_s;
  last_received_ = std::chrono::steady_clock::now();
  send(mqtt::encode_connect(connect));
  arm_keepalive();
  read();
}

void MqttSubscriber::read() {
  if (input_begin_ > 0) {
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(input_begin_));
    input_begin_ = 0;
  }
  const size_t used = input_.size();
  input_.resize(used + kReadChunkBytes);
  const uint64_t generation = generation_;
  socket_.async_read_some(
      boost::asio::buffer(input_.data() + used, kReadChunkBytes),
      [this, generation, used](const boost::system::error_code &error, size_t bytes) {
        if (generation != generation_ || stopping_) return;
        input_.resize(used + bytes);
        if (error)
          return drop_connection("connection to " + options_.broker + " lost: " + error.message());
        last_received_ = std::chrono::steady_clock::now();
        process_input();
      });
}

// Takes every whole packet that arrived; PUBLISHes gather into one batch for the sink.
void MqttSubscriber::process_input() {
  const uint64_t generation = generation_;
  try {
    while (batch_.size() < options_.receive_maximum) {
      auto packet = mqtt::split_packet(input_.data() + input_begin_, input_.size() - input_begin_,
                                       kMaxPacketBytes);
      if (!packet) break;
      input_begin_ += packet->total_bytes;
      handle_packet(packet->first_byte, packet->body, packet->body_bytes);
      if (generation != generation_) return;  // the packet ended the connection
    }
  } catch (const mqtt::PacketError &error) {
    return drop_connection(std::string("broker sent a malformed packet: ") + error.what());
  }
  if (!batch_.empty() && !deliver()) return;  // paused: retry_delivery() goes on
  if (input_.size() - input_begin_ > 0 &&
      mqtt::split_packet(input_.data() + input_begin_, input_.size() - input_begin_,
                         kMaxPacketBytes)) {
    boost::asio::post(io_, [this, generation] {
      if (generation == generation_) process_input();
    });
    return;
  }
  read();
}

void MqttSubscriber::handle_packet(uint8_t first_byte, const uint8_t *body, size_t body_bytes) {
  const mqtt::RawPacket packet{first_byte, body, body_bytes, 0};
  switch (packet.type()) {
    case mqtt::PacketType::kPublish: {
      const mqtt::Publish publish = mqtt::decode_publish(packet);
      batch_.push_back(ReceivedMessage{
          publish.topic,
          std::vector<uint8_t>(publish.payload, publish.payload + publish.payload_bytes),
          now_ms()});
      if (publish.qos > 0) batch_ack_ids_.push_back(publish.packet_id);
      return;
    }
    case mqtt::PacketType::kConnack: {
      const mqtt::Connack connack = mqtt::decode_connack(packet);
      if (connack.reason_code != 0) {
        return drop_connection("broker " + options_.broker + " refused client id '" +
                               options_.client_id +
                               "': " + mqtt::reason_code_name(connack.reason_code));
      }
      connected_ = true;
      failed_attempts_ = 0;
      backoff_ = std::chrono::seconds(1);
      if (connack.server_keepalive_s) keepalive_s_ = *connack.server_keepalive_s;
      log_line(LogLevel::kInfo,
               "connected to " + options_.broker + " as " + options_.client_id +
                   (connack.session_present ? " (session resumed)" : " (new session)"));
      // The broker keeps the subscriptions in the session; subscribing again is harmless and
      // covers a broker that lost its state.
      send(mqtt::encode_subscribe(kSubscribePacketId, options_.filters));
      return;
    }
    case mqtt::PacketType::kSuback: {
      const mqtt::Suback suback = mqtt::decode_suback(packet);
      for (size_t i = 0; i < suback.reason_codes.size(); ++i) {
        if (suback.reason_codes[i] >= 0x80) {
          return drop_connection("broker refused the subscription to '" +
                                 (i < options_.filters.size() ? options_.filters[i] : "?") +
                                 "': " + mqtt::reason_code_name(suback.reason_codes[i]));
        }
      }
      set_subscribed(true, "subscribed to the fleet's uplink topics");
      return;
    }
    case mqtt::PacketType::kPingresp:
      return;
    case mqtt::PacketType::kDisconnect:
      return drop_connection("broker closed the session: " +
                             mqtt::reason_code_name(mqtt::decode_disconnect(packet).reason_code));
    default:
      return drop_connection("broker sent packet type " + std::to_string(first_byte >> 4) +
                             ", which a QoS 1 subscriber never expects");
  }
}

// Offers the batch to the sink; acknowledges it when taken, pauses reading when not.
bool MqttSubscriber::deliver() {
  if (!sink_(batch_)) {
    if (!paused_) paused_ = true;
    retry_delivery();
    return false;
  }
  paused_ = false;
  if (!batch_ack_ids_.empty()) {
    std::vector<uint8_t> acks;
    acks.reserve(batch_ack_ids_.size() * 4);
    for (uint16_t id : batch_ack_ids_) mqtt::append_puback(acks, id);
    send(std::move(acks));
  }
  batch_.clear();
  batch_ack_ids_.clear();
  return true;
}

void MqttSubscriber::retry_delivery() {
  const uint64_t generation = generation_;
  retry_timer_.expires_after(options_.retry_after);
  retry_timer_.async_wait([this, generation](const boost::system::error_code &error) {
    if (error || generation != generation_ || stopping_) return;
    if (deliver()) process_input();
  });
}

void MqttSubscriber::send(std::vector<uint8_t> bytes) {
  writes_.push_back(std::move(bytes));
  if (!writing_) write_next();
}

void MqttSubscriber::write_next() {
  if (writes_.empty()) {
    writing_ = false;
    return;
  }
  writing_ = true;
  const uint64_t generation = generation_;
  boost::asio::async_write(
      socket_, boost::asio::buffer(writes_.front()),
      [this, generation](const boost::system::error_code &error, size_t) {
        if (generation != generation_ || stopping_) return;
        if (error) return drop_connection("writing to the broker failed: " + error.message());
        writes_.pop_front();
        write_next();
      });
}

// A PINGREQ every half keepalive, paused or not, so the broker keeps the connection while a
// batch waits; a broker silent for 1.5 keepalives while we read is taken as gone.
void MqttSubscriber::arm_keepalive() {
  const uint64_t generation = generation_;
  keepalive_timer_.expires_after(std::chrono::milliseconds(keepalive_s_ * 500));
  keepalive_timer_.async_wait([this, generation](const boost::system::error_code &error) {
    if (error || generation != generation_ || stopping_) return;
    const auto silent = std::chrono::steady_clock::now() - last_received_;
    if (!paused_ && silent > std::chrono::milliseconds(keepalive_s_ * 1500)) {
      return drop_connection("broker " + options_.broker + " silent for " +
                             std::to_string(keepalive_s_ * 3 / 2) + " s (mqtt.keepalive_s)");
    }
    send(mqtt::encode_pingreq());
    arm_keepalive();
  });
}

void MqttSubscriber::drop_connection(const std::string &why) {
  ++generation_;
  boost::system::error_code ignored;
  socket_.close(ignored);
  keepalive_timer_.cancel();
  retry_timer_.cancel();
  // Whatever was not acknowledged stays with the broker and comes again after the reconnect.
  batch_.clear();
  batch_ack_ids_.clear();
  input_.clear();
  input_begin_ = 0;
  writes_.clear();
  writing_ = false;
  paused_ = false;
  connected_ = false;
  if (subscribed_) {
    set_subscribed(false, why);
  } else if (failed_attempts_++ % 30 == 0) {
    log_line(LogLevel::kWarning, why + "; retrying");
  }
  if (stopping_) return;
  reconnect_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  reconnect_timer_.async_wait([this](const boost::system::error_code &error) {
    if (!error) connect();
  });
}

void MqttSubscriber::set_subscribed(bool subscribed, const std::string &why) {
  if (subscribed == subscribed_) return;
  subscribed_ = subscribed;
  log_line(subscribed ? LogLevel::kInfo : LogLevel::kWarning,
           subscribed ? why : why + "; reconnecting");
  if (on_state_) on_state_(subscribed, why);
}

}  // namespace sotto::gw
