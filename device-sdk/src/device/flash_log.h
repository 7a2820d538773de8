// The flash queue's on-flash format (format 1), as pure functions over bytes so that recovery,
// tests and the fuzzer read flash the same way. Little-endian throughout.
//
// Sector header, at offset 0 of every sector in use (SOTTO_FLASH_QUEUE_SECTOR_HEADER_BYTES):
//   0  'Q' '1'        magic and format
//   2  seq u32        open sequence number, 1, 2, ... (a sector's place in the ring)
//   6  live_from u32  the oldest sequence still live when this sector was opened: older sectors
//                     were given up (their unsent events dropped) and may be partly erased
//  10  boot_id u32    boot of the records at the start of this sector
//  14  check u32      CRC-32 of bytes 0..13
// Records follow back to back until the first erased byte:
//   0  flags          bit 7: 1 = waiting, 0 = sent (cleared in place when sent)
//                     bit 6: 1 = event, 0 = boot marker; bits 0..5: payload length
//   1  payload        an encoded Event (1..41 bytes), or a boot marker's boot id (4 bytes)
//   n  check u16      low 16 bits of the CRC-32 of the flags (with bit 7 set) and the payload
// A record that fails any check (a write torn by a power cut) ends its sector's records.
#ifndef SOTTO_DEVICE_FLASH_LOG_H
#define SOTTO_DEVICE_FLASH_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/crc32.h"
#include "sotto/device.h"

namespace sotto {
namespace flash_log {

constexpr uint32_t kHeaderBytes = SOTTO_FLASH_QUEUE_SECTOR_HEADER_BYTES;
constexpr uint32_t kCheckBytes = 2;
constexpr uint32_t kMaxPayloadBytes = SOTTO_EVENT_MAX_ENCODED_BYTES;
constexpr uint32_t kMaxRecordBytes = 1 + kMaxPayloadBytes + kCheckBytes;
constexpr uint32_t kBootMarkerBytes = SOTTO_FLASH_QUEUE_BOOT_MARKER_BYTES;
constexpr uint8_t kWaitingBit = 0x80;
constexpr uint8_t kEventBit = 0x40;
constexpr uint8_t kLengthMask = 0x3f;
constexpr uint8_t kErasedByte = 0xff;
static_assert(1 + 4 + kCheckBytes == kBootMarkerBytes, "boot marker size");
static_assert(kMaxPayloadBytes <= kLengthMask, "payload length must fit the flags byte");

struct SectorHeader {
  uint32_t seq;
  uint32_t live_from;
  uint32_t boot_id;
};

inline void put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

inline uint32_t get_u32(const uint8_t *p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

inline void encode_header(const SectorHeader &header, uint8_t out[kHeaderBytes]) {
  out[0] = 'Q';
  out[1] = '1';
  put_u32(out + 2, header.seq);
  put_u32(out + 6, header.live_from);
  put_u32(out + 10, header.boot_id);
  put_u32(out + 14, crc32(out, 14));
}

// False unless the magic and check hold and the numbers are possible (seq >= 1, live_from in
// 1..seq).
inline bool decode_header(const uint8_t in[kHeaderBytes], SectorHeader *out) {
  if (in[0] != 'Q' || in[1] != '1' || get_u32(in + 14) != crc32(in, 14)) {
    return false;
  }
  out->seq = get_u32(in + 2);
  out->live_from = get_u32(in + 6);
  out->boot_id = get_u32(in + 10);
  return out->seq != 0 && out->live_from != 0 && out->live_from <= out->seq;
}

inline uint16_t record_check(uint8_t flags, const uint8_t *payload, uint32_t len) {
  const uint8_t waiting = static_cast<uint8_t>(flags | kWaitingBit);
  uint32_t crc = crc32_update(kCrc32Start, &waiting, 1);
  crc = crc32_update(crc, payload, len);
  return static_cast<uint16_t>(crc32_finish(crc));
}

// Writes a record into out (room for 1 + len + kCheckBytes); returns its size.
inline uint32_t encode_record(uint8_t flags, const uint8_t *payload, uint32_t len, uint8_t *out) {
  out[0] = flags;
  for (uint32_t i = 0; i < len; ++i) {
    out[1 + i] = payload[i];
  }
  const uint16_t check = record_check(flags, payload, len);
  out[1 + len] = static_cast<uint8_t>(check);
  out[2 + len] = static_cast<uint8_t>(check >> 8);
  return 1 + len + kCheckBytes;
}

inline uint32_t encode_event(const uint8_t *data, uint32_t len, uint8_t *out) {
  return encode_record(static_cast<uint8_t>(kWaitingBit | kEventBit | len), data, len, out);
}

inline uint32_t encode_boot_marker(uint32_t boot_id, uint8_t *out) {
  uint8_t id[4];
  put_u32(id, boot_id);
  return encode_record(static_cast<uint8_t>(kWaitingBit | 4u), id, 4, out);
}

enum class RecordKind { kErased, kBad, kEvent, kBootMarker };

struct Record {
  RecordKind kind = RecordKind::kBad;
  uint32_t bytes = 0;        // the whole record, flags to check
  uint32_t payload_len = 0;  // events: the encoded event's length (payload at bytes + 1)
  uint32_t boot_id = 0;      // boot markers
  bool sent = false;         // events
};

// Parses the record at the start of `bytes`, of which `available` are readable before the end
// of the sector. Every length is checked against `available` before it is used.
inline Record parse_record(const uint8_t *bytes, uint32_t available) {
  Record record;
  if (available == 0) {
    record.kind = RecordKind::kErased;  // the sector is full up to its last byte
    return record;
  }
  const uint8_t flags = bytes[0];
  if (flags == kErasedByte) {
    record.kind = RecordKind::kErased;
    return record;
  }
  const uint32_t len = flags & kLengthMask;
  const bool event = (flags & kEventBit) != 0;
  const bool length_ok = event ? (len >= 1 && len <= kMaxPayloadBytes) : len == 4;
  if (!length_ok || (!event && (flags & kWaitingBit) == 0) || available < 1 + len + kCheckBytes) {
    return record;
  }
  const uint16_t check =
      static_cast<uint16_t>(bytes[1 + len] | (static_cast<uint16_t>(bytes[2 + len]) << 8));
  if (check != record_check(flags, bytes + 1, len)) {
    return record;
  }
  record.bytes = 1 + len + kCheckBytes;
  if (event) {
    record.kind = RecordKind::kEvent;
    record.payload_len = len;
    record.sent = (flags & kWaitingBit) == 0;
  } else {
    record.kind = RecordKind::kBootMarker;
    record.boot_id = get_u32(bytes + 1);
  }
  return record;
}

}  // namespace flash_log
}  // namespace sotto

#endif  // SOTTO_DEVICE_FLASH_LOG_H
