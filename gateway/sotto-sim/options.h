// sotto-sim's command line: parsed and validated before anything starts.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sensor_model.h"
#include "sotto/device.h"

namespace sotto::gw::sim {

struct SiteSpec {
  std::string name;
  SiteKind kind;
};

struct Options {
  int devices = 60;
  std::vector<SiteSpec> sites;  // default: two farms and a plant
  double duration_s = 45;       // wall-clock seconds
  uint64_t seed = 1;
  std::string broker_url = "tcp://127.0.0.1:1883";  // ssl://HOST:PORT needs pki_dir
  // TLS: each virtual device presents its own certificate from this fleet PKI directory
  // (provisioned there on first use, device_identities.h); the broker is checked against its CA.
  std::string pki_dir;
  std::string broker_pid_file;    // reloaded when devices were provisioned; "" = the default
  double time_scale = 3840;       // 45 s of wall time is two simulated days
  int events_per_device = -1;     // >= 0: emit exactly this many, drain, exit
  std::string summary_json_path;  // empty: no file
  uint32_t queue_events = 256;
  uint32_t health_interval_s = 3600;  // simulated seconds
  int threads = 4;
  double drain_timeout_s = 10;         // after the run or a signal, wall-clock seconds
  uint32_t publish_timeout_ms = 5000;  // Paho transport
  // --transport shared: every device's connection on one event loop (shared_mqtt_loop.h).
  bool shared_transport = false;
  std::string state_dir;  // empty: RAM storage (boot counters start fresh)
  bool quiet = false;
  // Over-the-air updates: with a fleet key every device runs the SDK's updater.
  std::string fleet_key_path;               // empty: no updater, no model slots
  std::vector<std::string> fail_self_test;  // device ids whose self-test fails
  uint32_t slot_bytes = 65536;              // each of the two model slots
  // The inference arena each device lends its model self-test: a mid-size Cortex-M budget,
  // enough for the demo's and benchmark's models; a model needing more fails its self-test.
  uint32_t arena_bytes = 65536;
  // Storms (deploy/bench.sh storm): the queue in each device's flash, events held until SIGUSR1
  // (then each device emits its --events-per-device at once), and the SDK's reconnect backoff.
  bool queue_in_flash = false;
  bool hold_events = false;
  sotto_reconnect_config_t reconnect{};  // zeros: the SDK's defaults, full jitter
  uint32_t max_in_flight = 0;            // 0: the SDK's default
  // Models: a factory image per site kind (--model KIND=FILE.smdl); the rest decide by rules.
  std::vector<std::pair<SiteKind, std::string>> model_files;
  std::string record_inference_dir;  // empty: keep no record of the windows
};

// Throws std::invalid_argument with a message naming the flag and what was expected.
Options parse_options(int argc, char **argv);
std::string usage();

}  // namespace sotto::gw::sim
