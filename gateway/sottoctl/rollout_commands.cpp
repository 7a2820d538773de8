// `sottoctl rollout ...`: argument checks, one API call, a short human summary (or --json).
#include "rollout_commands.h"

#include <boost/json.hpp>
#include <sstream>

#include "cli_arguments.h"
#include "file_bytes.h"
#include "json_output.h"
#include "text_table.h"
#include "wave_plan.h"

namespace sotto::gw::ctl {
namespace {

constexpr char kNotJson[] = "gateway: answer is not JSON";

int64_t number(const boost::json::object &object, const char *key) {
  const boost::json::value *value = object.if_contains(key);
  return value != nullptr && value->is_number() ? value->to_number<int64_t>() : 0;
}

std::string text(const boost::json::object &object, const char *key) {
  const boost::json::value *value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

const boost::json::object &sub(const boost::json::object &object, const char *key) {
  static const boost::json::object kEmpty;
  const boost::json::value *value = object.if_contains(key);
  return value != nullptr && value->is_object() ? value->as_object() : kEmpty;
}

std::string rollout_id(const std::string &word) {
  if (word.empty() || word.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("rollout id: expected a number, got '" + word + "'");
  }
  return word;
}

// What a rollout sends: "model v2", or "key rotation 3 (adds 0badc0de, retires 1234abcd)".
std::string payload_text(const boost::json::object &rollout) {
  if (text(rollout, "kind") != "keys")
    return "model v" + std::to_string(number(rollout, "model_version"));
  std::string out = "key rotation " + std::to_string(number(rollout, "key_list_version")) +
                    " (adds " + text(rollout, "adds_key_id");
  if (!text(rollout, "retires_key_id").empty())
    out += ", retires " + text(rollout, "retires_key_id");
  return out + ")";
}

}  // namespace

std::string rollout_progress_line(const boost::json::object &rollout) {
  const auto &devices = sub(rollout, "devices");
  std::ostringstream line;
  line << "rollout " << number(rollout, "id") << ": " << text(rollout, "state") << ", "
       << payload_text(rollout) << ", wave " << number(rollout, "current_wave") << " of "
       << number(rollout, "wave_count") << ", " << number(devices, "activated") << " of "
       << number(devices, "total") << " activated, " << number(devices, "failed") << " failed";
  const std::string reason = text(rollout, "halt_reason");
  if (!reason.empty()) line << " (" << reason << ")";
  return line.str();
}

std::string rollout_target_query(const Arguments &arguments) {
  auto site = arguments.value("--site");
  auto devices = arguments.value("--devices");
  if (site.has_value() == devices.has_value()) {
    throw UsageError("give either --site S or --devices ID,...");
  }
  std::string query = site ? "site=" + url_encode(*site) : "devices=" + url_encode(*devices);
  if (auto waves = arguments.value("--waves")) {
    try {
      parse_waves(*waves);
    } catch (const std::invalid_argument &error) {
      throw UsageError(error.what());
    }
    query += "&waves=" + url_encode(*waves);
  }
  if (auto pct = arguments.value("--max-failure-pct")) {
    char *end = nullptr;
    const double value = std::strtod(pct->c_str(), &end);
    if (pct->empty() || *end != '\0' || !(value >= 0) || value > 100) {
      throw UsageError("--max-failure-pct: expected a number 0..100, got '" + *pct + "'");
    }
    query += "&max_failure_pct=" + url_encode(*pct);
  }
  return query;
}

namespace {

void print_details(std::ostream &out, const boost::json::object &rollout) {
  out << rollout_progress_line(rollout) << "\n";
  TextTable waves({"WAVE", "DEVICES", "ACTIVATED", "FAILED"});
  if (const auto *list = rollout.if_contains("wave_progress"); list && list->is_array()) {
    for (const auto &item : list->as_array()) {
      const auto &wave = item.as_object();
      waves.add_row({std::to_string(number(wave, "wave")), std::to_string(number(wave, "devices")),
                     std::to_string(number(wave, "activated")),
                     std::to_string(number(wave, "failed"))});
    }
  }
  waves.print(out);
  for (const auto &[reason, count] : sub(rollout, "failures")) {
    out << "failed: " << count.to_number<int64_t>() << " x " << std::string(reason) << "\n";
  }
}

// One row per rollout in a /api/v1/rollouts reply.
void add_rollout_rows(TextTable &table, const boost::json::object &response) {
  const auto *list = response.if_contains("rollouts");
  if (list == nullptr || !list->is_array()) return;
  for (const auto &item : list->as_array()) {
    const auto &rollout = item.as_object();
    const auto &devices = sub(rollout, "devices");
    const bool keys = text(rollout, "kind") == "keys";
    table.add_row({std::to_string(number(rollout, "id")), text(rollout, "state"),
                   keys ? "keys " + std::to_string(number(rollout, "key_list_version"))
                        : "v" + std::to_string(number(rollout, "model_version")),
                   std::to_string(number(rollout, "current_wave")) + "/" +
                       std::to_string(number(rollout, "wave_count")),
                   std::to_string(number(devices, "total")),
                   std::to_string(number(devices, "activated")),
                   std::to_string(number(devices, "failed")), text(rollout, "halt_reason")});
  }
}

int start(CliContext &context, const std::vector<std::string> &args) {
  Arguments arguments(args, {"--site", "--devices", "--waves", "--max-failure-pct"});
  const std::string bundle_path = arguments.positionals({"BUNDLE"})[0];
  const std::string query = rollout_target_query(arguments);
  const std::vector<uint8_t> bytes = read_file_bytes(bundle_path);
  const std::string bundle(bytes.begin(), bytes.end());
  const std::string raw =
      context.gateway.post("/api/v1/rollouts?" + query, bundle, "application/octet-stream");
  if (context.json) {
    context.out << raw << "\n";
  } else {
    const auto rollout = parse_object(raw, kNotJson);
    context.out << "started " << rollout_progress_line(rollout) << "\n";
  }
  return kExitOk;
}

int status(CliContext &context, const std::vector<std::string> &args) {
  if (args.size() > 1) throw UsageError("expected at most one rollout ID");
  if (args.size() == 1) {
    const std::string raw = context.gateway.get("/api/v1/rollouts/" + rollout_id(args[0]));
    if (context.json) {
      context.out << raw << "\n";
    } else {
      print_details(context.out, parse_object(raw, kNotJson));
    }
    return kExitOk;
  }
  const std::string raw = context.gateway.get("/api/v1/rollouts");
  TextTable table({"ID", "STATE", "SENDS", "WAVE", "DEVICES", "ACTIVATED", "FAILED", "REASON"});
  // --json prints the reply as it came, so only the table needs it to parse.
  if (!context.json) add_rollout_rows(table, parse_object(raw, kNotJson));
  emit(context, raw, table, "no rollouts yet");
  return kExitOk;
}

int transition(CliContext &context, const std::string &action,
               const std::vector<std::string> &args) {
  Arguments arguments(args, {});
  const std::string id = rollout_id(arguments.positionals({"ID"})[0]);
  const std::string raw =
      context.gateway.post("/api/v1/rollouts/" + id + "/" + action, "", "application/json");
  if (context.json) {
    context.out << raw << "\n";
  } else {
    context.out << rollout_progress_line(parse_object(raw, kNotJson)) << "\n";
  }
  return kExitOk;
}

}  // namespace

int rollout_command(CliContext &context, const std::vector<std::string> &args) {
  if (args.empty())
    throw UsageError("missing rollout subcommand (start, status, pause, resume, abort)");
  const std::string &sub_command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub_command == "start") return start(context, rest);
  if (sub_command == "status") return status(context, rest);
  if (sub_command == "pause" || sub_command == "resume" || sub_command == "abort") {
    return transition(context, sub_command, rest);
  }
  throw UsageError("unknown rollout subcommand '" + sub_command +
                   "' (start, status, pause, resume, abort)");
}

}  // namespace sotto::gw::ctl
