// Whether ingest is healthy, and why not: subscribed to the broker, taking messages into the
// journal (not in backpressure), and the store writing. Each change is logged once and shown in
// /healthz and /metrics. Thread-safe: the ingest thread, the writer thread and the HTTP loop
// all touch it.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "metrics.h"

namespace sotto::gw {

class IngestHealth {
 public:
  explicit IngestHealth(Metrics &metrics) : metrics_(metrics) {}

  void set_subscribed(bool subscribed);
  // The journal could not take a batch: nothing is acknowledged until it can.
  void journal_refused(const std::string &why);
  void journal_accepted();
  // The store could not commit a batch (it stays in the journal and is retried).
  void store_stalled(const std::string &why);
  void store_writing();

  struct View {
    bool subscribed = false;
    std::optional<std::string> backpressure;  // why the journal refuses
    std::optional<std::string> store_stall;   // why the store does not commit
    bool healthy() const { return subscribed && !backpressure && !store_stall; }
  };
  View view() const;

 private:
  using Clock = std::chrono::steady_clock;

  Metrics &metrics_;
  mutable std::mutex mutex_;
  View view_;
  Clock::time_point backpressure_since_, stall_since_;
};

}  // namespace sotto::gw
