// The SQLite reader connection: the API's and CLI's queries and the rollout engine's reads (its
// online backup is sqlite_backup.cpp). Every query is answered from an index (tests/gateway
// checks the plans).
#include "readings_codec.h"
#include "sqlite_connections.h"
#include "sqlite_queries.h"
#include "wave_text.h"

namespace sotto::gw {
namespace {

constexpr std::chrono::milliseconds kReaderBusyTimeout{5000};

constexpr const char *kDeviceColumns =
    "SELECT d.device_id, s.site, d.first_seen_ms, d.last_seen_ms, b.boot_id, d.model_id, "
    "d.model_version, d.sdk_version, d.battery_mv, d.device_class, d.events_dropped, "
    "d.events_queued, d.event_count FROM devices d JOIN sites s ON s.site_key = d.site_key "
    "LEFT JOIN boots b ON b.boot_key = d.boot_key";

constexpr const char *kEventColumns =
    "SELECT e.id, d.device_id, s.site, b.boot_id, e.seq, e.kind, e.class_id, e.score, "
    "e.event_time_ms, e.received_delay_ms, e.readings FROM events e "
    "JOIN boots b ON b.boot_key = e.boot_key JOIN devices d ON d.device_key = b.device_key "
    "JOIN sites s ON s.site_key = e.site_key";

DeviceRecord device_record(const Statement &row) {
  DeviceRecord device;
  device.device_id = row.text(0);
  device.site = row.text(1);
  device.first_seen_ms = row.integer(2);
  device.last_seen_ms = row.integer(3);
  device.boot_id = row.optional_integer(4);
  device.model_id = row.integer(5);
  device.model_version = row.integer(6);
  device.sdk_version = row.integer(7);
  device.battery_mv = row.integer(8);
  device.device_class = row.integer(9);
  device.events_dropped = row.integer(10);
  device.events_queued = row.integer(11);
  device.event_count = row.integer(12);
  return device;
}

EventRecord event_record(const Statement &row) {
  EventRecord event;
  event.id = row.integer(0);
  event.device_id = row.text(1);
  event.site = row.text(2);
  event.boot_id = row.optional_integer(3);
  event.seq = row.integer(4);
  event.kind = static_cast<int>(row.integer(5));
  event.class_id = static_cast<int>(row.integer(6));
  event.score = static_cast<int>(row.integer(7));
  event.event_time_ms = row.integer(8);
  event.received_ms = event.event_time_ms + row.integer(9);
  const std::vector<uint8_t> readings = row.blob(10);
  event.readings = decode_readings(readings.data(), readings.size());
  return event;
}

constexpr const char *kSiteSummaries =
    "SELECT s.site, COUNT(*), SUM(d.event_count), SUM(d.events_dropped), "
    "SUM(d.battery_mv > 0 AND d.battery_mv < ?1), MAX(d.last_seen_ms), s.site_key "
    "FROM devices d JOIN sites s ON s.site_key = d.site_key GROUP BY d.site_key ORDER BY s.site";
constexpr const char *kSiteKinds =
    "SELECT kind, SUM(count) FROM aggregates WHERE scope = 1 AND scope_key = ?1 "
    "AND window_s = ?2 GROUP BY kind";
// Folded in C++: a GROUP BY here would sort in a temporary B-tree on every fleet query.
constexpr const char *kSiteModels =
    "SELECT model_id, model_version FROM devices WHERE site_key = ?1";
constexpr const char *kDeviceBoots =
    "SELECT b.boot_key FROM boots b JOIN devices d ON d.device_key = b.device_key "
    "WHERE d.device_id = ?1 ORDER BY b.boot_key DESC";
constexpr const char *kEventPosition = "SELECT boot_key, seq FROM events WHERE id = ?1";

std::string devices_sql(bool by_site) {
  return std::string(kDeviceColumns) + (by_site ? " WHERE s.site = ?1" : "") +
         " ORDER BY d.device_id";
}

std::string device_sql() {
  return std::string(kDeviceColumns) + " WHERE d.device_id = ?1";
}

std::string events_sql(bool site, bool kind, bool before) {
  std::string sql = std::string(kEventColumns) + " WHERE 1 = 1";
  if (site) sql += " AND e.site_key = (SELECT site_key FROM sites WHERE site = ?1)";
  if (kind) sql += " AND e.kind = ?2";
  if (before) sql += " AND e.id < ?3";
  return sql + " ORDER BY e.id DESC LIMIT ?4";
}

std::string boot_events_sql(bool site, bool kind) {
  std::string sql = std::string(kEventColumns) + " WHERE e.boot_key = ?1 AND e.seq < ?2";
  if (site) sql += " AND s.site = ?3";
  if (kind) sql += " AND e.kind = ?4";
  return sql + " ORDER BY e.seq DESC LIMIT ?5";
}

std::string aggregates_sql(AggregateScope scope) {
  const char *key = scope == AggregateScope::kSite
                        ? "(SELECT site_key FROM sites WHERE site = ?2)"
                        : "(SELECT device_key FROM devices WHERE device_id = ?2)";
  return std::string(
             "SELECT window_start_ms, kind, count, score_sum, score_max FROM aggregates "
             "WHERE scope = ?1 AND scope_key = ") +
         key + " AND window_s = ?3 ORDER BY window_start_ms, kind";
}

// Collects up to limit rows, and one more to know whether another page exists.
void collect(Statement &query, EventPage &page, int limit) {
  while (query.step()) {
    if (static_cast<int>(page.events.size()) == limit) {
      page.next_before_id = page.events.back().id;
      return;
    }
    page.events.push_back(event_record(query));
  }
}

}  // namespace

std::vector<NamedQuery> sqlite_api_queries() {
  std::vector<NamedQuery> queries = {
      {"fleet: sites", kSiteSummaries},
      {"fleet: kinds per site", kSiteKinds},
      {"fleet: models per site", kSiteModels},
      {"devices", devices_sql(false)},
      {"devices?site", devices_sql(true)},
      {"devices/{id}", device_sql()},
      {"events?device: boots", kDeviceBoots},
      {"events?device&before_id: position", kEventPosition},
      {"aggregates?scope=site", aggregates_sql(AggregateScope::kSite)},
      {"aggregates?scope=device", aggregates_sql(AggregateScope::kDevice)},
  };
  for (int mask = 0; mask < 8; ++mask) {
    const bool site = (mask & 1) != 0, kind = (mask & 2) != 0, before = (mask & 4) != 0;
    queries.push_back({std::string("events") + (site ? "?site" : "") + (kind ? "?kind" : "") +
                           (before ? "?before_id" : ""),
                       events_sql(site, kind, before)});
    if (!before) {
      queries.push_back(
          {std::string("events?device: one boot") + (site ? "?site" : "") + (kind ? "?kind" : ""),
           boot_events_sql(site, kind)});
    }
  }
  return queries;
}

SqliteReader::SqliteReader(const std::string &path)
    : db_(path, Database::Mode::kReadOnly, kReaderBusyTimeout) {}

std::vector<SiteSummary> SqliteReader::site_summaries(int64_t low_battery_mv, int64_t window_s) {
  std::vector<SiteSummary> sites;
  Statement query(db_.handle(), kSiteSummaries);
  query.bind(1, low_battery_mv);
  Statement kinds(db_.handle(), kSiteKinds);
  Statement models(db_.handle(), kSiteModels);
  while (query.step()) {
    SiteSummary site;
    site.site = query.text(0);
    site.devices = query.integer(1);
    site.events = query.integer(2);
    site.events_dropped = query.integer(3);
    site.low_battery_devices = query.integer(4);
    site.last_seen_ms = query.integer(5);
    kinds.bind(1, query.integer(6)).bind(2, window_s);
    while (kinds.step()) site.events_by_kind[static_cast<int>(kinds.integer(0))] = kinds.integer(1);
    kinds.reset();
    models.bind(1, query.integer(6));
    while (models.step()) site.devices_by_model[{models.integer(0), models.integer(1)}] += 1;
    models.reset();
    sites.push_back(std::move(site));
  }
  return sites;
}

std::vector<DeviceRecord> SqliteReader::devices(const std::optional<std::string> &site) {
  Statement query(db_.handle(), devices_sql(site.has_value()).c_str());
  if (site) query.bind(1, *site);
  std::vector<DeviceRecord> devices;
  while (query.step()) devices.push_back(device_record(query));
  return devices;
}

std::optional<DeviceRecord> SqliteReader::device(const std::string &device_id) {
  Statement query(db_.handle(), device_sql().c_str());
  query.bind(1, device_id);
  if (!query.step()) return std::nullopt;
  return device_record(query);
}

EventPage SqliteReader::events(const EventFilter &filter) {
  if (filter.device) return device_events(filter);
  Statement query(db_.handle(), events_sql(filter.site.has_value(), filter.kind.has_value(),
                                           filter.before_id.has_value())
                                    .c_str());
  if (filter.site) query.bind(1, *filter.site);
  if (filter.kind) query.bind(2, int64_t{*filter.kind});
  if (filter.before_id) query.bind(3, *filter.before_id);
  query.bind(4, int64_t{filter.limit} + 1);
  EventPage page;
  collect(query, page, filter.limit);
  return page;
}

// One device's events walk its boots newest first and each boot by sequence, straight down the
// (boot_key, seq) index.
EventPage SqliteReader::device_events(const EventFilter &filter) {
  EventPage page;
  Statement boots(db_.handle(), kDeviceBoots);
  boots.bind(1, *filter.device);
  int64_t start_boot = INT64_MAX;
  int64_t start_seq = INT64_MAX;
  if (filter.before_id) {
    Statement before(db_.handle(), kEventPosition);
    before.bind(1, *filter.before_id);
    if (!before.step()) return page;  // that event is gone (retention): nothing older to show
    start_boot = before.integer(0);
    start_seq = before.integer(1);
  }
  Statement query(db_.handle(),
                  boot_events_sql(filter.site.has_value(), filter.kind.has_value()).c_str());
  while (boots.step() && !page.next_before_id) {
    const int64_t boot_key = boots.integer(0);
    if (boot_key > start_boot) continue;
    query.bind(1, boot_key).bind(2, boot_key == start_boot ? start_seq : INT64_MAX);
    if (filter.site) query.bind(3, *filter.site);
    if (filter.kind) query.bind(4, int64_t{*filter.kind});
    query.bind(5, int64_t{filter.limit} + 1 - static_cast<int64_t>(page.events.size()));
    collect(query, page, filter.limit);
    query.reset();
  }
  return page;
}

std::vector<AggregateBucket> SqliteReader::aggregates(AggregateScope scope, const std::string &id,
                                                      int64_t window_s) {
  Statement query(db_.handle(), aggregates_sql(scope).c_str());
  query.bind(1, int64_t{static_cast<int>(scope)}).bind(2, id).bind(3, window_s);
  std::vector<AggregateBucket> buckets;
  while (query.step()) {
    buckets.push_back(AggregateBucket{query.integer(0), static_cast<int>(query.integer(1)),
                                      query.integer(2), query.integer(3), query.integer(4)});
  }
  return buckets;
}

std::vector<QuarantineRecord> SqliteReader::quarantine(int64_t limit) {
  Statement query(db_.handle(),
                  "SELECT id, received_ms, reason, topic, payload FROM quarantine "
                  "ORDER BY id DESC LIMIT ?1");
  query.bind(1, limit);
  std::vector<QuarantineRecord> rows;
  while (query.step()) {
    rows.push_back(QuarantineRecord{query.integer(0), query.integer(1), query.text(2),
                                    query.text(3), query.blob(4)});
  }
  return rows;
}

int64_t SqliteReader::quarantine_count() {
  Statement query(db_.handle(), "SELECT COUNT(*) FROM quarantine");
  return query.step() ? query.integer(0) : 0;
}

std::string SqliteReader::device_site(const std::string &device_id) {
  Statement query(db_.handle(),
                  "SELECT s.site FROM devices d JOIN sites s ON s.site_key = d.site_key "
                  "WHERE d.device_id = ?1");
  query.bind(1, device_id);
  return query.step() ? query.text(0) : std::string();
}

std::vector<std::string> SqliteReader::site_devices(const std::string &site) {
  Statement query(db_.handle(),
                  "SELECT d.device_id FROM devices d JOIN sites s ON s.site_key = d.site_key "
                  "WHERE s.site = ?1 ORDER BY d.device_id");
  query.bind(1, site);
  std::vector<std::string> devices;
  while (query.step()) devices.push_back(query.text(0));
  return devices;
}

std::optional<RolloutRow> SqliteReader::rollout(int64_t id) {
  Statement query(db_.handle(),
                  "SELECT r.bundle_path, r.model_version, r.waves, r.max_failure_permille, "
                  "r.wave_count, r.state, r.current_wave, r.halt_reason, r.kind, r.adds_key_id, "
                  "r.retires_key_id, k.public_key FROM rollouts r "
                  "LEFT JOIN fleet_keys k ON k.key_id = r.adds_key_id WHERE r.id = ?1");
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  RolloutRow row;
  row.id = id;
  row.spec.bundle_path = query.text(0);
  row.spec.model_version = static_cast<uint32_t>(query.integer(1));
  row.spec.waves = waves_from_text(query.text(2));
  row.spec.max_failure_permille = static_cast<uint32_t>(query.integer(3));
  row.wave_count = query.integer(4);
  row.state = query.text(5);
  row.current_wave = query.integer(6);
  row.halt_reason = query.text(7);
  row.spec.kind = query.text(8) == "keys" ? RolloutKind::kKeys : RolloutKind::kModel;
  const auto key_id = [&](int column) {
    const std::optional<int64_t> stored = query.optional_integer(column);
    return stored ? std::optional<uint32_t>(static_cast<uint32_t>(*stored)) : std::nullopt;
  };
  row.spec.adds_key_id = key_id(9);
  row.spec.retires_key_id = key_id(10);
  if (row.spec.adds_key_id) row.spec.adds_public_key = query.blob(11);
  return row;
}

std::vector<DeviceClassRow> SqliteReader::device_classes() {
  Statement query(db_.handle(), "SELECT number, name FROM device_classes ORDER BY number");
  std::vector<DeviceClassRow> rows;
  while (query.step()) rows.push_back(DeviceClassRow{query.integer(0), query.text(1)});
  return rows;
}

std::vector<int64_t> SqliteReader::rollout_ids() {
  Statement query(db_.handle(), "SELECT id FROM rollouts ORDER BY id DESC");
  std::vector<int64_t> ids;
  while (query.step()) ids.push_back(query.integer(0));
  return ids;
}

std::vector<int64_t> SqliteReader::unfinished_rollouts() {
  Statement query(db_.handle(),
                  "SELECT id FROM rollouts WHERE state IN ('running', 'paused') ORDER BY id");
  std::vector<int64_t> ids;
  while (query.step()) ids.push_back(query.integer(0));
  return ids;
}

std::vector<RolloutDeviceRow> SqliteReader::rollout_devices(int64_t id, int64_t wave) {
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

WaveCounts SqliteReader::wave_counts(int64_t id, int64_t wave) {
  Statement query(db_.handle(),
                  "SELECT COUNT(*), COALESCE(SUM(state = 'activated'), 0), "
                  "COALESCE(SUM(state = 'failed'), 0) FROM rollout_devices "
                  "WHERE rollout_id = ?1 AND wave = ?2");
  query.bind(1, id).bind(2, wave);
  query.step();
  return WaveCounts{query.integer(0), query.integer(1), query.integer(2)};
}

std::vector<std::string> SqliteReader::devices_in_unfinished_rollouts(
    const std::vector<std::string> &devices) {
  Statement query(db_.handle(),
                  "SELECT 1 FROM rollout_devices d JOIN rollouts r ON r.id = d.rollout_id "
                  "WHERE d.device_id = ?1 AND r.state IN ('running', 'paused') LIMIT 1");
  std::vector<std::string> busy;
  for (const std::string &device : devices) {
    query.bind(1, device);
    if (query.step()) busy.push_back(device);
    query.reset();
  }
  return busy;
}

}  // namespace sotto::gw
