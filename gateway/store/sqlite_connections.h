// The SQLite backend's connections (internal to gateway/store): the writer and a reader. The
// trust tables' writes and reads live in sqlite_trust.cpp.
#pragma once

#include <memory>
#include <string>

#include "sqlite.h"
#include "store.h"

namespace sotto::gw {

class SqliteWriter : public StoreWriter {
 public:
  SqliteWriter(const std::string &path, const std::string &synchronous);
  ~SqliteWriter() override;

  RegistrySnapshot load_registry() override;
  std::optional<BootRow> find_boot(int64_t device_key,
                                   const std::optional<int64_t> &boot_id) override;
  void begin() override;
  void commit() override;
  void rollback() override;
  void insert_site(const SiteRow &site) override;
  void insert_device(const NewDeviceRow &device) override;
  void put_boot(const BootRow &boot) override;
  void put_health(const HealthRow &health) override;
  void add_device_activity(const DeviceActivity &activity) override;
  bool insert_event(const EventRow &event) override;
  void add_to_aggregate(const AggregateDelta &delta) override;
  void insert_quarantine(const QuarantineRow &row) override;
  void set_journal_position(const JournalPosition &position) override;
  int64_t delete_received_before(int64_t cutoff_ms, int64_t max_rows) override;
  void add_device_class(const DeviceClassRow &row) override;

  int64_t create_rollout(const RolloutSpec &spec, const std::vector<std::string> &devices,
                         const std::vector<size_t> &wave_sizes) override;
  void set_rollout_state(int64_t id, const std::string &state,
                         const std::string &halt_reason) override;
  void set_rollout_wave(int64_t id, int64_t wave) override;
  void record_rollout_device(int64_t id, const std::string &device, const std::string &state,
                             int64_t next_offset, int64_t failure) override;

  bool insert_api_token(const ApiTokenRow &token) override;
  bool revoke_api_token(const std::string &name_or_id, int64_t revoked_ms) override;
  int64_t append_audit(const AuditRow &row) override;
  bool add_provisioned_key(const FleetKeyRow &key) override;
  bool distrust_fleet_key(int64_t key_id, int64_t distrusted_ms) override;

 private:
  struct Statements;
  // Runs `write` in a transaction of its own unless a batch is open.
  template <typename Write>
  auto on_its_own(Write write);

  Database db_;
  std::unique_ptr<Statements> statements_;
  bool in_batch_ = false;
};

// Here rather than in sqlite_writer.cpp: the trust tables' writes (sqlite_trust.cpp) use it too.
template <typename Write>
auto SqliteWriter::on_its_own(Write write) {
  if (in_batch_) return write();
  Transaction transaction(db_);
  auto result = write();
  transaction.commit();
  return result;
}

class SqliteReader : public StoreReader {
 public:
  explicit SqliteReader(const std::string &path);

  std::vector<SiteSummary> site_summaries(int64_t low_battery_mv, int64_t window_s) override;
  std::vector<DeviceRecord> devices(const std::optional<std::string> &site) override;
  std::optional<DeviceRecord> device(const std::string &device_id) override;
  EventPage events(const EventFilter &filter) override;
  std::vector<AggregateBucket> aggregates(AggregateScope scope, const std::string &id,
                                          int64_t window_s) override;
  std::vector<QuarantineRecord> quarantine(int64_t limit) override;
  int64_t quarantine_count() override;
  std::string device_site(const std::string &device_id) override;
  std::vector<std::string> site_devices(const std::string &site) override;
  std::optional<RolloutRow> rollout(int64_t id) override;
  std::vector<int64_t> rollout_ids() override;
  std::vector<int64_t> unfinished_rollouts() override;
  std::vector<RolloutDeviceRow> rollout_devices(int64_t id, int64_t wave) override;
  WaveCounts wave_counts(int64_t id, int64_t wave) override;
  std::vector<std::string> devices_in_unfinished_rollouts(
      const std::vector<std::string> &devices) override;
  std::vector<DeviceClassRow> device_classes() override;
  std::optional<ApiTokenRow> api_token(const std::string &token_id) override;
  std::vector<ApiTokenRow> api_tokens() override;
  int64_t unrevoked_api_token_count() override;
  std::vector<AuditRow> audit(const AuditFilter &filter) override;
  std::vector<FleetKeyRow> fleet_keys() override;
  std::optional<FleetKeyRow> fleet_key(int64_t key_id) override;
  std::vector<std::string> devices_not_trusting(int64_t key_id,
                                                const std::vector<std::string> &devices) override;
  int64_t last_key_list_version() override;
  BackupSummary backup_to(const std::string &path) override;

 private:
  EventPage device_events(const EventFilter &filter);

  Database db_;
};

}  // namespace sotto::gw
