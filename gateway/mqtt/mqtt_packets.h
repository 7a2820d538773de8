// The MQTT 5 packets a subscribing client needs, encoded and decoded by hand (OASIS MQTT 5.0):
// CONNECT, CONNACK, SUBSCRIBE, SUBACK, PUBLISH (received), PUBACK, PINGREQ, PINGRESP,
// DISCONNECT. sottod's ingest client is written on these instead of on Paho because Paho
// acknowledges a QoS 1 message when its callback returns and offers no way to acknowledge
// later; here the acknowledgement is the caller's to send, after the message is on disk.
//
// Decoders take bytes from the network: every length is checked against what arrived, and a
// malformed packet is a named error (PacketError), never a read past the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sotto::gw::mqtt {

enum class PacketType : uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kSubscribe = 8,
  kSuback = 9,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};

class PacketError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConnectOptions {
  std::string client_id;
  bool clean_start = false;
  uint16_t keepalive_s = 30;
  uint32_t session_expiry_s = 0;
  uint16_t receive_maximum = 65535;   // QoS 1 messages the broker may send before our PUBACKs
  uint32_t maximum_packet_bytes = 0;  // 0: no limit announced
};

// One whole packet at the front of a buffer.
struct RawPacket {
  uint8_t first_byte = 0;         // type in the high nibble, flags in the low one
  const uint8_t *body = nullptr;  // variable header and payload
  size_t body_bytes = 0;
  size_t total_bytes = 0;  // including the fixed header
  PacketType type() const { return static_cast<PacketType>(first_byte >> 4); }
};

// The packet at the front of data, or nullopt while it has not fully arrived. Throws
// PacketError when the fixed header is malformed or the packet is larger than max_bytes.
std::optional<RawPacket> split_packet(const uint8_t *data, size_t size, size_t max_bytes);

struct Connack {
  bool session_present = false;
  uint8_t reason_code = 0;  // 0 = success
  std::optional<uint16_t> server_keepalive_s;
};

struct Suback {
  uint16_t packet_id = 0;
  std::vector<uint8_t> reason_codes;  // one per filter: 0..2 granted QoS, >= 0x80 refused
};

struct Publish {
  uint8_t qos = 0;
  bool dup = false;
  uint16_t packet_id = 0;  // 0 for QoS 0
  std::string topic;
  const uint8_t *payload = nullptr;  // into the RawPacket's buffer
  size_t payload_bytes = 0;
};

struct Disconnect {
  uint8_t reason_code = 0;
};

Connack decode_connack(const RawPacket &packet);
Suback decode_suback(const RawPacket &packet);
Publish decode_publish(const RawPacket &packet);
Disconnect decode_disconnect(const RawPacket &packet);

std::vector<uint8_t> encode_connect(const ConnectOptions &options);
// Subscribes to each filter with maximum QoS 1.
std::vector<uint8_t> encode_subscribe(uint16_t packet_id, const std::vector<std::string> &filters);
void append_puback(std::vector<uint8_t> &out, uint16_t packet_id);
std::vector<uint8_t> encode_pingreq();
std::vector<uint8_t> encode_disconnect();  // normal disconnection: the session stays

// MQTT 5 reason codes a log can name ("not authorized", ...); the number for others.
std::string reason_code_name(uint8_t code);

}  // namespace sotto::gw::mqtt
