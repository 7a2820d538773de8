#include "fleet_commands.h"

#include <boost/json.hpp>
#include <cstdio>

#include "cli_arguments.h"
#include "json_output.h"
#include "text_table.h"

namespace sotto::gw::ctl {

namespace {

const boost::json::array &array_field(const boost::json::object &object, const char *key) {
  const boost::json::value *value = object.if_contains(key);
  if (value == nullptr || !value->is_array())
    throw GatewayError(200, std::string("gateway: response has no '") + key + "' list");
  return value->as_array();
}

std::string readings_cell(const boost::json::object &event) {
  const boost::json::value *readings = event.if_contains("readings");
  if (readings == nullptr || !readings->is_array() || readings->as_array().empty()) return "-";
  std::string text;
  for (const auto &reading : readings->as_array()) {
    if (!reading.is_object()) continue;
    if (!text.empty()) text += ' ';
    text += cell(reading.as_object(), "quantity") + "=" + cell(reading.as_object(), "value");
  }
  return text;
}

// "2/v1:20" (model 2 version 1 on 20 devices) per model the site's devices run; "rules:3" for
// devices with none. One word per model, so the table stays split by spaces.
std::string models_cell(const boost::json::object &site) {
  const boost::json::value *models = site.if_contains("models");
  if (models == nullptr || !models->is_array() || models->as_array().empty()) return "-";
  std::string text;
  for (const auto &item : models->as_array()) {
    if (!item.is_object()) continue;
    const auto &model = item.as_object();
    if (!text.empty()) text += ' ';
    text += (cell(model, "model_id") == "0"
                 ? "rules"
                 : cell(model, "model_id") + "/v" + cell(model, "model_version")) +
            ":" + cell(model, "devices");
  }
  return text;
}

}  // namespace

int devices_command(CliContext &context, const std::vector<std::string> &args) {
  Arguments arguments(args, {"--site"});
  arguments.positionals({});
  std::string target = "/api/v1/devices";
  if (auto site = arguments.value("--site")) target += "?site=" + url_encode(*site);
  std::string raw;
  auto response = fetch_object(context, target, &raw);
  TextTable table({"DEVICE", "SITE", "LAST SEEN", "MODEL", "BATTERY mV", "EVENTS", "DROPPED"});
  for (const auto &item : array_field(response, "devices")) {
    const auto &device = item.as_object();
    table.add_row({cell(device, "device"), cell(device, "site"), cell(device, "last_seen"),
                   cell(device, "model_id") + "/v" + cell(device, "model_version"),
                   cell(device, "battery_mv"), cell(device, "events"),
                   cell(device, "events_dropped")});
  }
  emit(context, raw, table, "no devices known yet");
  return kExitOk;
}

int events_command(CliContext &context, const std::vector<std::string> &args) {
  Arguments arguments(args, {"--limit", "--kind"});
  const std::string device = arguments.positionals({"DEVICE"})[0];
  int64_t limit = arguments.integer("--limit", 1, 1000, 20);
  // Fail on an unknown device by name rather than printing an empty list.
  context.gateway.get("/api/v1/devices/" + url_encode(device));
  std::string target =
      "/api/v1/events?device=" + url_encode(device) + "&limit=" + std::to_string(limit);
  if (auto kind = arguments.value("--kind")) target += "&kind=" + url_encode(*kind);
  std::string raw;
  auto response = fetch_object(context, target, &raw);
  TextTable table({"TIME", "KIND", "CLASS", "SCORE", "BOOT", "SEQ", "READINGS"});
  for (const auto &item : array_field(response, "events")) {
    const auto &event = item.as_object();
    table.add_row({cell(event, "time"), cell(event, "kind"), cell(event, "class"),
                   cell(event, "score"), cell(event, "boot_id"), cell(event, "seq"),
                   readings_cell(event)});
  }
  emit(context, raw, table, "no events from this device yet");
  return kExitOk;
}

int fleet_command(CliContext &context, const std::vector<std::string> &args) {
  Arguments arguments(args, {});
  arguments.positionals({});
  std::string raw;
  auto response = fetch_object(context, "/api/v1/fleet", &raw);
  TextTable table({"SITE", "DEVICES", "MODELS", "EVENTS", "ANOMALY", "CLASSIFICATION", "THRESHOLD",
                   "HEARTBEAT", "DROPPED", "LOW BATTERY", "LAST SEEN"});
  for (const auto &item : array_field(response, "sites")) {
    const auto &site = item.as_object();
    boost::json::object no_kinds;
    const auto *by_kind = site.if_contains("by_kind");
    const auto &kinds =
        by_kind != nullptr && by_kind->is_object() ? by_kind->as_object() : no_kinds;
    table.add_row({cell(site, "site"), cell(site, "devices"), models_cell(site),
                   cell(site, "events"), cell(kinds, "anomaly"), cell(kinds, "classification"),
                   cell(kinds, "threshold"), cell(kinds, "heartbeat"), cell(site, "events_dropped"),
                   cell(site, "low_battery_devices"), cell(site, "last_seen")});
  }
  emit(context, raw, table, "no sites known yet");
  return kExitOk;
}

}  // namespace sotto::gw::ctl
