// The rows the gateway keeps, as the storage seam (store.h) passes them: plain structs, no
// backend types. Keys (site_key, device_key, boot_key) are small integers the registry assigns,
// so events and aggregates never repeat a device or site name.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sotto::gw {

struct Reading {
  int quantity = 0;  // sotto_quantity_t
  int32_t value = 0;
  bool operator==(const Reading &other) const {
    return quantity == other.quantity && value == other.value;
  }
};

// ---- written by operators ---------------------------------------------------------------------

// A device class's name: devices report and bundles target the number, operators use the name.
struct DeviceClassRow {
  int64_t number = 0;  // 0..255
  std::string name;    // [a-z0-9][a-z0-9-]{0,31}, not all digits
};

// ---- written by ingest ------------------------------------------------------------------------

struct SiteRow {
  int64_t site_key = 0;
  std::string site;
};

struct NewDeviceRow {
  int64_t device_key = 0;
  std::string device_id;
  int64_t site_key = 0;
  int64_t first_seen_ms = 0;
};

// One boot of one device. boot_id is what the device reports in Health; nullopt for the
// pseudo-boot that holds events which arrived before any Health of the device.
struct BootRow {
  int64_t boot_key = 0;
  int64_t device_key = 0;
  std::optional<int64_t> boot_id;
  int64_t origin_ms = 0;                 // gateway time at which the boot began
  std::optional<int64_t> last_seq;       // highest widened sequence number stored
  std::optional<int64_t> last_uptime_s;  // highest widened uptime stored
};

// What the newest Health of a device says (the rest of its registry row).
struct HealthRow {
  int64_t device_key = 0;
  int64_t site_key = 0;
  int64_t boot_key = 0;  // the boot it reports becomes the device's current boot
  int64_t seen_ms = 0;
  int64_t model_id = 0;
  int64_t model_version = 0;
  int64_t sdk_version = 0;
  int64_t battery_mv = 0;
  int64_t device_class = 0;
  int64_t events_dropped = 0;
  int64_t events_queued = 0;
};

// Activity of a device within one write batch.
struct DeviceActivity {
  int64_t device_key = 0;
  int64_t site_key = 0;
  int64_t last_seen_ms = 0;
  int64_t events_stored = 0;  // added to the device's event count
};

struct EventRow {
  int64_t boot_key = 0;
  int64_t seq = 0;  // widened
  int64_t site_key = 0;
  int kind = 0;
  int class_id = 0;
  int score = 0;  // 0..255
  int64_t event_time_ms = 0;
  int64_t received_ms = 0;
  std::vector<Reading> readings;  // at most SOTTO_EVENT_MAX_READINGS
};

enum class AggregateScope { kDevice = 0, kSite = 1 };

// Added to one aggregate bucket: count and score sum are added, score max is the larger.
struct AggregateDelta {
  AggregateScope scope = AggregateScope::kDevice;
  int64_t scope_key = 0;
  int64_t window_s = 0;
  int64_t window_start_ms = 0;
  int kind = 0;
  int64_t count = 0;
  int64_t score_sum = 0;
  int64_t score_max = 0;
};

// A message that was acknowledged but cannot be stored as an event or Health: kept as received.
struct QuarantineRow {
  int64_t received_ms = 0;
  std::string reason;  // reject_reason_name(): undecodable, oversized, bad_topic, ...
  std::string topic;
  std::vector<uint8_t> payload;
};

// How far the ingest journal has been applied; written in the same transaction as the batch,
// so a replay after a crash starts exactly after the last committed batch.
struct JournalPosition {
  int64_t segment = 0;
  int64_t offset = 0;
  bool operator==(const JournalPosition &other) const {
    return segment == other.segment && offset == other.offset;
  }
};

// What the registry needs at start: every device with its current boot, and the next free keys.
struct RegistrySnapshot {
  struct Device {
    int64_t device_key = 0;
    std::string device_id;
    int64_t site_key = 0;
    std::optional<BootRow> boot;  // current boot; nullopt before any Health or event
  };
  std::vector<SiteRow> sites;
  std::vector<Device> devices;
  int64_t next_site_key = 1;
  int64_t next_device_key = 1;
  int64_t next_boot_key = 1;
  JournalPosition journal;
};

// ---- read by the API and CLI ------------------------------------------------------------------

struct DeviceRecord {
  std::string device_id;
  std::string site;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  std::optional<int64_t> boot_id;  // nullopt until the first Health
  int64_t model_id = 0;
  int64_t model_version = 0;
  int64_t sdk_version = 0;
  int64_t battery_mv = 0;
  int64_t device_class = 0;
  int64_t events_dropped = 0;
  int64_t events_queued = 0;
  int64_t event_count = 0;
};

struct SiteSummary {
  std::string site;
  int64_t devices = 0;
  int64_t events = 0;
  int64_t events_dropped = 0;
  int64_t low_battery_devices = 0;
  int64_t last_seen_ms = 0;
  std::map<int, int64_t> events_by_kind;  // from the site's aggregates, all windows
  // Devices per (model id, model version) as their last Health said; (0, 0): no model (rules).
  std::map<std::pair<int64_t, int64_t>, int64_t> devices_by_model;
};

struct EventRecord {
  int64_t id = 0;
  std::string device_id;
  std::string site;
  std::optional<int64_t> boot_id;  // nullopt: stored before any Health of its device
  int64_t seq = 0;
  int kind = 0;
  int class_id = 0;
  int score = 0;
  int64_t event_time_ms = 0;
  int64_t received_ms = 0;
  std::vector<Reading> readings;
};

struct EventFilter {
  std::optional<std::string> device;
  std::optional<std::string> site;
  std::optional<int> kind;
  std::optional<int64_t> before_id;
  int limit = 100;
};

struct EventPage {
  std::vector<EventRecord> events;
  std::optional<int64_t> next_before_id;  // set when another page exists
};

struct AggregateBucket {
  int64_t window_start_ms = 0;
  int kind = 0;
  int64_t count = 0;
  int64_t score_sum = 0;
  int64_t score_max = 0;
};

struct QuarantineRecord {
  int64_t id = 0;
  int64_t received_ms = 0;
  std::string reason;
  std::string topic;
  std::vector<uint8_t> payload;
};

// What a backup holds, counted in the finished copy itself.
struct BackupSummary {
  int64_t events = 0;
  int64_t devices = 0;
  int64_t bytes = 0;  // the copy's file size
};

}  // namespace sotto::gw
