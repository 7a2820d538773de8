// Where the updater keeps its state in the STATE region, and the little-endian helpers the
// record and progress code share.
#ifndef SOTTO_OTA_LAYOUT_H
#define SOTTO_OTA_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/device.h"
#include "sotto/ota.h"

namespace sotto {

// STATE sectors (after the runtime's reserved ones): two alternating state records, one
// progress log, two alternating trusted-key lists (SOTTO_OTA_STATE_SECTORS in all).
constexpr uint32_t kRecordSectorFirst = SOTTO_DEVICE_STATE_RESERVED_SECTORS;
constexpr uint32_t kProgressSector = SOTTO_DEVICE_STATE_RESERVED_SECTORS + 2;
constexpr uint32_t kKeyListSectorFirst = SOTTO_DEVICE_STATE_RESERVED_SECTORS + 3;
static_assert(kKeyListSectorFirst + 2 ==
                  SOTTO_DEVICE_STATE_RESERVED_SECTORS + SOTTO_OTA_STATE_SECTORS,
              "STATE layout");

inline uint32_t state_sector_offset(const sotto_storage_port_t &storage, uint32_t sector) {
  return sector * storage.sector_bytes(storage.ctx);
}

inline sotto_storage_region_t slot_region(uint8_t slot) {
  return slot == SOTTO_OTA_SLOT_B ? SOTTO_REGION_SLOT_B : SOTTO_REGION_SLOT_A;
}

inline void put_u16(uint8_t *p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}
inline void put_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}
// memcmp is outside the SDK's freestanding allowance (memcpy, memset, memmove, strlen).
inline bool bytes_equal(const void *a, const void *b, size_t len) {
  const auto *x = static_cast<const uint8_t *>(a);
  const auto *y = static_cast<const uint8_t *>(b);
  uint8_t diff = 0;
  for (size_t i = 0; i < len; ++i) {
    diff = static_cast<uint8_t>(diff | (x[i] ^ y[i]));
  }
  return diff == 0;
}

inline uint16_t get_u16(const uint8_t *p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t get_u32(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = (v << 8) | p[i];
  }
  return v;
}
inline uint64_t get_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    v = (v << 8) | p[i];
  }
  return v;
}

}  // namespace sotto

#endif  // SOTTO_OTA_LAYOUT_H
