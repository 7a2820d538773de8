// JSON for the API's read endpoints (see the header).
#include "json_views.h"

#include "time_format.h"

namespace sotto::gw {
namespace {

const char *kKindNames[] = {"unspecified", "anomaly", "classification", "threshold", "heartbeat"};
const char *kQuantityNames[] = {
    "unspecified",           "temperature_centi_c",        "soil_moisture_permille",
    "vibration_rms_milli_g", "relative_humidity_permille", "zone"};

boost::json::value optional_json(const std::optional<int64_t> &value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

std::string hex(const std::vector<uint8_t> &bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 15];
  }
  return out;
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

boost::json::object device_json(const DeviceRecord &device) {
  return {{"device", device.device_id},
          {"site", device.site},
          {"first_seen", iso8601_utc(device.first_seen_ms)},
          {"last_seen", iso8601_utc(device.last_seen_ms)},
          {"boot_id", optional_json(device.boot_id)},
          {"model_id", device.model_id},
          {"model_version", device.model_version},
          {"sdk_version", device.sdk_version},
          {"battery_mv", device.battery_mv},
          {"device_class", device.device_class},
          {"events_dropped", device.events_dropped},
          {"events_queued", device.events_queued},
          {"events", device.event_count}};
}

boost::json::object event_page_json(const EventPage &page) {
  boost::json::array events;
  for (const EventRecord &event : page.events) {
    boost::json::array readings;
    for (const Reading &reading : event.readings) {
      readings.push_back(
          boost::json::object{{"quantity", reading.quantity >= 0 && reading.quantity <= 5
                                               ? kQuantityNames[reading.quantity]
                                               : "unknown"},
                              {"value", reading.value}});
    }
    events.push_back(boost::json::object{{"id", event.id},
                                         {"device", event.device_id},
                                         {"site", event.site},
                                         {"boot_id", optional_json(event.boot_id)},
                                         {"seq", event.seq},
                                         {"kind", kind_name(event.kind)},
                                         {"class", event.class_id},
                                         {"score", static_cast<double>(event.score) / 255.0},
                                         {"time", iso8601_utc(event.event_time_ms)},
                                         {"received_at", iso8601_utc(event.received_ms)},
                                         {"readings", std::move(readings)}});
  }
  return {{"events", std::move(events)}, {"next_before_id", optional_json(page.next_before_id)}};
}

boost::json::object fleet_json(const std::vector<SiteSummary> &sites) {
  boost::json::array list;
  for (const SiteSummary &site : sites) {
    boost::json::object by_kind{
        {"anomaly", 0}, {"classification", 0}, {"threshold", 0}, {"heartbeat", 0}};
    for (const auto &[kind, count] : site.events_by_kind) by_kind[kind_name(kind)] = count;
    boost::json::array models;
    for (const auto &[model, devices] : site.devices_by_model) {
      models.push_back(boost::json::object{
          {"model_id", model.first}, {"model_version", model.second}, {"devices", devices}});
    }
    list.push_back(boost::json::object{{"site", site.site},
                                       {"devices", site.devices},
                                       {"events", site.events},
                                       {"by_kind", std::move(by_kind)},
                                       {"models", std::move(models)},
                                       {"events_dropped", site.events_dropped},
                                       {"low_battery_devices", site.low_battery_devices},
                                       {"last_seen", iso8601_utc(site.last_seen_ms)}});
  }
  return {{"sites", std::move(list)}};
}

boost::json::object aggregates_json(const std::string &scope, const std::string &id,
                                    int64_t window_s, const std::vector<AggregateBucket> &buckets) {
  boost::json::array list;
  for (const AggregateBucket &bucket : buckets) {
    list.push_back(boost::json::object{
        {"start", iso8601_utc(bucket.window_start_ms)},
        {"kind", kind_name(bucket.kind)},
        {"count", bucket.count},
        {"score_mean",
         static_cast<double>(bucket.score_sum) / static_cast<double>(bucket.count) / 255.0},
        {"score_max", static_cast<double>(bucket.score_max) / 255.0}});
  }
  return {{"scope", scope}, {"id", id}, {"window_s", window_s}, {"buckets", std::move(list)}};
}

boost::json::object quarantine_json(const std::vector<QuarantineRecord> &rows, int64_t total) {
  boost::json::array list;
  for (const QuarantineRecord &row : rows) {
    list.push_back(boost::json::object{{"id", row.id},
                                       {"received_at", iso8601_utc(row.received_ms)},
                                       {"reason", row.reason},
                                       {"topic", row.topic},
                                       {"payload_hex", hex(row.payload)}});
  }
  return {{"total", total}, {"messages", std::move(list)}};
}

}  // namespace sotto::gw
