// MQTT 5 packet codec for the ingest client (see the header). Section numbers are OASIS MQTT 5.0.
#include "mqtt_packets.h"

namespace sotto::gw::mqtt {
namespace {

// Reads a packet body front to back; every read checks what is left.
class Reader {
 public:
  Reader(const uint8_t *data, size_t size, const char *packet)
      : data_(data), size_(size), packet_(packet) {}

  size_t left() const { return size_ - at_; }
  const uint8_t *here() const { return data_ + at_; }

  uint8_t byte() {
    need(1, "a byte");
    return data_[at_++];
  }
  uint16_t u16() {
    need(2, "a two-byte integer");
    const uint16_t value = static_cast<uint16_t>((data_[at_] << 8) | data_[at_ + 1]);
    at_ += 2;
    return value;
  }
  uint32_t u32() {
    need(4, "a four-byte integer");
    const uint32_t value = (uint32_t{data_[at_]} << 24) | (uint32_t{data_[at_ + 1]} << 16) |
                           (uint32_t{data_[at_ + 2]} << 8) | data_[at_ + 3];
    at_ += 4;
    return value;
  }
  // Variable Byte Integer (1.5.5): at most four bytes.
  uint32_t varint() {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const uint8_t next = byte();
      value |= uint32_t{next & 0x7fu} << (7 * i);
      if ((next & 0x80) == 0) return value;
    }
    fail("a variable byte integer longer than 4 bytes");
  }
  std::string string() {
    const uint16_t length = u16();
    need(length, "a string of " + std::to_string(length) + " bytes");
    std::string text(reinterpret_cast<const char *>(data_ + at_), length);
    at_ += length;
    return text;
  }
  void skip(size_t bytes, const std::string &what) {
    need(bytes, what);
    at_ += bytes;
  }

  // Walks a property list (2.2.2), calling on_property(id, reader) for the ones it wants to
  // read; the others are skipped by their type.
  template <typename OnProperty>
  void properties(OnProperty on_property) {
    const uint32_t length = varint();
    need(length, "properties of " + std::to_string(length) + " bytes");
    const size_t end = at_ + length;
    while (at_ < end) {
      const uint8_t id = byte();
      if (on_property(id, *this)) continue;
      switch (id) {
        case 0x01:
        case 0x17:
        case 0x19:
        case 0x24:
        case 0x25:
        case 0x28:
        case 0x29:
        case 0x2a:
          skip(1, "a byte property");
          break;
        case 0x13:
        case 0x21:
        case 0x22:
        case 0x23:
          skip(2, "a two-byte property");
          break;
        case 0x02:
        case 0x11:
        case 0x18:
        case 0x27:
          skip(4, "a four-byte property");
          break;
        case 0x0b:
          varint();
          break;
        case 0x03:
        case 0x08:
        case 0x09:
        case 0x12:
        case 0x15:
        case 0x16:
        case 0x1a:
        case 0x1c:
        case 0x1f:
          string();
          break;
        case 0x26:
          string();
          string();
          break;
        default:
          fail("unknown property identifier " + std::to_string(id));
      }
    }
    if (at_ != end) fail("a property running past the property length");
  }

  [[noreturn]] void fail(const std::string &what) const {
    throw PacketError(std::string(packet_) + ": " + what + " at byte " + std::to_string(at_) +
                      " of " + std::to_string(size_));
  }

 private:
  void need(size_t bytes, const std::string &what) const {
    if (left() < bytes) fail("expected " + what + ", only " + std::to_string(left()) + " left");
  }

  const uint8_t *data_;
  size_t size_;
  size_t at_ = 0;
  const char *packet_;
};

void put_u16(std::vector<uint8_t> &out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value & 0xff));
}

void put_u32(std::vector<uint8_t> &out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

void put_varint(std::vector<uint8_t> &out, uint32_t value) {
  do {
    const uint8_t low = value & 0x7f;
    value >>= 7;
    out.push_back(static_cast<uint8_t>(low | (value != 0 ? 0x80 : 0)));
  } while (value != 0);
}

void put_string(std::vector<uint8_t> &out, const std::string &text) {
  put_u16(out, static_cast<uint16_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
}

// Fixed header (2.1.1) in front of a finished body.
std::vector<uint8_t> packet(uint8_t first_byte, const std::vector<uint8_t> &body) {
  std::vector<uint8_t> out{first_byte};
  put_varint(out, static_cast<uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace

std::optional<RawPacket> split_packet(const uint8_t *data, size_t size, size_t max_bytes) {
  if (size < 2) return std::nullopt;
  uint32_t remaining = 0;
  size_t at = 1;
  for (int i = 0;; ++i) {
    if (i == 4) throw PacketError("fixed header: remaining length longer than 4 bytes");
    if (at >= size) return std::nullopt;
    const uint8_t next = data[at++];
    remaining |= uint32_t{next & 0x7fu} << (7 * i);
    if ((next & 0x80) == 0) break;
  }
  if (at + remaining > max_bytes) {
    throw PacketError("fixed header: a packet of " + std::to_string(at + remaining) +
                      " bytes, larger than the " + std::to_string(max_bytes) + " accepted");
  }
  if (size - at < remaining) return std::nullopt;
  return RawPacket{data[0], data + at, remaining, at + remaining};
}

Connack decode_connack(const RawPacket &packet) {
  Reader in(packet.body, packet.body_bytes, "CONNACK");
  Connack connack;
  connack.session_present = (in.byte() & 1) != 0;
  connack.reason_code = in.byte();
  if (in.left() > 0) {
    in.properties([&](uint8_t id, Reader &reader) {
      if (id != 0x13) return false;
      connack.server_keepalive_s = reader.u16();
      return true;
    });
  }
  return connack;
}

Suback decode_suback(const RawPacket &packet) {
  Reader in(packet.body, packet.body_bytes, "SUBACK");
  Suback suback;
  suback.packet_id = in.u16();
  in.properties([](uint8_t, Reader &) { return false; });
  while (in.left() > 0) suback.reason_codes.push_back(in.byte());
  if (suback.reason_codes.empty()) in.fail("no reason codes");
  return suback;
}

Publish decode_publish(const RawPacket &packet) {
  Reader in(packet.body, packet.body_bytes, "PUBLISH");
  Publish publish;
  publish.qos = (packet.first_byte >> 1) & 3;
  publish.dup = (packet.first_byte & 0x08) != 0;
  if (publish.qos == 3) in.fail("QoS 3");
  publish.topic = in.string();
  if (publish.qos > 0) {
    publish.packet_id = in.u16();
    if (publish.packet_id == 0) in.fail("packet identifier 0");
  }
  in.properties([](uint8_t, Reader &) { return false; });
  // A topic alias was never allowed (no Topic Alias Maximum in CONNECT), so a topic is required.
  if (publish.topic.empty()) in.fail("an empty topic name");
  publish.payload = in.here();
  publish.payload_bytes = in.left();
  return publish;
}

Disconnect decode_disconnect(const RawPacket &packet) {
  Reader in(packet.body, packet.body_bytes, "DISCONNECT");
  Disconnect disconnect;
  if (in.left() > 0) disconnect.reason_code = in.byte();
  return disconnect;
}

std::vector<uint8_t> encode_connect(const ConnectOptions &options) {
  std::vector<uint8_t> body;
  put_string(body, "MQTT");
  body.push_back(5);                                  // protocol version
  body.push_back(options.clean_start ? 0x02 : 0x00);  // no will, user name or password
  put_u16(body, options.keepalive_s);
  std::vector<uint8_t> properties;
  properties.push_back(0x11);  // Session Expiry Interval
  put_u32(properties, options.session_expiry_s);
  properties.push_back(0x21);  // Receive Maximum
  put_u16(properties, options.receive_maximum);
  if (options.maximum_packet_bytes > 0) {
    properties.push_back(0x27);  // Maximum Packet Size
    put_u32(properties, options.maximum_packet_bytes);
  }
  put_varint(body, static_cast<uint32_t>(properties.size()));
  body.insert(body.end(), properties.begin(), properties.end());
  put_string(body, options.client_id);
  return packet(static_cast<uint8_t>(PacketType::kConnect) << 4, body);
}

std::vector<uint8_t> encode_subscribe(uint16_t packet_id, const std::vector<std::string> &filters) {
  std::vector<uint8_t> body;
  put_u16(body, packet_id);
  body.push_back(0);  // no properties
  for (const std::string &filter : filters) {
    put_string(body, filter);
    body.push_back(0x01);  // maximum QoS 1, no local off, retain handling 0
  }
  return packet((static_cast<uint8_t>(PacketType::kSubscribe) << 4) | 0x02, body);
}

void append_puback(std::vector<uint8_t> &out, uint16_t packet_id) {
  // Remaining length 2: reason code 0 (success) and no properties may be left out (3.4.2.1).
  out.push_back(static_cast<uint8_t>(PacketType::kPuback) << 4);
  out.push_back(2);
  put_u16(out, packet_id);
}

std::vector<uint8_t> encode_pingreq() {
  return {static_cast<uint8_t>(static_cast<uint8_t>(PacketType::kPingreq) << 4), 0};
}

std::vector<uint8_t> encode_disconnect() {
  return {static_cast<uint8_t>(static_cast<uint8_t>(PacketType::kDisconnect) << 4), 0};
}

std::string reason_code_name(uint8_t code) {
  switch (code) {
    case 0x00:
      return "success";
    case 0x80:
      return "unspecified error";
    case 0x81:
      return "malformed packet";
    case 0x82:
      return "protocol error";
    case 0x84:
      return "unsupported protocol version";
    case 0x85:
      return "client identifier not valid";
    case 0x86:
      return "bad user name or password";
    case 0x87:
      return "not authorized";
    case 0x88:
      return "server unavailable";
    case 0x89:
      return "server busy";
    case 0x8a:
      return "banned";
    case 0x8d:
      return "keep alive timeout";
    case 0x8e:
      return "session taken over";
    case 0x8f:
      return "topic filter invalid";
    case 0x95:
      return "packet too large";
    case 0x97:
      return "quota exceeded";
    case 0x9c:
      return "use another server";
    case 0x9f:
      return "connection rate exceeded";
    default:
      return "reason code " + std::to_string(code);
  }
}

}  // namespace sotto::gw::mqtt
