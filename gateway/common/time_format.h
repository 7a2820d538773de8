// Wall-clock milliseconds and their ISO-8601 UTC text ("2026-11-25T05:10:00.123Z").
#pragma once

#include <cstdint>
#include <string>

namespace sotto::gw {

int64_t now_ms();
std::string iso8601_utc(int64_t unix_ms);

}  // namespace sotto::gw
