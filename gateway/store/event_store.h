// The ingest side of the store: one writer connection, one transaction per message, so an
// event is durable before the MQTT callback returns (see gateway/sottod/mqtt_ingest.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sotto/messages.h"
#include "sqlite.h"

namespace sotto::gw {

struct StoreOptions {
  std::string path;
  std::string synchronous = "normal";
  uint32_t aggregate_window_s = 3600;
};

enum class EventOutcome { kStored, kDuplicate };

struct StoredEventInfo {
  EventOutcome outcome;
  bool boot_known;  // false: no Health of this device seen yet
  uint64_t seq;     // widened
};

class EventStore {
 public:
  explicit EventStore(const StoreOptions &options);
  ~EventStore();

  // Records a Health (device registry, boot change). received_ms is the gateway's clock.
  void record_health(const std::string &site, const std::string &device,
                     const sotto_health_t &health, int64_t received_ms);
  // Stores an event once per (device, boot, widened seq).
  StoredEventInfo record_event(const std::string &site, const std::string &device,
                               const sotto_event_t &event, int64_t received_ms);
  int64_t device_count() const { return device_count_; }

 private:
  struct DeviceState;
  DeviceState &load_device(const std::string &device);

  StoreOptions options_;
  Database db_;
  std::map<std::string, std::unique_ptr<DeviceState>> devices_;  // cache of the registry rows
  int64_t device_count_ = 0;
  struct Statements;
  std::unique_ptr<Statements> statements_;
};

// Creates or upgrades the schema (idempotent); used by the writer at start-up.
void ensure_schema(Database &db);

}  // namespace sotto::gw
