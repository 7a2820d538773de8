// CRC-32 (IEEE 802.3, reflected), bitwise: no 1 KiB table in flash for values computed a few
// times per message. Shared by the Health device tag and the flash queue's records.
#ifndef SOTTO_COMMON_CRC32_H
#define SOTTO_COMMON_CRC32_H

#include <stddef.h>
#include <stdint.h>

namespace sotto {

// Continues a CRC: start with kCrc32Start, feed bytes, finish with crc32_finish.
constexpr uint32_t kCrc32Start = 0xffffffffu;

inline uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  }
  return crc;
}

inline uint32_t crc32_finish(uint32_t crc) {
  return ~crc;
}

inline uint32_t crc32(const uint8_t *data, size_t len) {
  return crc32_finish(crc32_update(kCrc32Start, data, len));
}

}  // namespace sotto

#endif  // SOTTO_COMMON_CRC32_H
