// The storage seam: everything the gateway keeps goes through these interfaces, and nothing
// outside gateway/store/ knows which database holds it. SQLite (sqlite_store.h) implements them;
// another backend (PostgreSQL for a fleet hub) implements Store, StoreWriter and StoreReader and
// nothing else.
//
// Threads: one StoreWriter, used by one thread at a time (sottod's writer thread); any number of
// StoreReaders, each used by one thread. A reader sees every committed write.
//
// Errors: every call throws StoreError. Its kind tells the caller whether waiting can help
// (busy, full, io: the writer retries the same batch and ingest backs off) or not (corrupt,
// schema, other); its message names the file and the setting to look at.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rollout_rows.h"
#include "store_rows.h"
#include "trust_rows.h"

namespace sotto::gw {

class StoreError : public std::runtime_error {
 public:
  enum class Kind {
    kBusy,     // another connection holds the write lock (an operator's sqlite3, a backup)
    kFull,     // the disk or filesystem is full
    kIo,       // the file could not be read or written (permissions, read-only, I/O error)
    kCorrupt,  // the file is not a database this gateway can use
    kSchema,   // written by a newer gateway, or a migration failed
    kOther,
  };
  StoreError(Kind kind, const std::string &message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }
  // Waiting and retrying the same write can succeed.
  bool transient() const {
    return kind_ == Kind::kBusy || kind_ == Kind::kFull || kind_ == Kind::kIo;
  }

 private:
  Kind kind_;
};

const char *store_error_kind_name(StoreError::Kind kind);

// Rollout writes: the engine's changes. Each call is one transaction of its own unless it runs
// inside an open ingest transaction.
class RolloutWriter {
 public:
  virtual ~RolloutWriter() = default;
  // Devices are given in wave order with the size of each wave; returns the new rollout's id.
  // It starts running at wave 0, every device pending.
  virtual int64_t create_rollout(const RolloutSpec &spec, const std::vector<std::string> &devices,
                                 const std::vector<size_t> &wave_sizes) = 0;
  virtual void set_rollout_state(int64_t id, const std::string &state,
                                 const std::string &halt_reason) = 0;
  virtual void set_rollout_wave(int64_t id, int64_t wave) = 0;
  virtual void record_rollout_device(int64_t id, const std::string &device,
                                     const std::string &state, int64_t next_offset,
                                     int64_t failure) = 0;
};

// Writes of the trust tables (trust_rows.h): API tokens, the audit log, fleet keys. Few and
// small, each one transaction of its own (unless an ingest batch is open). They are the
// StoreWriter's, so in sottod they run on the store writer thread like every other write
// (sottod/writer_thread_trust.h). Key rotations add their keys with the rollout (RolloutSpec).
class TrustWriter {
 public:
  virtual ~TrustWriter() = default;
  // false when an unrevoked token already has this name.
  virtual bool insert_api_token(const ApiTokenRow &token) = 0;
  // Revokes the unrevoked token with this name or token id; false when there is none.
  virtual bool revoke_api_token(const std::string &name_or_id, int64_t revoked_ms) = 0;
  // Returns the new entry's id.
  virtual int64_t append_audit(const AuditRow &row) = 0;
  // A key the devices were provisioned with: inserted, or a known key marked so. false when it
  // was recorded as provisioned already.
  virtual bool add_provisioned_key(const FleetKeyRow &key) = 0;
  // The gateway signs nothing with it any more; false when unknown or distrusted already.
  virtual bool distrust_fleet_key(int64_t key_id, int64_t distrusted_ms) = 0;
};

// The write side. Ingest writes in batches: begin(), any number of the row calls, commit();
// rollout writes and retention may also run on their own, outside a batch.
class StoreWriter : public RolloutWriter, public TrustWriter {
 public:
  // Everything the registry keeps in memory, read once at start.
  virtual RegistrySnapshot load_registry() = 0;
  // The stored boot of a device by the id it reports (nullopt: the before-any-Health boot).
  virtual std::optional<BootRow> find_boot(int64_t device_key,
                                           const std::optional<int64_t> &boot_id) = 0;

  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;  // never throws

  virtual void insert_site(const SiteRow &site) = 0;
  virtual void insert_device(const NewDeviceRow &device) = 0;
  virtual void put_boot(const BootRow &boot) = 0;  // insert or replace by boot_key
  virtual void put_health(const HealthRow &health) = 0;
  virtual void add_device_activity(const DeviceActivity &activity) = 0;
  // false when (boot_key, seq) is already stored: a redelivery, not stored again.
  virtual bool insert_event(const EventRow &event) = 0;
  virtual void add_to_aggregate(const AggregateDelta &delta) = 0;
  virtual void insert_quarantine(const QuarantineRow &row) = 0;
  virtual void set_journal_position(const JournalPosition &position) = 0;

  // Names a device class, in a transaction of its own. The caller checks that neither the number
  // nor the name is taken (device_classes()); a race with another writer throws StoreError.
  virtual void add_device_class(const DeviceClassRow &row) = 0;

  // Retention, in its own short transaction: deletes at most max_rows events (and quarantined
  // messages) received before cutoff_ms, oldest first; returns how many went. Registry and
  // aggregates stay.
  virtual int64_t delete_received_before(int64_t cutoff_ms, int64_t max_rows) = 0;
};

// The read side: the HTTP API, sottoctl and the rollout engine's queries.
class StoreReader {
 public:
  virtual ~StoreReader() = default;

  virtual std::vector<SiteSummary> site_summaries(int64_t low_battery_mv, int64_t window_s) = 0;
  virtual std::vector<DeviceRecord> devices(const std::optional<std::string> &site) = 0;
  virtual std::optional<DeviceRecord> device(const std::string &device_id) = 0;
  // Newest first. With a device filter the order is the device's own (boot, sequence) order,
  // and before_id pages within it.
  virtual EventPage events(const EventFilter &filter) = 0;
  virtual std::vector<AggregateBucket> aggregates(AggregateScope scope, const std::string &id,
                                                  int64_t window_s) = 0;
  virtual std::vector<QuarantineRecord> quarantine(int64_t limit) = 0;
  virtual int64_t quarantine_count() = 0;

  // The site a device last reported from ("" if unknown) and a site's devices, by id.
  virtual std::string device_site(const std::string &device_id) = 0;
  virtual std::vector<std::string> site_devices(const std::string &site) = 0;

  virtual std::optional<RolloutRow> rollout(int64_t id) = 0;
  virtual std::vector<int64_t> rollout_ids() = 0;          // newest first
  virtual std::vector<int64_t> unfinished_rollouts() = 0;  // running or paused, oldest first
  // Target devices in wave order (wave = -1: all waves).
  virtual std::vector<RolloutDeviceRow> rollout_devices(int64_t id, int64_t wave) = 0;
  virtual WaveCounts wave_counts(int64_t id, int64_t wave) = 0;
  // Those of `devices` that an unfinished rollout targets.
  virtual std::vector<std::string> devices_in_unfinished_rollouts(
      const std::vector<std::string> &devices) = 0;

  // Every named device class, by number.
  virtual std::vector<DeviceClassRow> device_classes() = 0;

  // Trust tables (trust_rows.h).
  virtual std::optional<ApiTokenRow> api_token(const std::string &token_id) = 0;
  virtual std::vector<ApiTokenRow> api_tokens() = 0;  // revoked ones too, oldest first
  virtual int64_t unrevoked_api_token_count() = 0;
  virtual std::vector<AuditRow> audit(const AuditFilter &filter) = 0;  // newest first
  virtual std::vector<FleetKeyRow> fleet_keys() = 0;                   // by first_seen_ms
  virtual std::optional<FleetKeyRow> fleet_key(int64_t key_id) = 0;
  // Those of `devices` that do not trust key_id, by the rule in FleetKeyRow (a distrusted or
  // unknown key: all of them).
  virtual std::vector<std::string> devices_not_trusting(
      int64_t key_id, const std::vector<std::string> &devices) = 0;
  // The highest key_list_version any key rotation was given (0: none yet), so the next one is
  // newer on every device whatever it received before.
  virtual int64_t last_key_list_version() = 0;

  // A consistent copy of everything to path, taken while ingest goes on without holding the
  // writer up; checked before it appears under its name. Refuses a path that exists (never
  // overwrites); throws StoreError naming the path and what to change.
  virtual BackupSummary backup_to(const std::string &path) = 0;
};

// A backend: opens (and creates or migrates) the store, hands out connections.
class Store {
 public:
  virtual ~Store() = default;
  virtual int schema_version() = 0;
  virtual std::unique_ptr<StoreWriter> writer() = 0;  // at most one at a time
  virtual std::unique_ptr<StoreReader> reader() = 0;
  virtual std::string describe() const = 0;  // for logs: "SQLite /var/lib/sotto/sotto.db"
};

}  // namespace sotto::gw
