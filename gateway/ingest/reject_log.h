// Logs rejected messages once per reason per window: the first one of a window with its detail,
// the rest as a count when the window closes. A flood of bad input never floods the log.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "metrics.h"

namespace sotto::gw {

class RejectLog {
 public:
  explicit RejectLog(uint32_t interval_s) : interval_ms_(int64_t{interval_s} * 1000) {}
  void note(RejectReason reason, const std::string &detail, int64_t now_ms);

 private:
  struct Window {
    int64_t started_ms = -1;
    uint64_t suppressed = 0;
  };
  int64_t interval_ms_;
  std::array<Window, static_cast<size_t>(RejectReason::kCount)> windows_{};
};

}  // namespace sotto::gw
