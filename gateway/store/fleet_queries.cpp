// SQL for the HTTP API: devices, events (newest first, paged by id), aggregates, fleet summary.
#include "fleet_queries.h"

#include "time_format.h"

namespace sotto::gw {
namespace {

const char *kKindNames[] = {"unspecified", "anomaly", "classification", "threshold", "heartbeat"};
const char *kQuantityNames[] = {
    "unspecified",           "temperature_centi_c",        "soil_moisture_permille",
    "vibration_rms_milli_g", "relative_humidity_permille", "zone"};

constexpr const char *kDeviceColumns =
    "device_id, site, first_seen_ms, last_seen_ms, boot_id, model_id, model_version, sdk_version, "
    "battery_mv, "
    "device_class, events_dropped, events_queued, event_count FROM devices";

boost::json::object device_json(const Statement &row) {
  boost::json::object device;
  device["device"] = row.text(0);
  device["site"] = row.text(1);
  device["first_seen"] = iso8601_utc(row.integer(2));
  device["last_seen"] = iso8601_utc(row.integer(3));
  auto boot_id = row.optional_integer(4);
  device["boot_id"] = boot_id ? boost::json::value(*boot_id) : boost::json::value(nullptr);
  device["model_id"] = row.integer(5);
  device["model_version"] = row.integer(6);
  device["sdk_version"] = row.integer(7);
  device["battery_mv"] = row.integer(8);
  device["device_class"] = row.integer(9);
  device["events_dropped"] = row.integer(10);
  device["events_queued"] = row.integer(11);
  device["events"] = row.integer(12);
  return device;
}

// Stored readings hold quantity numbers; the API names them.
boost::json::array readings_json(const std::string &stored) {
  boost::json::array readings;
  boost::json::value parsed = boost::json::parse(stored);
  for (auto &item : parsed.as_array()) {
    auto quantity = item.at("quantity").to_number<int64_t>();
    boost::json::object reading;
    reading["quantity"] = quantity >= 0 && quantity <= 5 ? kQuantityNames[quantity] : "unknown";
    reading["value"] = item.at("value");
    readings.push_back(std::move(reading));
  }
  return readings;
}

}  // namespace

const char *kind_name(int64_t kind) {
  return kind >= 0 && kind <= 4 ? kKindNames[kind] : "unknown";
}

std::optional<int> kind_from_name(const std::string &name) {
  for (int kind = 1; kind <= 4; ++kind) {
    if (name == kKindNames[kind]) return kind;
  }
  return std::nullopt;
}

FleetQueries::FleetQueries(const std::string &path, uint32_t window_s, uint32_t low_battery_mv)
    : db_(path, true), window_s_(window_s), low_battery_mv_(low_battery_mv) {}

boost::json::object FleetQueries::fleet() {
  boost::json::object by_site;
  Statement sites(db_.handle(),
                  "SELECT site, COUNT(*), SUM(event_count), SUM(events_dropped), "
                  "SUM(battery_mv > 0 AND battery_mv < ?1), MAX(last_seen_ms) FROM devices GROUP "
                  "BY site ORDER BY site");
  sites.bind(1, int64_t{low_battery_mv_});
  while (sites.step()) {
    boost::json::object site;
    site["site"] = sites.text(0);
    site["devices"] = sites.integer(1);
    site["events"] = sites.integer(2);
    site["by_kind"] = boost::json::object{
        {"anomaly", 0}, {"classification", 0}, {"threshold", 0}, {"heartbeat", 0}};
    site["events_dropped"] = sites.integer(3);
    site["low_battery_devices"] = sites.integer(4);
    site["last_seen"] = iso8601_utc(sites.integer(5));
    by_site[sites.text(0)] = std::move(site);
  }
  Statement kinds(
      db_.handle(),
      "SELECT scope_id, kind, SUM(count) FROM aggregates WHERE scope = 'site' AND window_s = ?1 "
      "GROUP BY scope_id, kind");
  kinds.bind(1, int64_t{window_s_});
  while (kinds.step()) {
    auto *site = by_site.if_contains(kinds.text(0));
    if (site != nullptr)
      site->as_object()["by_kind"].as_object()[kind_name(kinds.integer(1))] = kinds.integer(2);
  }
  boost::json::array list;
  for (auto &[name, site] : by_site) list.push_back(std::move(site));
  return {{"sites", std::move(list)}};
}

boost::json::object FleetQueries::devices(const std::optional<std::string> &site) {
  std::string sql = std::string("SELECT ") + kDeviceColumns + (site ? " WHERE site = ?1" : "") +
                    " ORDER BY device_id";
  Statement query(db_.handle(), sql.c_str());
  if (site) query.bind(1, *site);
  boost::json::array list;
  while (query.step()) list.push_back(device_json(query));
  return {{"devices", std::move(list)}};
}

std::optional<boost::json::object> FleetQueries::device(const std::string &id) {
  std::string sql = std::string("SELECT ") + kDeviceColumns + " WHERE device_id = ?1";
  Statement query(db_.handle(), sql.c_str());
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return device_json(query);
}

boost::json::object FleetQueries::events(const EventFilter &filter) {
  std::string sql =
      "SELECT id, device_id, site, boot_id, boot_known, seq, kind, class_id, score, event_time_ms, "
      "received_ms, "
      "readings FROM events WHERE 1 = 1";
  if (filter.device) sql += " AND device_id = ?1";
  if (filter.site) sql += " AND site = ?2";
  if (filter.kind) sql += " AND kind = ?3";
  if (filter.before_id) sql += " AND id < ?4";
  sql += " ORDER BY id DESC LIMIT ?5";
  Statement query(db_.handle(), sql.c_str());
  if (filter.device) query.bind(1, *filter.device);
  if (filter.site) query.bind(2, *filter.site);
  if (filter.kind) query.bind(3, int64_t{*filter.kind});
  if (filter.before_id) query.bind(4, *filter.before_id);
  query.bind(5, int64_t{filter.limit} + 1);  // one more tells whether another page exists
  boost::json::array list;
  int64_t last_id = 0;
  bool more = false;
  while (query.step()) {
    if (static_cast<int>(list.size()) == filter.limit) {
      more = true;
      break;
    }
    boost::json::object event;
    last_id = query.integer(0);
    event["id"] = last_id;
    event["device"] = query.text(1);
    event["site"] = query.text(2);
    event["boot_id"] =
        query.integer(4) ? boost::json::value(query.integer(3)) : boost::json::value(nullptr);
    event["seq"] = query.integer(5);
    event["kind"] = kind_name(query.integer(6));
    event["class"] = query.integer(7);
    event["score"] = static_cast<double>(query.integer(8)) / 255.0;
    event["time"] = iso8601_utc(query.integer(9));
    event["received_at"] = iso8601_utc(query.integer(10));
    event["readings"] = readings_json(query.text(11));
    list.push_back(std::move(event));
  }
  return {{"events", std::move(list)},
          {"next_before_id", more ? boost::json::value(last_id) : boost::json::value(nullptr)}};
}

boost::json::object FleetQueries::aggregates(const std::string &scope, const std::string &id) {
  Statement query(
      db_.handle(),
      "SELECT window_start_ms, kind, count, score_sum, score_max FROM aggregates "
      "WHERE scope = ?1 AND scope_id = ?2 AND window_s = ?3 ORDER BY window_start_ms, kind");
  query.bind(1, scope).bind(2, id).bind(3, int64_t{window_s_});
  boost::json::array buckets;
  while (query.step()) {
    boost::json::object bucket;
    bucket["start"] = iso8601_utc(query.integer(0));
    bucket["kind"] = kind_name(query.integer(1));
    bucket["count"] = query.integer(2);
    bucket["score_mean"] =
        static_cast<double>(query.integer(3)) / static_cast<double>(query.integer(2)) / 255.0;
    bucket["score_max"] = static_cast<double>(query.integer(4)) / 255.0;
    buckets.push_back(std::move(bucket));
  }
  return {{"scope", scope}, {"id", id}, {"window_s", window_s_}, {"buckets", std::move(buckets)}};
}

}  // namespace sotto::gw
