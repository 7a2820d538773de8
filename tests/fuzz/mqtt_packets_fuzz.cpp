// libFuzzer: bytes from the broker into sottod's MQTT 5 packet decoders. Every malformed packet
// must be a PacketError; nothing may read outside the input (ASan) or loop for ever.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../gateway/mqtt/mqtt_packets.h"

namespace mqtt = sotto::gw::mqtt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t at = 0;
  try {
    while (at < size) {
      auto packet = mqtt::split_packet(data + at, size - at, 1 << 20);
      if (!packet) break;
      if (packet->total_bytes == 0 || packet->total_bytes > size - at) abort();
      at += packet->total_bytes;
      switch (packet->type()) {
        case mqtt::PacketType::kPublish: {
          const mqtt::Publish publish = mqtt::decode_publish(*packet);
          if (publish.payload + publish.payload_bytes != packet->body + packet->body_bytes) abort();
          if (publish.topic.empty() || publish.qos > 2) abort();
          break;
        }
        case mqtt::PacketType::kConnack:
          mqtt::decode_connack(*packet);
          break;
        case mqtt::PacketType::kSuback:
          if (mqtt::decode_suback(*packet).reason_codes.empty()) abort();
          break;
        case mqtt::PacketType::kDisconnect:
          mqtt::decode_disconnect(*packet);
          break;
        default:
          break;
      }
    }
  } catch (const mqtt::PacketError &) {
  }
  return 0;
}
