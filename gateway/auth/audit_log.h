// The audit log's writer: every operator action and every refused request becomes one row
// (AuditRow, trust_rows.h) through the store's TrustWriter. Refusals of callers without a valid
// token are capped at kMaxAnonymousRefusalsPerMinute rows a minute and the rest counted into
// one summary row, so a flood of bad requests cannot fill the gateway's disk.
//
// Never throws: a row that cannot be written (disk full, database locked for 5 s) is logged and
// counted in write_failures(); the action it describes has already happened.
//
// Written at once through a TrustWriter (sottoctl, tests), or queued for the thread that owns
// the store's writer (sottod: the store writer thread, so the audit log adds no second writer
// and no request waits for its row to commit). Queued rows are written in order, each before
// any write queued after it; a clean stop writes them all, and a crash (kill -9, power cut)
// can lose only the rows of requests answered in the moment before it, never the actions they
// describe, which were committed before their row was queued.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "store.h"

namespace sotto::gw {

constexpr int64_t kMaxAnonymousRefusalsPerMinute = 120;

// Runs a write later, in order, on the thread that owns the store's writer.
using AuditQueue = std::function<void(std::function<void(TrustWriter &)>)>;

class AuditLog {
 public:
  explicit AuditLog(TrustWriter &writer) : writer_(&writer) {}
  explicit AuditLog(AuditQueue queue) : queue_(std::move(queue)) {}

  // time_ms 0 means now.
  void record(AuditRow row);
  // A refused request; anonymous ones (no token matched) count against the per-minute cap.
  void record_refusal(AuditRow row, bool anonymous);

  uint64_t write_failures() const { return write_failures_.load(); }
  uint64_t suppressed() const { return suppressed_total_.load(); }

 private:
  void write(TrustWriter &writer, const AuditRow &row);

  TrustWriter *writer_ = nullptr;
  AuditQueue queue_;
  int64_t minute_ = -1;
  int64_t minute_count_ = 0;
  int64_t suppressed_in_minute_ = 0;
  std::atomic<uint64_t> write_failures_{0};
  std::atomic<uint64_t> suppressed_total_{0};
};

// "local:<login name>" for sottoctl's local commands (token create, ...).
std::string local_user_name();

}  // namespace sotto::gw
