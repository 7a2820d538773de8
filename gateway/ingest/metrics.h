// Ingest and store counters, written by the ingest and writer threads and read by the HTTP loop
// (atomics),
// rendered in Prometheus text format.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace sotto::gw {

enum class RejectReason {
  kUndecodable,
  kOversized,
  kBadTopic,
  kDeviceMismatch,
  kUnknownEnum,
  kCount
};
const char *reject_reason_name(RejectReason reason);

class Metrics {
 public:
  // Upper bounds of the store commit latency histogram, in seconds.
  static constexpr std::array<double, 8> kCommitBuckets = {0.0001, 0.00025, 0.0005, 0.001,
                                                           0.0025, 0.01,    0.1,    1.0};

  std::atomic<uint64_t> messages{0};
  std::atomic<uint64_t> events_stored{0};
  std::atomic<uint64_t> events_without_boot{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> health{0};
  std::atomic<int64_t> journal_bytes{0};  // acknowledged, not yet in the store
  std::atomic<int64_t> devices_known{0};
  std::atomic<int> mqtt_connected{0};
  std::atomic<int> backpressure{0};  // 1 while nothing is acknowledged (IngestHealth)
  std::atomic<uint64_t> backpressure_episodes{0};
  std::atomic<int> store_stalled{0};  // 1 while the store cannot commit
  std::atomic<uint64_t> store_stall_episodes{0};
  std::atomic<uint64_t> retention_deleted{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(RejectReason::kCount)> rejected{};

  void reject(RejectReason reason) { rejected[static_cast<size_t>(reason)]++; }
  void observe_commit(double seconds);
  std::string render() const;

 private:
  std::array<std::atomic<uint64_t>, kCommitBuckets.size()> commit_buckets_{};
  std::atomic<uint64_t> commit_count_{0};
  std::atomic<uint64_t> commit_nanoseconds_{0};
};

}  // namespace sotto::gw
