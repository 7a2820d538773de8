// The SQLite schema, versioned so later releases can migrate in place.
#include <stdexcept>
#include <string>

#include "event_store.h"

namespace sotto::gw {

namespace {
constexpr int kSchemaVersion = 1;
}

void ensure_schema(Database &db) {
  db.exec("PRAGMA journal_mode=WAL");
  db.exec(R"(CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL))");
  Statement version(db.handle(), "SELECT version FROM schema_version");
  if (version.step()) {
    if (version.integer(0) != kSchemaVersion) {
      throw std::runtime_error("store: database schema version " +
                               std::to_string(version.integer(0)) +
                               " is not the supported version " + std::to_string(kSchemaVersion));
    }
    return;
  }
  db.exec("BEGIN IMMEDIATE");
  db.exec(R"(
    CREATE TABLE devices (
      device_id TEXT PRIMARY KEY,
      site TEXT NOT NULL,
      first_seen_ms INTEGER NOT NULL,
      last_seen_ms INTEGER NOT NULL,
      boot_id INTEGER,            -- NULL until the first Health
      boot_origin_ms INTEGER,     -- gateway time at which the current boot began
      last_seq INTEGER,           -- highest widened seq of the current boot
      last_uptime_s INTEGER,      -- highest widened uptime of the current boot
      model_id INTEGER NOT NULL DEFAULT 0,
      model_version INTEGER NOT NULL DEFAULT 0,
      sdk_version INTEGER NOT NULL DEFAULT 0,
      battery_mv INTEGER NOT NULL DEFAULT 0,
      device_class INTEGER NOT NULL DEFAULT 0,
      events_dropped INTEGER NOT NULL DEFAULT 0,
      events_queued INTEGER NOT NULL DEFAULT 0,
      event_count INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX devices_site ON devices (site);
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      device_id TEXT NOT NULL,
      site TEXT NOT NULL,
      boot_id INTEGER NOT NULL,   -- 0 with boot_known = 0 when no Health had arrived yet
      boot_known INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      kind INTEGER NOT NULL,
      class_id INTEGER NOT NULL,
      score INTEGER NOT NULL,     -- 0..255
      uptime_s INTEGER NOT NULL,
      event_time_ms INTEGER NOT NULL,
      received_ms INTEGER NOT NULL,
      readings TEXT NOT NULL,     -- JSON array of {"quantity":N,"value":V}
      UNIQUE (device_id, boot_id, seq));
    CREATE INDEX events_site ON events (site, id);
    CREATE TABLE aggregates (
      scope TEXT NOT NULL,        -- 'device' or 'site'
      scope_id TEXT NOT NULL,
      window_s INTEGER NOT NULL,
      window_start_ms INTEGER NOT NULL,
      kind INTEGER NOT NULL,
      count INTEGER NOT NULL,
      score_sum INTEGER NOT NULL,
      score_max INTEGER NOT NULL,
      PRIMARY KEY (scope, scope_id, window_s, window_start_ms, kind)) WITHOUT ROWID;
  )");
  db.exec(("INSERT INTO schema_version (version) VALUES (" + std::to_string(kSchemaVersion) + ")")
              .c_str());
  db.exec("COMMIT");
}

}  // namespace sotto::gw
