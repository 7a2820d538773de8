// Prometheus exposition of the ingest counters.
#include "metrics.h"

#include <cstdio>

namespace sotto::gw {

const char *reject_reason_name(RejectReason reason) {
  switch (reason) {
    case RejectReason::kUndecodable:
      return "undecodable";
    case RejectReason::kOversized:
      return "oversized";
    case RejectReason::kBadTopic:
      return "bad_topic";
    case RejectReason::kDeviceMismatch:
      return "device_mismatch";
    case RejectReason::kUnknownEnum:
      return "unknown_enum";
    case RejectReason::kCount:
      break;
  }
  return "unknown";
}

void Metrics::observe_commit(double seconds) {
  for (size_t i = 0; i < kCommitBuckets.size(); ++i) {
    if (seconds <= kCommitBuckets[i]) commit_buckets_[i]++;
  }
  commit_count_++;
  commit_nanoseconds_ += static_cast<uint64_t>(seconds * 1e9);
}

std::string Metrics::render() const {
  std::string out;
  auto counter = [&out](const char *name, const char *help, uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name +
           " " + std::to_string(value) + "\n";
  };
  auto gauge = [&out](const char *name, const char *help, int64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name +
           " " + std::to_string(value) + "\n";
  };
  counter("sotto_ingest_messages_total", "MQTT messages received.", messages);
  counter("sotto_ingest_events_stored_total", "Events stored for the first time.", events_stored);
  counter("sotto_ingest_duplicates_total", "Redelivered events already stored (not stored again).",
          duplicates);
  counter("sotto_ingest_events_without_boot_total",
          "Events stored before any Health of their device.", events_without_boot);
  counter("sotto_ingest_health_total", "Health messages recorded.", health);
  out +=
      "# HELP sotto_ingest_rejected_total Messages rejected, by reason.\n# TYPE "
      "sotto_ingest_rejected_total counter\n";
  for (size_t i = 0; i < rejected.size(); ++i) {
    out += std::string("sotto_ingest_rejected_total{reason=\"") +
           reject_reason_name(static_cast<RejectReason>(i)) + "\"} " +
           std::to_string(rejected[i].load()) + "\n";
  }
  gauge("sotto_ingest_journal_bytes",
        "Journal bytes acknowledged to the broker and not yet committed to the store.",
        journal_bytes);
  gauge("sotto_ingest_backpressure",
        "1 while the journal takes nothing (disk full, backlog limit): nothing is acknowledged.",
        backpressure);
  counter("sotto_ingest_backpressure_episodes_total", "Times ingest paused on backpressure.",
          backpressure_episodes);
  gauge("sotto_store_stalled", "1 while the store cannot commit (lock held, disk full).",
        store_stalled);
  counter("sotto_store_stall_episodes_total", "Times the store stopped committing.",
          store_stall_episodes);
  counter("sotto_store_retention_deleted_total",
          "Events and quarantined messages deleted past store.retention_days.", retention_deleted);
  gauge("sotto_devices_known", "Devices in the registry.", devices_known);
  gauge("sotto_mqtt_connected", "1 while connected and subscribed to the fleet's topics.",
        mqtt_connected);
  out +=
      "# HELP sotto_store_commit_seconds Time to apply and commit one ingest batch.\n"
      "# TYPE sotto_store_commit_seconds histogram\n";
  for (size_t i = 0; i < kCommitBuckets.size(); ++i) {
    char bound[32];
    std::snprintf(bound, sizeof bound, "%g", kCommitBuckets[i]);
    out += std::string("sotto_store_commit_seconds_bucket{le=\"") + bound + "\"} " +
           std::to_string(commit_buckets_[i].load()) + "\n";
  }
  out += "sotto_store_commit_seconds_bucket{le=\"+Inf\"} " + std::to_string(commit_count_.load()) +
         "\n";
  char sum[32];
  std::snprintf(sum, sizeof sum, "%.9f", static_cast<double>(commit_nanoseconds_.load()) / 1e9);
  out += std::string("sotto_store_commit_seconds_sum ") + sum + "\n";
  out += "sotto_store_commit_seconds_count " + std::to_string(commit_count_.load()) + "\n";
  return out;
}

}  // namespace sotto::gw
