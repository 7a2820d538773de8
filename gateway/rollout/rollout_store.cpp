// Rollout tables and the wave state machine over them. Every change is one statement (SQLite
// autocommit), so a crash between two leaves each row consistent on its own; advance_rollout is
// idempotent and recomputes from the rows after a restart.
#include "rollout_store.h"

#include <sstream>
#include <stdexcept>

#include "wave_plan.h"

namespace sotto::gw {
namespace {

std::string join(const std::vector<unsigned> &values) {
  std::string out;
  for (unsigned v : values) {
    out += (out.empty() ? "" : ",") + std::to_string(v);
  }
  return out;
}

std::string percent(int64_t permille) {
  std::ostringstream out;
  out << permille / 10 << "." << permille % 10 << "%";
  return out.str();
}

}  // namespace

RolloutStore::RolloutStore(Database &db) : db_(db) {
  db_.exec(R"(
    CREATE TABLE IF NOT EXISTS rollouts (
      id INTEGER PRIMARY KEY,
      bundle_path TEXT NOT NULL,
      model_version INTEGER NOT NULL,
      waves TEXT NOT NULL,                 -- cumulative percentages, "5,25,100"
      max_failure_permille INTEGER NOT NULL,
      wave_count INTEGER NOT NULL,
      state TEXT NOT NULL,                 -- running | paused | halted | aborted | done
      current_wave INTEGER NOT NULL,
      halt_reason TEXT NOT NULL DEFAULT '');
    CREATE TABLE IF NOT EXISTS rollout_devices (
      rollout_id INTEGER NOT NULL,
      device_id TEXT NOT NULL,
      wave INTEGER NOT NULL,
      state TEXT NOT NULL,                 -- pending | transferring | activated | failed
      next_offset INTEGER NOT NULL DEFAULT 0,
      failure INTEGER NOT NULL DEFAULT 0,  -- sotto.v1.OtaFailure
      PRIMARY KEY (rollout_id, device_id));
    CREATE INDEX IF NOT EXISTS rollout_devices_wave ON rollout_devices (rollout_id, wave);)");
}

int64_t RolloutStore::create(const RolloutSpec &spec, const std::vector<std::string> &devices) {
  const std::vector<size_t> sizes = wave_sizes(devices.size(), spec.waves);
  db_.exec("BEGIN IMMEDIATE");
  try {
    Statement insert(db_.handle(),
                     "INSERT INTO rollouts (bundle_path, model_version, waves, "
                     "max_failure_permille, wave_count, state, current_wave) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, 'running', 0)");
    insert.bind(1, spec.bundle_path)
        .bind(2, int64_t{spec.model_version})
        .bind(3, join(spec.waves))
        .bind(4, int64_t{spec.max_failure_permille})
        .bind(5, static_cast<int64_t>(sizes.size()))
        .run();
    const int64_t id = sqlite3_last_insert_rowid(db_.handle());
    Statement device(db_.handle(),
                     "INSERT INTO rollout_devices (rollout_id, device_id, wave, state) "
                     "VALUES (?1, ?2, ?3, 'pending')");
    size_t index = 0;
    for (size_t wave = 0; wave < sizes.size(); ++wave) {
      for (size_t i = 0; i < sizes[wave]; ++i, ++index) {
        device.bind(1, id).bind(2, devices[index]).bind(3, static_cast<int64_t>(wave)).run();
        device.reset();
      }
    }
    db_.exec("COMMIT");
    return id;
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

RolloutRow RolloutStore::get(int64_t id) {
  Statement query(db_.handle(),
                  "SELECT bundle_path, model_version, waves, max_failure_permille, wave_count, "
                  "state, current_wave, halt_reason FROM rollouts WHERE id = ?1");
  query.bind(1, id);
  if (!query.step()) {
    throw std::runtime_error("rollout " + std::to_string(id) + " does not exist");
  }
  RolloutRow row;
  row.id = id;
  row.spec.bundle_path = query.text(0);
  row.spec.model_version = static_cast<uint32_t>(query.integer(1));
  row.spec.waves = parse_waves(query.text(2));
  row.spec.max_failure_permille = static_cast<uint32_t>(query.integer(3));
  row.wave_count = query.integer(4);
  row.state = query.text(5);
  row.current_wave = query.integer(6);
  row.halt_reason = query.text(7);
  return row;
}

std::vector<int64_t> RolloutStore::unfinished() {
  Statement query(db_.handle(),
                  "SELECT id FROM rollouts WHERE state IN ('running', 'paused') ORDER BY id");
  std::vector<int64_t> ids;
  while (query.step()) {
    ids.push_back(query.integer(0));
  }
  return ids;
}

std::vector<std::string> RolloutStore::wave_devices(int64_t id, int64_t wave) {
  Statement query(db_.handle(),
                  "SELECT device_id FROM rollout_devices WHERE rollout_id = ?1 AND wave = ?2 "
                  "ORDER BY rowid");
  query.bind(1, id).bind(2, wave);
  std::vector<std::string> devices;
  while (query.step()) {
    devices.push_back(query.text(0));
  }
  return devices;
}

WaveCounts RolloutStore::wave_counts(int64_t id, int64_t wave) {
  Statement query(db_.handle(),
                  "SELECT COUNT(*), COALESCE(SUM(state = 'activated'), 0), "
                  "COALESCE(SUM(state = 'failed'), 0) FROM rollout_devices "
                  "WHERE rollout_id = ?1 AND wave = ?2");
  query.bind(1, id).bind(2, wave);
  query.step();
  return WaveCounts{query.integer(0), query.integer(1), query.integer(2)};
}

std::vector<RolloutDeviceRow> RolloutStore::devices(int64_t id, int64_t wave) {
  Statement query(db_.handle(),
                  "SELECT device_id, wave, state, next_offset, failure FROM rollout_devices "
                  "WHERE rollout_id = ?1 AND (?2 < 0 OR wave = ?2) ORDER BY wave, rowid");
  query.bind(1, id).bind(2, wave);
  std::vector<RolloutDeviceRow> rows;
  while (query.step()) {
    rows.push_back(RolloutDeviceRow{query.text(0), query.integer(1), query.text(2),
                                    query.integer(3), query.integer(4)});
  }
  return rows;
}

std::vector<int64_t> RolloutStore::all_ids() {
  Statement query(db_.handle(), "SELECT id FROM rollouts ORDER BY id DESC");
  std::vector<int64_t> ids;
  while (query.step()) {
    ids.push_back(query.integer(0));
  }
  return ids;
}

std::vector<std::string> RolloutStore::busy_devices(const std::vector<std::string> &devices) {
  Statement query(db_.handle(),
                  "SELECT 1 FROM rollout_devices d JOIN rollouts r ON r.id = d.rollout_id "
                  "WHERE d.device_id = ?1 AND r.state IN ('running', 'paused') LIMIT 1");
  std::vector<std::string> busy;
  for (const std::string &device : devices) {
    query.bind(1, device);
    if (query.step()) {
      busy.push_back(device);
    }
    query.reset();
  }
  return busy;
}

void RolloutStore::set_state(int64_t id, const std::string &state, const std::string &halt_reason) {
  Statement update(db_.handle(), "UPDATE rollouts SET state = ?2, halt_reason = ?3 WHERE id = ?1");
  update.bind(1, id).bind(2, state).bind(3, halt_reason).run();
}

void RolloutStore::set_current_wave(int64_t id, int64_t wave) {
  Statement update(db_.handle(), "UPDATE rollouts SET current_wave = ?2 WHERE id = ?1");
  update.bind(1, id).bind(2, wave).run();
}

void RolloutStore::record_device(int64_t id, const std::string &device, const std::string &state,
                                 int64_t next_offset, int64_t failure) {
  Statement update(db_.handle(),
                   "UPDATE rollout_devices SET state = ?3, next_offset = ?4, failure = ?5 "
                   "WHERE rollout_id = ?1 AND device_id = ?2");
  update.bind(1, id).bind(2, device).bind(3, state).bind(4, next_offset).bind(5, failure).run();
}

std::string advance_rollout(RolloutStore &store, int64_t id) {
  RolloutRow row = store.get(id);
  while (row.state == "running") {
    const WaveCounts counts = store.wave_counts(id, row.current_wave);
    const double max_pct = row.spec.max_failure_permille / 10.0;
    if (wave_exceeds_failure_limit(static_cast<size_t>(counts.failed),
                                   static_cast<size_t>(counts.devices), max_pct)) {
      std::ostringstream reason;
      reason << "wave " << row.current_wave + 1 << " of " << row.wave_count << ": " << counts.failed
             << " of " << counts.devices << " devices failed, above the "
             << percent(row.spec.max_failure_permille) << " limit";
      store.set_state(id, "halted", reason.str());
      return "halted";
    }
    if (counts.activated + counts.failed < counts.devices) {
      return row.state;  // the wave is still in progress
    }
    if (row.current_wave + 1 >= row.wave_count) {
      store.set_state(id, "done");
      return "done";
    }
    row.current_wave += 1;
    store.set_current_wave(id, row.current_wave);
  }
  return row.state;
}

}  // namespace sotto::gw
