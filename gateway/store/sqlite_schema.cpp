// The SQLite schema's one owner: the current layout (version 2's tables plus each later
// version's additions) and the migrations from every earlier version, in one transaction. A
// database written by a newer gateway is refused by name.
#include "sqlite_schema.h"

#include <boost/json.hpp>
#include <string>

#include "log.h"
#include "readings_codec.h"

namespace sotto::gw {
namespace {

// Version 2: integer keys for sites, devices and boots, so an event row holds no names; the
// event table is a rowid table in arrival order (id), deduplicated by (boot_key, seq) and
// indexed by site_key for the site view (an index entry ends with the rowid, so the index is in
// (site_key, id) order without holding id twice). About 61 bytes per event with its indexes
// (`deploy/bench.sh gateway`: 35 table, 15 dedupe index, 10 site index).
constexpr const char *kSchemaV2 = R"(
  CREATE TABLE sites (
    site_key INTEGER PRIMARY KEY,
    site TEXT NOT NULL UNIQUE);
  CREATE TABLE devices (
    device_key INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL UNIQUE,
    site_key INTEGER NOT NULL,         -- the site of its newest message
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    boot_key INTEGER,                  -- current boot; NULL before any Health or event
    model_id INTEGER NOT NULL DEFAULT 0,
    model_version INTEGER NOT NULL DEFAULT 0,
    sdk_version INTEGER NOT NULL DEFAULT 0,
    battery_mv INTEGER NOT NULL DEFAULT 0,
    device_class INTEGER NOT NULL DEFAULT 0,
    events_dropped INTEGER NOT NULL DEFAULT 0,
    events_queued INTEGER NOT NULL DEFAULT 0,
    event_count INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX devices_site ON devices (site_key);
  CREATE TABLE boots (
    boot_key INTEGER PRIMARY KEY,
    device_key INTEGER NOT NULL,
    boot_id INTEGER,                   -- as reported in Health; NULL: events before any Health
    origin_ms INTEGER NOT NULL,        -- gateway time at which the boot began
    last_seq INTEGER,                  -- highest widened seq stored in this boot
    last_uptime_s INTEGER);            -- highest widened uptime stored in this boot
  CREATE UNIQUE INDEX boots_device ON boots (device_key, boot_id);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,            -- arrival order
    boot_key INTEGER NOT NULL,
    seq INTEGER NOT NULL,              -- widened
    site_key INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    class_id INTEGER NOT NULL,
    score INTEGER NOT NULL,            -- 0..255
    event_time_ms INTEGER NOT NULL,
    received_delay_ms INTEGER NOT NULL,  -- received_ms - event_time_ms
    readings BLOB NOT NULL);           -- readings_codec.h
  CREATE UNIQUE INDEX events_dedupe ON events (boot_key, seq);
  CREATE INDEX events_site ON events (site_key);
  CREATE TABLE aggregates (
    scope INTEGER NOT NULL,            -- 0 device, 1 site
    scope_key INTEGER NOT NULL,        -- device_key or site_key
    window_s INTEGER NOT NULL,
    window_start_ms INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    count INTEGER NOT NULL,
    score_sum INTEGER NOT NULL,
    score_max INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_key, window_s, window_start_ms, kind)) WITHOUT ROWID;
  CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    received_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL);
  CREATE TABLE journal_position (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    segment INTEGER NOT NULL,
    offset INTEGER NOT NULL);
  CREATE TABLE rollouts (
    id INTEGER PRIMARY KEY,
    bundle_path TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    waves TEXT NOT NULL,               -- cumulative percentages, "5,25,100"
    max_failure_permille INTEGER NOT NULL,
    wave_count INTEGER NOT NULL,
    state TEXT NOT NULL,               -- running | paused | halted | aborted | done
    current_wave INTEGER NOT NULL,
    halt_reason TEXT NOT NULL DEFAULT '');
  CREATE TABLE rollout_devices (
    rollout_id INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    wave INTEGER NOT NULL,
    state TEXT NOT NULL,               -- pending | transferring | activated | failed
    next_offset INTEGER NOT NULL DEFAULT 0,
    failure INTEGER NOT NULL DEFAULT 0,  -- sotto.v1.OtaFailure
    PRIMARY KEY (rollout_id, device_id));
  CREATE INDEX rollout_devices_wave ON rollout_devices (rollout_id, wave);
  CREATE INDEX rollout_devices_device ON rollout_devices (device_id);
)";

// Version 3: device class names, so operators and bundles can name a class ("soil-probe")
// where devices report its number.
constexpr const char *kMigrateV2ToV3 = R"(
  CREATE TABLE device_classes (
    number INTEGER PRIMARY KEY,        -- 0..255, as devices report it in Health
    name TEXT NOT NULL UNIQUE);
)";

// Version 1 (sotto 0.1): names in every row, readings as JSON text. Its rollout tables were
// created on first use by the rollout engine, so they may be missing.
constexpr const char *kMigrateV1ToV2 = R"(
  ALTER TABLE devices RENAME TO v1_devices;
  ALTER TABLE events RENAME TO v1_events;
  ALTER TABLE aggregates RENAME TO v1_aggregates;
  DROP INDEX IF EXISTS devices_site;
  DROP INDEX IF EXISTS events_site;
  CREATE TABLE IF NOT EXISTS rollouts (id INTEGER PRIMARY KEY, bundle_path TEXT NOT NULL,
    model_version INTEGER NOT NULL, waves TEXT NOT NULL, max_failure_permille INTEGER NOT NULL,
    wave_count INTEGER NOT NULL, state TEXT NOT NULL, current_wave INTEGER NOT NULL,
    halt_reason TEXT NOT NULL DEFAULT '');
  CREATE TABLE IF NOT EXISTS rollout_devices (rollout_id INTEGER NOT NULL,
    device_id TEXT NOT NULL, wave INTEGER NOT NULL, state TEXT NOT NULL,
    next_offset INTEGER NOT NULL DEFAULT 0, failure INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rollout_id, device_id));
  ALTER TABLE rollouts RENAME TO v1_rollouts;
  ALTER TABLE rollout_devices RENAME TO v1_rollout_devices;
  DROP INDEX IF EXISTS rollout_devices_wave;
)";

// Version 4: who may do what. API tokens (only a hash of each secret; a name is unique among
// unrevoked tokens), the audit log (rowid order is time order), the fleet signing keys the
// gateway knows of, and rollouts that carry a key rotation instead of a model.
constexpr const char *kMigrateV3ToV4 = R"(
  ALTER TABLE rollouts ADD COLUMN kind TEXT NOT NULL DEFAULT 'model';  -- model | keys
  ALTER TABLE rollouts ADD COLUMN adds_key_id INTEGER;     -- keys: the key the rotation adds
  ALTER TABLE rollouts ADD COLUMN retires_key_id INTEGER;  -- keys: the key it retires, if any
  CREATE INDEX rollouts_adds_key ON rollouts (adds_key_id) WHERE adds_key_id IS NOT NULL;
  CREATE INDEX rollouts_retires_key ON rollouts (retires_key_id) WHERE retires_key_id IS NOT NULL;
  CREATE TABLE api_tokens (
    token_id TEXT PRIMARY KEY,         -- the token's public part
    name TEXT NOT NULL,
    role TEXT NOT NULL,                -- viewer | operator
    salt BLOB NOT NULL,
    hash BLOB NOT NULL,                -- PBKDF2-HMAC-SHA256 of the secret
    iterations INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER) WITHOUT ROWID;
  CREATE UNIQUE INDEX api_tokens_unrevoked_name ON api_tokens (name) WHERE revoked_ms IS NULL;
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    time_ms INTEGER NOT NULL,
    who TEXT NOT NULL,
    token_id TEXT NOT NULL,
    remote TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,             -- ok | refused | failed
    detail TEXT NOT NULL);
  CREATE TABLE fleet_keys (
    key_id INTEGER PRIMARY KEY,        -- first four bytes of SHA-256(public_key), big-endian
    public_key BLOB NOT NULL,          -- uncompressed P-256 point
    first_seen_ms INTEGER NOT NULL,
    provisioned INTEGER NOT NULL DEFAULT 0,
    distrusted_ms INTEGER);
)";

// Copies version 1 rows into the version 2 tables created by kSchemaV2.
constexpr const char *kCopyV1Rows = R"(
  INSERT INTO sites (site)
    SELECT site FROM v1_devices UNION SELECT site FROM v1_events
    UNION SELECT scope_id FROM v1_aggregates WHERE scope = 'site';
  INSERT INTO devices (device_id, site_key, first_seen_ms, last_seen_ms, model_id, model_version,
                       sdk_version, battery_mv, device_class, events_dropped, events_queued,
                       event_count)
    SELECT d.device_id, s.site_key, d.first_seen_ms, d.last_seen_ms, d.model_id,
           d.model_version, d.sdk_version, d.battery_mv, d.device_class, d.events_dropped,
           d.events_queued, d.event_count
    FROM v1_devices d JOIN sites s ON s.site = d.site ORDER BY d.rowid;
  -- Every boot that holds events, then each device's current boot.
  INSERT INTO boots (device_key, boot_id, origin_ms, last_seq, last_uptime_s)
    SELECT d.device_key, CASE WHEN e.boot_known THEN e.boot_id END, 0, MAX(e.seq),
           MAX(e.uptime_s)
    FROM v1_events e JOIN devices d ON d.device_id = e.device_id
    GROUP BY d.device_key, e.boot_known, e.boot_id;
  INSERT INTO boots (device_key, boot_id, origin_ms, last_seq, last_uptime_s)
    SELECT d.device_key, v.boot_id, v.boot_origin_ms, v.last_seq, v.last_uptime_s
    FROM v1_devices v JOIN devices d ON d.device_id = v.device_id WHERE v.boot_id IS NOT NULL
    ON CONFLICT (device_key, boot_id) DO UPDATE SET origin_ms = excluded.origin_ms,
      last_seq = excluded.last_seq, last_uptime_s = excluded.last_uptime_s;
  UPDATE devices SET boot_key = (SELECT b.boot_key FROM boots b JOIN v1_devices v
      ON v.boot_id = b.boot_id WHERE b.device_key = devices.device_key
      AND v.device_id = devices.device_id);
  INSERT INTO events (id, boot_key, seq, site_key, kind, class_id, score, event_time_ms,
                      received_delay_ms, readings)
    SELECT e.id, b.boot_key, e.seq, s.site_key, e.kind, e.class_id, e.score, e.event_time_ms,
           e.received_ms - e.event_time_ms, sotto_readings_from_json(e.readings)
    FROM v1_events e
    JOIN devices d ON d.device_id = e.device_id
    JOIN boots b ON b.device_key = d.device_key
      AND b.boot_id IS (CASE WHEN e.boot_known THEN e.boot_id END)
    JOIN sites s ON s.site = e.site
    ORDER BY e.id;
  INSERT INTO aggregates (scope, scope_key, window_s, window_start_ms, kind, count, score_sum,
                          score_max)
    SELECT 0, d.device_key, a.window_s, a.window_start_ms, a.kind, a.count, a.score_sum,
           a.score_max
    FROM v1_aggregates a JOIN devices d ON a.scope = 'device' AND d.device_id = a.scope_id
    UNION ALL
    SELECT 1, s.site_key, a.window_s, a.window_start_ms, a.kind, a.count, a.score_sum,
           a.score_max
    FROM v1_aggregates a JOIN sites s ON a.scope = 'site' AND s.site = a.scope_id;
  INSERT INTO rollouts SELECT * FROM v1_rollouts;
  INSERT INTO rollout_devices SELECT * FROM v1_rollout_devices;
  DROP TABLE v1_devices;
  DROP TABLE v1_events;
  DROP TABLE v1_aggregates;
  DROP TABLE v1_rollouts;
  DROP TABLE v1_rollout_devices;
)";

// sotto_readings_from_json(TEXT) -> BLOB: version 1's JSON readings in readings_codec's form.
void readings_from_json(sqlite3_context *context, int, sqlite3_value **values) {
  const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(values[0]));
  try {
    std::vector<Reading> readings;
    const boost::json::value parsed = boost::json::parse(text != nullptr ? text : "[]");
    for (const auto &item : parsed.as_array()) {
      readings.push_back(Reading{static_cast<int>(item.at("quantity").to_number<int64_t>()),
                                 static_cast<int32_t>(item.at("value").to_number<int64_t>())});
    }
    const std::vector<uint8_t> blob = encode_readings(readings);
    static const uint8_t kEmpty = 0;  // a zero-length blob, not NULL
    sqlite3_result_blob(context, blob.empty() ? &kEmpty : blob.data(),
                        static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  } catch (const std::exception &error) {
    const std::string message = std::string("readings '") + (text != nullptr ? text : "") +
                                "' are not version 1 JSON readings: " + error.what();
    sqlite3_result_error(context, message.c_str(), -1);
  }
}

// The first version 2 databases declared events_site on (site_key, id): the same order, but id
// (the rowid) stored twice in every entry, about 4 bytes per event. Rebuilt once, at the next
// start; not a schema change (the rows and every query stay as they are), so no new version.
void drop_rowid_from_site_index(Database &db) {
  std::string sql;
  {
    // Finished before the DROP: an open read of sqlite_master would lock the schema.
    Statement index(db.handle(), "SELECT sql FROM sqlite_master WHERE name = 'events_site'");
    if (index.step()) sql = index.text(0);
  }
  if (sql.find("site_key, id") == std::string::npos) return;
  log_line(LogLevel::kInfo, "store " + db.path() +
                                ": rebuilding index events_site without its repeated id column "
                                "(once; about 4 bytes per event less)");
  Transaction transaction(db);
  db.exec("DROP INDEX events_site");
  db.exec("CREATE INDEX events_site ON events (site_key)");
  transaction.commit();
}

int stored_version(Database &db) {
  Statement table(db.handle(),
                  "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!table.step()) return 0;
  Statement version(db.handle(), "SELECT version FROM schema_version");
  return version.step() ? static_cast<int>(version.integer(0)) : 0;
}

void set_version(Database &db, int version) {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  db.exec("DELETE FROM schema_version");
  db.exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(version) + ")");
}

}  // namespace

void ensure_schema(Database &db) {
  db.exec("PRAGMA journal_mode=WAL");
  const int version = stored_version(db);
  if (version > kSqliteSchemaVersion) {
    throw StoreError(StoreError::Kind::kSchema,
                     "store " + db.path() + ": schema version " + std::to_string(version) +
                         " was written by a newer sottod; this one reads up to version " +
                         std::to_string(kSqliteSchemaVersion) +
                         " (upgrade sottod or restore a backup)");
  }
  drop_rowid_from_site_index(db);
  if (version == kSqliteSchemaVersion) return;
  Transaction transaction(db);
  if (version != 0) {
    log_line(LogLevel::kInfo, "store " + db.path() + ": migrating schema version " +
                                  std::to_string(version) + " to " +
                                  std::to_string(kSqliteSchemaVersion));
  }
  if (version == 0) {
    db.exec(kSchemaV2);
  } else if (version == 1) {
    sqlite3_create_function(db.handle(), "sotto_readings_from_json", 1,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, readings_from_json,
                            nullptr, nullptr);
    db.exec(kMigrateV1ToV2);
    db.exec(kSchemaV2);
    db.exec(kCopyV1Rows);
  }
  if (version < 3) db.exec(kMigrateV2ToV3);
  db.exec(kMigrateV3ToV4);
  set_version(db, kSqliteSchemaVersion);
  transaction.commit();
  if (version != 0) {
    log_line(LogLevel::kInfo, "store " + db.path() + ": now at schema version " +
                                  std::to_string(kSqliteSchemaVersion));
  }
}

}  // namespace sotto::gw
