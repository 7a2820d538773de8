// Compact readings: quantity byte, zigzag varint value (see the header).
#include "readings_codec.h"

#include <stdexcept>

namespace sotto::gw {

std::vector<uint8_t> encode_readings(const std::vector<Reading> &readings) {
  std::vector<uint8_t> out;
  for (const Reading &reading : readings) {
    out.push_back(static_cast<uint8_t>(reading.quantity));
    const int64_t value = reading.value;
    uint64_t zigzag = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
    do {
      const uint8_t low = zigzag & 0x7f;
      zigzag >>= 7;
      out.push_back(static_cast<uint8_t>(low | (zigzag != 0 ? 0x80 : 0)));
    } while (zigzag != 0);
  }
  return out;
}

std::vector<Reading> decode_readings(const uint8_t *bytes, size_t size) {
  std::vector<Reading> readings;
  size_t at = 0;
  while (at < size) {
    Reading reading;
    reading.quantity = bytes[at++];
    uint64_t zigzag = 0;
    unsigned shift = 0;
    while (true) {
      if (at >= size || shift > 35) {
        throw std::runtime_error("stored readings: value at byte " + std::to_string(at) + " of " +
                                 std::to_string(size) + " is cut off or too long");
      }
      const uint8_t byte = bytes[at++];
      zigzag |= uint64_t{byte & 0x7fu} << shift;
      shift += 7;
      if ((byte & 0x80) == 0) break;
    }
    reading.value =
        static_cast<int32_t>(static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1));
    readings.push_back(reading);
  }
  return readings;
}

}  // namespace sotto::gw
