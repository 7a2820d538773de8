// Parses sotto-sim's flags; every error names the flag and the expected form.
#include "options.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "sotto/device.h"

namespace sotto::gw::sim {
namespace {

[[noreturn]] void fail(const std::string &message) {
  throw std::invalid_argument(message);
}

long long parse_integer(const std::string &flag, const std::string &text, long long low,
                        long long high) {
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < low || value > high) {
    fail(flag + ": expected an integer in " + std::to_string(low) + ".." + std::to_string(high) +
         ", got '" + text + "'");
  }
  return value;
}

double parse_positive(const std::string &flag, const std::string &text) {
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value > 0) || value > 1e9) {
    fail(flag + ": expected a positive number, got '" + text + "'");
  }
  return value;
}

std::vector<SiteSpec> parse_sites(const std::string &text) {
  std::vector<SiteSpec> sites;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    auto colon = item.find(':');
    if (colon == std::string::npos) {
      fail("--sites: expected NAME:agri|industrial|wearable, got '" + item + "'");
    }
    SiteSpec site;
    site.name = item.substr(0, colon);
    std::string kind = item.substr(colon + 1);
    try {
      site.kind = parse_site_kind(kind);
    } catch (const std::invalid_argument &error) {
      fail("--sites: " + site.name + ": " + error.what());
    }
    // Device ids are "<site>-NNNN" and must stay within 32 characters.
    if (!sotto_id_is_valid(site.name.c_str()) || site.name.size() > 27) {
      fail("--sites: site name '" + site.name +
           "' must match [a-z0-9][a-z0-9-]* and be at most 27 characters");
    }
    for (const auto &other : sites) {
      if (other.name == site.name) {
        fail("--sites: site '" + site.name + "' is listed twice");
      }
    }
    sites.push_back(site);
  }
  if (sites.empty()) {
    fail("--sites: expected at least one NAME:KIND");
  }
  return sites;
}

}  // namespace

std::string usage() {
  return "usage: sotto-sim [flags]\n"
         "  --devices N             virtual devices (default 60)\n"
         "  --sites LIST            NAME:agri|industrial|wearable,... (default "
         "farm-north:agri,farm-south:agri,plant-1:industrial)\n"
         "  --duration S            wall-clock seconds to run (default 45)\n"
         "  --seed K                seed for the synthetic signals (default 1)\n"
         "  --broker URL            MQTT broker (default tcp://127.0.0.1:1883; ssl:// needs "
         "--pki)\n"
         "  --pki DIR               TLS: each device's own certificate from this fleet PKI\n"
         "                          (sottoctl pki init), provisioned on first use in DIR/sim/\n"
         "  --broker-pid-file F     the broker to reload after provisioning (default\n"
         "                          $SOTTO_BROKER_PID_FILE, else /run/mosquitto/mosquitto.pid)\n"
         "  --time-scale X          simulated seconds per wall second (default 3840)\n"
         "  --events-per-device N   emit exactly N events per device, drain, exit\n"
         "  --summary-json PATH     write per-device and total counts at exit\n"
         "  --queue-events M        store-and-forward capacity per device (default 256)\n"
         "  --health-interval S     simulated seconds between Health messages (default 3600)\n"
         "  --threads T             worker threads polling the devices (default 4)\n"
         "  --drain-timeout S       wall seconds to deliver what is queued at the end (default "
         "10)\n"
         "  --publish-timeout-ms MS wait for each PUBACK (default 5000; Paho transport only)\n"
         "  --transport paho|shared one Paho client per device (default), or every device's\n"
         "                          connection on one shared event loop (tcp:// brokers; storms\n"
         "                          of thousands of devices): a PUBACK is awaited while the\n"
         "                          connection lives, keepalive decides when it is lost\n"
         "  --state-dir DIR         keep each device's flash (boot counter) in DIR across runs\n"
         "  --fleet-key PUBKEY.pem  run the OTA updater on every device with this fleet key\n"
         "  --fail-self-test IDS    ID,... devices whose model self-test fails (for tests)\n"
         "  --slot-bytes N          size of each of the two model slots (default 65536)\n"
         "  --arena-bytes N         inference arena per device for the model self-test "
         "(default 65536)\n"
         "  --model KIND=FILE.smdl  devices of KIND run this model (their factory image; an OTA\n"
         "                          update replaces it); without one a kind decides by rules\n"
         "  --record-inference DIR  write each device's model windows, outputs and decisions\n"
         "  --queue-in-flash        each device queues in its flash (survives reboots)\n"
         "  --hold-events           emit --events-per-device only on SIGUSR1, all at once\n"
         "  --reconnect-min-ms MS   first reconnect delay ceiling (default: the SDK's, 1000)\n"
         "  --reconnect-max-ms MS   largest reconnect delay ceiling (default: the SDK's, 120000)\n"
         "  --reconnect-jitter full|none  full jitter (default) or exact exponential backoff\n"
         "  --max-in-flight N       unacknowledged publishes per device (default: the SDK's, 4)\n"
         "  --quiet                 no summary table\n"
         "  --version               print the version and exit\n"
         "exit codes: 0 done, 1 runtime failure (e.g. unreachable broker), 2 bad flags,\n"
         "            3 --events-per-device could not deliver everything in time\n";
}

Options parse_options(int argc, char **argv) {
  Options options;
  options.sites = {{"farm-north", SiteKind::kAgri},
                   {"farm-south", SiteKind::kAgri},
                   {"plant-1", SiteKind::kIndustrial}};
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::string value;
    auto equals = flag.find('=');
    if (flag.rfind("--", 0) == 0 && equals != std::string::npos) {
      value = flag.substr(equals + 1);
      flag = flag.substr(0, equals);
    } else if (flag != "--quiet" && flag != "--queue-in-flash" && flag != "--hold-events") {
      if (i + 1 >= argc) {
        fail(flag + ": missing value");
      }
      value = argv[++i];
    }
    if (flag == "--devices") {
      options.devices = static_cast<int>(parse_integer(flag, value, 1, 100000));
    } else if (flag == "--sites") {
      options.sites = parse_sites(value);
    } else if (flag == "--duration") {
      options.duration_s = parse_positive(flag, value);
    } else if (flag == "--seed") {
      options.seed = static_cast<uint64_t>(parse_integer(flag, value, 0, INT64_MAX));
    } else if (flag == "--broker") {
      if (value.rfind("tcp://", 0) != 0 && value.rfind("mqtt://", 0) != 0 &&
          value.rfind("ssl://", 0) != 0 && value.rfind("mqtts://", 0) != 0) {
        fail("--broker: expected tcp://HOST:PORT or ssl://HOST:PORT, got '" + value + "'");
      }
      options.broker_url = value;
    } else if (flag == "--pki") {
      options.pki_dir = value;
    } else if (flag == "--broker-pid-file") {
      options.broker_pid_file = value;
    } else if (flag == "--time-scale") {
      options.time_scale = parse_positive(flag, value);
    } else if (flag == "--events-per-device") {
      options.events_per_device = static_cast<int>(parse_integer(flag, value, 0, 10000000));
    } else if (flag == "--summary-json") {
      options.summary_json_path = value;
    } else if (flag == "--queue-events") {
      options.queue_events = static_cast<uint32_t>(parse_integer(flag, value, 1, 1000000));
    } else if (flag == "--health-interval") {
      options.health_interval_s =
          static_cast<uint32_t>(parse_integer(flag, value, 0, 86400LL * 365));
    } else if (flag == "--threads") {
      options.threads = static_cast<int>(parse_integer(flag, value, 1, 256));
    } else if (flag == "--drain-timeout") {
      options.drain_timeout_s = parse_positive(flag, value);
    } else if (flag == "--publish-timeout-ms") {
      options.publish_timeout_ms = static_cast<uint32_t>(parse_integer(flag, value, 1, 600000));
    } else if (flag == "--state-dir") {
      options.state_dir = value;
    } else if (flag == "--fleet-key") {
      options.fleet_key_path = value;
    } else if (flag == "--fail-self-test") {
      std::stringstream list(value);
      for (std::string id; std::getline(list, id, ',');) {
        if (!sotto_id_is_valid(id.c_str())) {
          fail("--fail-self-test: '" + id + "' is not a device id");
        }
        options.fail_self_test.push_back(id);
      }
    } else if (flag == "--slot-bytes") {
      options.slot_bytes = static_cast<uint32_t>(parse_integer(flag, value, 1024, 16 << 20));
      if (options.slot_bytes % 1024 != 0) {
        fail("--slot-bytes: expected a multiple of 1024, got '" + value + "'");
      }
    } else if (flag == "--arena-bytes") {
      options.arena_bytes = static_cast<uint32_t>(parse_integer(flag, value, 4, 64 << 20));
      if (options.arena_bytes % 4 != 0) {
        fail("--arena-bytes: expected a multiple of 4, got '" + value + "'");
      }
    } else if (flag == "--model") {
      const auto equals_at = value.find('=');
      if (equals_at == std::string::npos || equals_at + 1 == value.size()) {
        fail("--model: expected KIND=FILE.smdl, got '" + value + "'");
      }
      SiteKind kind{};
      try {
        kind = parse_site_kind(value.substr(0, equals_at));
      } catch (const std::invalid_argument &error) {
        fail(std::string("--model: ") + error.what());
      }
      for (const auto &[other, path] : options.model_files) {
        if (other == kind) fail("--model: " + value.substr(0, equals_at) + " is given twice");
      }
      options.model_files.emplace_back(kind, value.substr(equals_at + 1));
    } else if (flag == "--record-inference") {
      options.record_inference_dir = value;
    } else if (flag == "--queue-in-flash") {
      options.queue_in_flash = true;
    } else if (flag == "--hold-events") {
      options.hold_events = true;
    } else if (flag == "--reconnect-min-ms") {
      options.reconnect.min_delay_ms =
          static_cast<uint32_t>(parse_integer(flag, value, 1, 3600000));
    } else if (flag == "--reconnect-max-ms") {
      options.reconnect.max_delay_ms =
          static_cast<uint32_t>(parse_integer(flag, value, 1, 3600000));
    } else if (flag == "--reconnect-jitter") {
      if (value != "full" && value != "none") {
        fail("--reconnect-jitter: expected full or none, got '" + value + "'");
      }
      options.reconnect.jitter = value == "full" ? SOTTO_JITTER_FULL : SOTTO_JITTER_NONE;
    } else if (flag == "--max-in-flight") {
      options.max_in_flight =
          static_cast<uint32_t>(parse_integer(flag, value, 1, SOTTO_MAX_IN_FLIGHT));
    } else if (flag == "--transport") {
      if (value != "paho" && value != "shared") {
        fail("--transport: expected paho or shared, got '" + value + "'");
      }
      options.shared_transport = value == "shared";
    } else if (flag == "--quiet") {
      options.quiet = true;
    } else {
      fail("unknown flag '" + flag + "'");
    }
  }
  const bool tls =
      options.broker_url.rfind("ssl://", 0) == 0 || options.broker_url.rfind("mqtts://", 0) == 0;
  if (tls && options.pki_dir.empty()) {
    fail("--broker " + options.broker_url + ": TLS needs --pki DIR (each device's certificate)");
  }
  if (!tls && !options.pki_dir.empty()) {
    fail("--pki: device certificates need an ssl:// --broker, got '" + options.broker_url + "'");
  }
  if (options.shared_transport && (tls || !options.fleet_key_path.empty())) {
    fail(
        "--transport shared: plain tcp:// brokers and no --fleet-key only (TLS and OTA run on "
        "--transport paho)");
  }
  if (options.hold_events && options.events_per_device < 0) {
    fail("--hold-events: needs --events-per-device (the events to hold)");
  }
  if (!options.fail_self_test.empty() && options.fleet_key_path.empty()) {
    fail("--fail-self-test: needs --fleet-key (no updater runs without it)");
  }
  return options;
}

}  // namespace sotto::gw::sim
