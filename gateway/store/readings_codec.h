// Event readings as stored: per reading one byte of quantity and the value as a zigzag varint,
// so a typical reading takes 3 bytes instead of the 30 of a JSON object.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store_rows.h"

namespace sotto::gw {

std::vector<uint8_t> encode_readings(const std::vector<Reading> &readings);
// Throws std::runtime_error naming the byte offset when the bytes are not what encode wrote.
std::vector<Reading> decode_readings(const uint8_t *bytes, size_t size);

}  // namespace sotto::gw
