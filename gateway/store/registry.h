// The device registry as ingest needs it in memory, and the batch that folds many messages into
// one store transaction. Backend-independent: it speaks only StoreWriter (store.h).
//
// Per device the registry keeps its keys and its current boot (boot origin, highest sequence
// number and uptime), which is what widening a 24-bit wire sequence number and dating an event
// need. An IngestBatch works on copies of the devices it touches and hands them back to the
// registry only when its transaction commits, so a failed commit leaves the registry as the
// database is and the same messages can be applied again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "sotto/messages.h"
#include "store.h"

namespace sotto::gw {

enum class EventOutcome { kStored, kDuplicate };

struct StoredEventInfo {
  EventOutcome outcome;
  bool boot_known;  // false: no Health of this device seen yet
  uint64_t seq;     // widened
};

class Registry {
 public:
  Registry(const RegistrySnapshot &snapshot, uint32_t aggregate_window_s);

  int64_t device_count() const { return static_cast<int64_t>(devices_.size()); }
  uint32_t aggregate_window_s() const { return aggregate_window_s_; }
  // How far the ingest journal was applied by the last committed batch.
  const JournalPosition &journal_position() const { return journal_; }

 private:
  friend class IngestBatch;
  struct Device {
    int64_t device_key = 0;
    int64_t site_key = 0;
    std::optional<BootRow> boot;
  };

  uint32_t aggregate_window_s_;
  std::unordered_map<std::string, Device> devices_;
  std::unordered_map<std::string, int64_t> site_keys_;
  int64_t next_site_key_ = 1;
  int64_t next_device_key_ = 1;
  int64_t next_boot_key_ = 1;
  JournalPosition journal_;
};

// One write transaction of ingest. Rows that depend on the whole batch (a device's newest Health
// and activity, its boot, the aggregates) are folded in memory and written once at commit.
class IngestBatch {
 public:
  IngestBatch(Registry &registry, StoreWriter &writer);  // begins the transaction
  ~IngestBatch();                                        // rolls back unless committed
  IngestBatch(const IngestBatch &) = delete;
  IngestBatch &operator=(const IngestBatch &) = delete;

  // received_ms is the gateway's clock when the message arrived.
  void record_health(const std::string &site, const std::string &device,
                     const sotto_health_t &health, int64_t received_ms);
  // Stores an event once per (device, boot, widened seq).
  StoredEventInfo record_event(const std::string &site, const std::string &device,
                               const sotto_event_t &event, int64_t received_ms);
  void quarantine(const QuarantineRow &row);
  // Writes the folded rows and the journal position, commits, and updates the registry.
  void commit(const JournalPosition &applied);

 private:
  using AggregateKey = std::tuple<int, int64_t, int64_t, int>;  // scope, key, window start, kind

  Registry::Device &touch(const std::string &site, const std::string &device, int64_t received_ms);
  int64_t site_key(const std::string &site);
  // The device's stored boot with this id, or a new one beginning at origin_ms.
  BootRow boot_for(const Registry::Device &device, const std::optional<int64_t> &boot_id,
                   int64_t origin_ms);
  void fold_aggregate(AggregateScope scope, int64_t key, int64_t window_start_ms,
                      const sotto_event_t &event);

  Registry &registry_;
  StoreWriter &writer_;
  bool done_ = false;
  std::unordered_map<std::string, Registry::Device> touched_;
  std::unordered_map<std::string, int64_t> new_sites_;
  int64_t next_site_key_, next_device_key_, next_boot_key_;
  std::map<int64_t, BootRow> boots_;
  std::map<int64_t, HealthRow> health_;
  std::map<int64_t, DeviceActivity> activity_;
  std::map<AggregateKey, AggregateDelta> aggregates_;
};

}  // namespace sotto::gw
