// The SQLite writer connection: batch rows, registry load, retention and rollout writes.
#include <algorithm>

#include "readings_codec.h"
#include "sqlite_connections.h"
#include "time_format.h"
#include "wave_text.h"

namespace sotto::gw {
namespace {

// A short wait: a lock held longer is reported (healthz, log) and retried by the writer
// instead of blocking it silently.
constexpr std::chrono::milliseconds kWriterBusyTimeout{100};

}  // namespace

struct SqliteWriter::Statements {
  explicit Statements(sqlite3 *db)
      : insert_site(db, "INSERT INTO sites (site_key, site) VALUES (?1, ?2)"),
        insert_device(db,
                      "INSERT INTO devices (device_key, device_id, site_key, first_seen_ms, "
                      "last_seen_ms) VALUES (?1, ?2, ?3, ?4, ?4)"),
        put_boot(db,
                 "INSERT INTO boots (boot_key, device_key, boot_id, origin_ms, last_seq, "
                 "last_uptime_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (boot_key) DO UPDATE "
                 "SET origin_ms = excluded.origin_ms, last_seq = excluded.last_seq, "
                 "last_uptime_s = excluded.last_uptime_s"),
        put_health(db,
                   "UPDATE devices SET site_key = ?2, boot_key = ?3, last_seen_ms = "
                   "max(last_seen_ms, ?4), model_id = ?5, model_version = ?6, sdk_version = ?7, "
                   "battery_mv = ?8, device_class = ?9, events_dropped = ?10, events_queued = ?11 "
                   "WHERE device_key = ?1"),
        add_activity(db,
                     "UPDATE devices SET site_key = ?2, last_seen_ms = max(last_seen_ms, ?3), "
                     "event_count = event_count + ?4 WHERE device_key = ?1"),
        insert_event(db,
                     "INSERT INTO events (boot_key, seq, site_key, kind, class_id, score, "
                     "event_time_ms, received_delay_ms, readings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                     "?7, ?8, ?9) ON CONFLICT (boot_key, seq) DO NOTHING"),
        add_aggregate(db,
                      "INSERT INTO aggregates (scope, scope_key, window_s, window_start_ms, kind, "
                      "count, score_sum, score_max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                      "ON CONFLICT (scope, scope_key, window_s, window_start_ms, kind) DO UPDATE "
                      "SET count = count + excluded.count, score_sum = score_sum + "
                      "excluded.score_sum, score_max = max(score_max, excluded.score_max)"),
        insert_quarantine(db,
                          "INSERT INTO quarantine (received_ms, reason, topic, payload) VALUES "
                          "(?1, ?2, ?3, ?4)"),
        set_position(db,
                     "INSERT INTO journal_position (one, segment, offset) VALUES (1, ?1, ?2) "
                     "ON CONFLICT (one) DO UPDATE SET segment = excluded.segment, offset = "
                     "excluded.offset"),
        begin(db, "BEGIN IMMEDIATE"),
        commit(db, "COMMIT"),
        rollback(db, "ROLLBACK") {}
  Statement insert_site, insert_device, put_boot, put_health, add_activity, insert_event,
      add_aggregate, insert_quarantine, set_position, begin, commit, rollback;
};

SqliteWriter::SqliteWriter(const std::string &path, const std::string &synchronous)
    : db_(path, Database::Mode::kReadWrite, kWriterBusyTimeout) {
  db_.exec(synchronous == "full" ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  // The WAL shrinks back after a checkpoint instead of keeping its largest size, and is
  // checkpointed every 256 pages (1 MiB) rather than SQLite's 1000: after a full disk is freed,
  // the WAL is what needs room first, and at 4 MiB a small freed disk fills again at once.
  db_.exec("PRAGMA journal_size_limit=67108864");
  db_.exec("PRAGMA wal_autocheckpoint=256");
  statements_ = std::make_unique<Statements>(db_.handle());
}

SqliteWriter::~SqliteWriter() = default;

RegistrySnapshot SqliteWriter::load_registry() {
  RegistrySnapshot snapshot;
  Statement sites(db_.handle(), "SELECT site_key, site FROM sites ORDER BY site_key");
  while (sites.step()) {
    snapshot.sites.push_back(SiteRow{sites.integer(0), sites.text(1)});
    snapshot.next_site_key = sites.integer(0) + 1;
  }
  Statement devices(db_.handle(),
                    "SELECT d.device_key, d.device_id, d.site_key, b.boot_key, b.boot_id, "
                    "b.origin_ms, b.last_seq, b.last_uptime_s FROM devices d LEFT JOIN boots b "
                    "ON b.boot_key = d.boot_key ORDER BY d.device_key");
  while (devices.step()) {
    RegistrySnapshot::Device device;
    device.device_key = devices.integer(0);
    device.device_id = devices.text(1);
    device.site_key = devices.integer(2);
    if (auto boot_key = devices.optional_integer(3)) {
      device.boot =
          BootRow{*boot_key,          device.device_key,           devices.optional_integer(4),
                  devices.integer(5), devices.optional_integer(6), devices.optional_integer(7)};
    }
    snapshot.next_device_key = device.device_key + 1;
    snapshot.devices.push_back(std::move(device));
  }
  Statement boots(db_.handle(), "SELECT COALESCE(MAX(boot_key), 0) + 1 FROM boots");
  if (boots.step()) snapshot.next_boot_key = boots.integer(0);
  Statement position(db_.handle(), "SELECT segment, offset FROM journal_position");
  if (position.step()) snapshot.journal = JournalPosition{position.integer(0), position.integer(1)};
  return snapshot;
}

std::optional<BootRow> SqliteWriter::find_boot(int64_t device_key,
                                               const std::optional<int64_t> &boot_id) {
  Statement query(db_.handle(),
                  "SELECT boot_key, origin_ms, last_seq, last_uptime_s FROM boots "
                  "WHERE device_key = ?1 AND boot_id IS ?2");
  query.bind(1, device_key).bind(2, boot_id);
  if (!query.step()) return std::nullopt;
  return BootRow{
      query.integer(0),         device_key, boot_id, query.integer(1), query.optional_integer(2),
      query.optional_integer(3)};
}

void SqliteWriter::begin() {
  statements_->begin.run();
  in_batch_ = true;
}

void SqliteWriter::commit() {
  statements_->commit.run();
  in_batch_ = false;
}

void SqliteWriter::rollback() {
  in_batch_ = false;
  if (sqlite3_get_autocommit(db_.handle()) == 0) {
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

void SqliteWriter::insert_site(const SiteRow &site) {
  statements_->insert_site.bind(1, site.site_key).bind(2, site.site).run();
}

void SqliteWriter::insert_device(const NewDeviceRow &device) {
  statements_->insert_device.bind(1, device.device_key)
      .bind(2, device.device_id)
      .bind(3, device.site_key)
      .bind(4, device.first_seen_ms)
      .run();
}

void SqliteWriter::put_boot(const BootRow &boot) {
  statements_->put_boot.bind(1, boot.boot_key)
      .bind(2, boot.device_key)
      .bind(3, boot.boot_id)
      .bind(4, boot.origin_ms)
      .bind(5, boot.last_seq)
      .bind(6, boot.last_uptime_s)
      .run();
}

void SqliteWriter::put_health(const HealthRow &health) {
  Statement &update = statements_->put_health;
  update.bind(1, health.device_key).bind(2, health.site_key).bind(3, health.boot_key);
  update.bind(4, health.seen_ms).bind(5, health.model_id).bind(6, health.model_version);
  update.bind(7, health.sdk_version).bind(8, health.battery_mv).bind(9, health.device_class);
  update.bind(10, health.events_dropped).bind(11, health.events_queued).run();
}

void SqliteWriter::add_device_activity(const DeviceActivity &activity) {
  statements_->add_activity.bind(1, activity.device_key)
      .bind(2, activity.site_key)
      .bind(3, activity.last_seen_ms)
      .bind(4, activity.events_stored)
      .run();
}

bool SqliteWriter::insert_event(const EventRow &event) {
  Statement &insert = statements_->insert_event;
  insert.bind(1, event.boot_key).bind(2, event.seq).bind(3, event.site_key);
  insert.bind(4, int64_t{event.kind}).bind(5, int64_t{event.class_id});
  insert.bind(6, int64_t{event.score}).bind(7, event.event_time_ms);
  insert.bind(8, event.received_ms - event.event_time_ms);
  insert.bind_blob(9, encode_readings(event.readings)).run();
  return db_.changes() == 1;
}

void SqliteWriter::add_to_aggregate(const AggregateDelta &delta) {
  Statement &upsert = statements_->add_aggregate;
  upsert.bind(1, int64_t{static_cast<int>(delta.scope)}).bind(2, delta.scope_key);
  upsert.bind(3, delta.window_s).bind(4, delta.window_start_ms).bind(5, int64_t{delta.kind});
  upsert.bind(6, delta.count).bind(7, delta.score_sum).bind(8, delta.score_max).run();
}

void SqliteWriter::insert_quarantine(const QuarantineRow &row) {
  statements_->insert_quarantine.bind(1, row.received_ms)
      .bind(2, row.reason)
      .bind(3, row.topic)
      .bind_blob(4, row.payload)
      .run();
}

void SqliteWriter::set_journal_position(const JournalPosition &position) {
  statements_->set_position.bind(1, position.segment).bind(2, position.offset).run();
}

// Ids follow arrival, so the oldest rows come first: read a window of them, delete those past
// the cutoff. Stops (returns fewer than max_rows) once the oldest rows are younger than it.
int64_t SqliteWriter::delete_received_before(int64_t cutoff_ms, int64_t max_rows) {
  return on_its_own([&] {
    int64_t deleted = 0;
    for (const auto &[table, received] :
         {std::pair<const char *, const char *>{"events", "event_time_ms + received_delay_ms"},
          std::pair<const char *, const char *>{"quarantine", "received_ms"}}) {
      const std::string sql = std::string("DELETE FROM ") + table +
                              " WHERE id IN (SELECT id FROM " + table +
                              " ORDER BY id LIMIT ?2) AND " + received + " < ?1";
      Statement erase(db_.handle(), sql.c_str());
      erase.bind(1, cutoff_ms).bind(2, max_rows - deleted).run();
      deleted += db_.changes();
      if (deleted >= max_rows) break;
    }
    return deleted;
  });
}

int64_t SqliteWriter::create_rollout(const RolloutSpec &spec,
                                     const std::vector<std::string> &devices,
                                     const std::vector<size_t> &wave_sizes) {
  return on_its_own([&] {
    const auto key_id = [](const std::optional<uint32_t> &id) {
      return id ? std::optional<int64_t>(*id) : std::nullopt;
    };
    Statement insert(db_.handle(),
                     "INSERT INTO rollouts (bundle_path, model_version, waves, "
                     "max_failure_permille, wave_count, state, current_wave, kind, adds_key_id, "
                     "retires_key_id) VALUES (?1, ?2, ?3, ?4, ?5, 'running', 0, ?6, ?7, ?8)");
    insert.bind(1, spec.bundle_path)
        .bind(2, int64_t{spec.model_version})
        .bind(3, waves_to_text(spec.waves))
        .bind(4, int64_t{spec.max_failure_permille})
        .bind(5, static_cast<int64_t>(wave_sizes.size()))
        .bind(6, std::string(rollout_kind_name(spec.kind)))
        .bind(7, key_id(spec.adds_key_id))
        .bind(8, key_id(spec.retires_key_id))
        .run();
    const int64_t id = db_.last_insert_rowid();
    if (spec.adds_key_id) {
      // The key devices will trust as they take the rotation: known from now on.
      Statement key(db_.handle(),
                    "INSERT INTO fleet_keys (key_id, public_key, first_seen_ms) VALUES (?1, ?2, "
                    "?3) ON CONFLICT (key_id) DO NOTHING");
      key.bind(1, int64_t{*spec.adds_key_id})
          .bind_blob(2, spec.adds_public_key)
          .bind(3, now_ms())
          .run();
    }
    Statement device(db_.handle(),
                     "INSERT INTO rollout_devices (rollout_id, device_id, wave, state) "
                     "VALUES (?1, ?2, ?3, 'pending')");
    size_t index = 0;
    for (size_t wave = 0; wave < wave_sizes.size(); ++wave) {
      for (size_t i = 0; i < wave_sizes[wave] && index < devices.size(); ++i, ++index) {
        device.bind(1, id).bind(2, devices[index]).bind(3, static_cast<int64_t>(wave)).run();
      }
    }
    return id;
  });
}

void SqliteWriter::set_rollout_state(int64_t id, const std::string &state,
                                     const std::string &halt_reason) {
  on_its_own([&] {
    Statement update(db_.handle(),
                     "UPDATE rollouts SET state = ?2, halt_reason = ?3 WHERE id = ?1");
    update.bind(1, id).bind(2, state).bind(3, halt_reason).run();
    return 0;
  });
}

void SqliteWriter::add_device_class(const DeviceClassRow &row) {
  on_its_own([&] {
    Statement insert(db_.handle(), "INSERT INTO device_classes (number, name) VALUES (?1, ?2)");
    insert.bind(1, row.number).bind(2, row.name).run();
    return 0;
  });
}

void SqliteWriter::set_rollout_wave(int64_t id, int64_t wave) {
  on_its_own([&] {
    Statement update(db_.handle(), "UPDATE rollouts SET current_wave = ?2 WHERE id = ?1");
    update.bind(1, id).bind(2, wave).run();
    return 0;
  });
}

void SqliteWriter::record_rollout_device(int64_t id, const std::string &device,
                                         const std::string &state, int64_t next_offset,
                                         int64_t failure) {
  on_its_own([&] {
    Statement update(db_.handle(),
                     "UPDATE rollout_devices SET state = ?3, next_offset = ?4, failure = ?5 "
                     "WHERE rollout_id = ?1 AND device_id = ?2");
    update.bind(1, id).bind(2, device).bind(3, state).bind(4, next_offset).bind(5, failure).run();
    return 0;
  });
}

}  // namespace sotto::gw
