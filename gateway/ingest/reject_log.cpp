// Rate-limited reject logging.
#include "reject_log.h"

#include "log.h"

namespace sotto::gw {

void RejectLog::note(RejectReason reason, const std::string &detail, int64_t now_ms) {
  Window &window = windows_[static_cast<size_t>(reason)];
  const char *name = reject_reason_name(reason);
  if (window.started_ms >= 0 && now_ms - window.started_ms < interval_ms_) {
    window.suppressed++;
    return;
  }
  if (window.suppressed > 0) {
    log_line(LogLevel::kWarning, "rejected " + std::to_string(window.suppressed) + " more " + name +
                                     " messages in the last window");
  }
  log_line(LogLevel::kWarning, std::string("rejected ") + name + " message: " + detail);
  window.started_ms = now_ms;
  window.suppressed = 0;
}

}  // namespace sotto::gw
