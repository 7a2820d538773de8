// Formats the end-of-run summary (per-site table) and the machine-readable JSON.
#include "summary.h"

#include <cstdio>
#include <fstream>
#include <iomanip>
#include <map>
#include <stdexcept>

namespace sotto::gw::sim {
namespace {

struct Totals {
  uint64_t devices = 0, emitted = 0, delivered = 0, dropped = 0, queued = 0;
  uint64_t anomalies = 0, classifications = 0, thresholds = 0, heartbeats = 0, reconnects = 0;
  uint64_t connects = 0, connect_attempts = 0, connect_failures = 0, publish_failures = 0;
  uint64_t tcp_refused = 0, broker_refusals = 0;
  uint64_t with_model = 0, inferences = 0;

  void add(const DeviceReport &report) {
    devices += 1;
    emitted += report.stats.emitted;
    delivered += report.stats.delivered;
    dropped += report.stats.dropped;
    queued += report.stats.queued;
    anomalies += report.emitted_by_kind[SOTTO_EVENT_ANOMALY];
    classifications += report.emitted_by_kind[SOTTO_EVENT_CLASSIFICATION];
    thresholds += report.emitted_by_kind[SOTTO_EVENT_THRESHOLD];
    heartbeats += report.emitted_by_kind[SOTTO_EVENT_HEARTBEAT];
    reconnects += report.connection_losses;
    connects += report.connects;
    connect_attempts += report.stats.connect_attempts;
    connect_failures += report.connect_failures;
    tcp_refused += report.tcp_refused;
    broker_refusals += report.broker_refusals;
    publish_failures += report.stats.publish_failures;
    with_model += report.model_id != 0 ? 1 : 0;
    inferences += report.inferences;
  }
};

// Ids are [a-z0-9-] by construction; escape anyway so the file is always valid JSON.
std::string json_string(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

void print_summary(std::ostream &out, const std::vector<DeviceReport> &reports,
                   const RunFacts &facts) {
  std::map<std::string, std::pair<SiteKind, Totals>> sites;
  Totals all;
  for (const auto &report : reports) {
    auto &entry = sites.try_emplace(report.site, report.kind, Totals{}).first->second;
    entry.second.add(report);
    all.add(report);
  }
  out << "sotto-sim: " << all.devices << " devices, " << std::fixed << std::setprecision(1)
      << facts.wall_seconds << " s wall = " << facts.sim_seconds / 3600.0 << " h simulated, seed "
      << facts.seed << ", broker " << facts.broker_url
      << (facts.interrupted ? " (interrupted)" : "") << "\n";
  out << std::left << std::setw(16) << "site" << std::setw(11) << "kind" << std::right
      << std::setw(8) << "devices" << std::setw(9) << "emitted" << std::setw(10) << "delivered"
      << std::setw(8) << "dropped" << std::setw(7) << "queued" << std::setw(10) << "anomalies"
      << std::setw(11) << "classified" << std::setw(11) << "thresholds" << std::setw(11)
      << "heartbeats" << std::setw(8) << "model" << std::setw(12) << "inferences"
      << "\n";
  auto row = [&out](const std::string &name, const std::string &kind, const Totals &t) {
    out << std::left << std::setw(16) << name << std::setw(11) << kind << std::right << std::setw(8)
        << t.devices << std::setw(9) << t.emitted << std::setw(10) << t.delivered << std::setw(8)
        << t.dropped << std::setw(7) << t.queued << std::setw(10) << t.anomalies << std::setw(11)
        << t.classifications << std::setw(11) << t.thresholds << std::setw(11) << t.heartbeats
        << std::setw(8) << t.with_model << std::setw(12) << t.inferences << "\n";
  };
  for (const auto &[name, entry] : sites) {
    row(name, site_kind_name(entry.first), entry.second);
  }
  row("total", "", all);
  if (all.reconnects > 0) {
    out << "connection losses: " << all.reconnects << ", connects " << all.connects
        << " (SDK attempts " << all.connect_attempts << ", failed " << all.connect_failures
        << "), unacknowledged publishes " << all.publish_failures << "\n";
  }
  if (!facts.complete) {
    out << "not every device delivered everything it queued\n";
  }
}

void write_summary_json(const std::string &path, const std::vector<DeviceReport> &reports,
                        const RunFacts &facts) {
  std::ofstream file(path);
  if (!file) {
    throw std::runtime_error("cannot write summary to " + path);
  }
  Totals all;
  file << "{\n  \"devices\": [\n";
  for (size_t i = 0; i < reports.size(); ++i) {
    const DeviceReport &r = reports[i];
    all.add(r);
    file << "    {\"device\": " << json_string(r.device) << ", \"site\": " << json_string(r.site)
         << ", \"kind\": \"" << site_kind_name(r.kind) << "\", \"boot_id\": " << r.stats.boot_id
         << ", \"emitted\": " << r.stats.emitted << ", \"delivered\": " << r.stats.delivered
         << ", \"dropped\": " << r.stats.dropped << ", \"queued\": " << r.stats.queued
         << ", \"health_published\": " << r.stats.health_published
         << ", \"connection_losses\": " << r.connection_losses << ", \"connects\": " << r.connects
         << ", \"connect_attempts\": " << r.stats.connect_attempts
         << ", \"connect_failures\": " << r.connect_failures
         << ", \"publish_failures\": " << r.stats.publish_failures << ", \"decides_by\": \""
         << (r.model_id != 0 ? "model" : "rules") << "\", \"model_id\": " << r.model_id
         << ", \"model_version\": " << r.model_version << ", \"inferences\": " << r.inferences;
    if (r.truth.windows > 0) {
      file << ", \"truth\": {\"windows\": " << r.truth.windows
           << ", \"condition_correct\": " << r.truth.condition_correct
           << ", \"heart_correct\": " << r.truth.heart_correct
           << ", \"fall_correct\": " << r.truth.fall_correct << "}";
    }
    if (!r.model_refused.empty()) file << ", \"model_refused\": " << json_string(r.model_refused);
    if (r.ota.enabled) {
      const sotto_ota_status_t &ota = r.ota.status;
      file << ", \"ota\": {\"state\": " << static_cast<int>(ota.state) << ", \"failure\": "
           << json_string(ota.failure == SOTTO_OK ? "none" : sotto_err_name(ota.failure))
           << ", \"rollout_id\": " << ota.rollout_id << ", \"model_id\": " << ota.model_id
           << ", \"model_version\": " << ota.model_version
           << ", \"statuses_published\": " << r.ota.statuses_published << "}";
    }
    file << "}" << (i + 1 < reports.size() ? ",\n" : "\n");
  }
  file << "  ],\n  \"totals\": {\"devices\": " << all.devices << ", \"emitted\": " << all.emitted
       << ", \"delivered\": " << all.delivered << ", \"dropped\": " << all.dropped
       << ", \"queued\": " << all.queued << "},\n";
  file << "  \"link\": {\"connects\": " << all.connects
       << ", \"connect_attempts\": " << all.connect_attempts
       << ", \"connect_failures\": " << all.connect_failures
       << ", \"tcp_refused\": " << all.tcp_refused
       << ", \"broker_refusals\": " << all.broker_refusals
       << ", \"connection_losses\": " << all.reconnects
       << ", \"publish_failures\": " << all.publish_failures << "},\n";
  file << std::fixed << std::setprecision(3) << "  \"wall_seconds\": " << facts.wall_seconds
       << ",\n  \"sim_seconds\": " << facts.sim_seconds << ",\n  \"seed\": " << facts.seed
       << ",\n  \"complete\": " << (facts.complete ? "true" : "false")
       << ",\n  \"interrupted\": " << (facts.interrupted ? "true" : "false") << "\n}\n";
  file.close();
  if (!file) {
    throw std::runtime_error("cannot write summary to " + path);
  }
}

}  // namespace sotto::gw::sim
