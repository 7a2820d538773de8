// The audit log's writer: every operator action and every refused request becomes one row
// (AuditRow, trust_rows.h) through the store's TrustWriter. Refusals of callers without a valid
// token are capped at kMaxAnonymousRefusalsPerMinute rows a minute and the rest counted into
// one summary row, so a flood of bad requests cannot fill the gateway's disk.
//
// Never throws: a row that cannot be written (disk full, database locked for 5 s) is logged and
// counted in write_failures(); the action it describes has already happened.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "store.h"

namespace sotto::gw {

constexpr int64_t kMaxAnonymousRefusalsPerMinute = 120;

class AuditLog {
 public:
  explicit AuditLog(TrustWriter &writer) : writer_(writer) {}

  // time_ms 0 means now.
  void record(AuditRow row);
  // A refused request; anonymous ones (no token matched) count against the per-minute cap.
  void record_refusal(AuditRow row, bool anonymous);

  uint64_t write_failures() const { return write_failures_.load(); }
  uint64_t suppressed() const { return suppressed_total_.load(); }

 private:
  TrustWriter &writer_;
  int64_t minute_ = -1;
  int64_t minute_count_ = 0;
  int64_t suppressed_in_minute_ = 0;
  std::atomic<uint64_t> write_failures_{0};
  std::atomic<uint64_t> suppressed_total_{0};
};

// "local:<login name>" for sottoctl's local commands (token create, ...).
std::string local_user_name();

}  // namespace sotto::gw
