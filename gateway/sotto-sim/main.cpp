// sotto-sim: a fleet of virtual devices, each a real device SDK instance on the host port,
// publishing events and Health to an MQTT broker on simulated time.
// Exit codes: 0 done, 1 runtime failure (unreachable broker, cannot write), 2 bad flags,
// 3 --events-per-device run that could not deliver everything before the deadline.
// Signals: SIGINT/SIGTERM stop emitting and drain; SIGUSR1 releases --hold-events.
#include <openssl/crypto.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <thread>

#include "fleet.h"
#include "options.h"
#include "summary.h"
#include "version.h"

namespace {

using sotto::gw::sim::Options;
using WallClock = std::chrono::steady_clock;

constexpr double kConnectTimeoutS = 10;

volatile sig_atomic_t g_stop_signal = 0;
volatile sig_atomic_t g_release_signal = 0;

void on_stop_signal(int signal_number) {
  g_stop_signal = signal_number;
}

void on_release_signal(int /*signal_number*/) {
  g_release_signal = 1;
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  struct sigaction release {};
  release.sa_handler = on_release_signal;
  sigemptyset(&release.sa_mask);
  sigaction(SIGUSR1, &release, nullptr);
}

// --hold-events: on SIGUSR1 every device emits its events at once; once all are queued the
// simulator says so on stdout (deploy/bench-storm.sh waits for that line).
void release_held_events_on_signal(sotto::gw::sim::Fleet &fleet, const Options &options,
                                   bool *released, bool *announced) {
  if (!options.hold_events || *announced) {
    return;
  }
  if (!*released && g_release_signal != 0) {
    fleet.release_held_events();
    *released = true;
  }
  const uint64_t expected =
      static_cast<uint64_t>(options.devices) * static_cast<uint64_t>(options.events_per_device);
  if (*released && fleet.emitted_events() == expected) {
    std::cout << "sotto-sim: " << expected << " held events queued" << std::endl;
    *announced = true;
  }
}

// One socket per device: a thousand devices need more than the usual 1024 descriptors.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

double seconds_since(WallClock::time_point start) {
  return std::chrono::duration<double>(WallClock::now() - start).count();
}

// Runs until the duration passes, a signal arrives, or (--events-per-device) every device has
// emitted its events and drained; then drains for a bounded time. Returns whether all drained.
bool run(sotto::gw::sim::Fleet &fleet, const Options &options, int device_count,
         WallClock::time_point start, bool *interrupted) {
  const bool counted = options.events_per_device >= 0;
  bool released = false;
  bool announced = false;
  while (g_stop_signal == 0 && seconds_since(start) < options.duration_s) {
    release_held_events_on_signal(fleet, options, &released, &announced);
    if (counted && fleet.drained_devices() == device_count) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *interrupted = g_stop_signal != 0;
  fleet.stop_emitting();
  const auto drain_start = WallClock::now();
  // Let every worker finish a pass with emitting off before trusting the drained count.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  while (seconds_since(drain_start) < options.drain_timeout_s) {
    if (fleet.drained_devices() == device_count) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fleet.drained_devices() == device_count;
}

int run_simulator(const Options &options) {
  raise_file_limit();
  install_signal_handlers();
  sotto::gw::sim::Fleet fleet(options);
  int connected = fleet.connect_all(kConnectTimeoutS);
  if (connected == 0) {
    std::cerr << "sotto-sim: cannot reach broker " << options.broker_url << ": "
              << fleet.first_transport_error() << "\n";
    return 1;
  }
  if (connected < options.devices) {
    std::cerr << "sotto-sim: " << options.devices - connected << " of " << options.devices
              << " devices not connected yet (" << fleet.first_transport_error()
              << "); they keep retrying\n";
  }
  const auto start = WallClock::now();
  fleet.start();
  sotto::gw::sim::RunFacts facts;
  facts.complete = run(fleet, options, options.devices, start, &facts.interrupted);
  facts.sim_seconds = static_cast<double>(fleet.sim_now_ms()) / 1000.0;
  fleet.stop();
  facts.wall_seconds = seconds_since(start);
  facts.seed = options.seed;
  facts.broker_url = options.broker_url;

  auto reports = fleet.reports();
  if (!options.record_inference_dir.empty()) {
    fleet.write_inference_records(options.record_inference_dir);
  }
  if (!options.summary_json_path.empty()) {
    std::string temporary = options.summary_json_path + ".tmp";
    sotto::gw::sim::write_summary_json(temporary, reports, facts);
    if (std::rename(temporary.c_str(), options.summary_json_path.c_str()) != 0) {
      throw std::runtime_error("cannot move summary into " + options.summary_json_path);
    }
  }
  if (!options.quiet) {
    sotto::gw::sim::print_summary(std::cout, reports, facts);
  }
  if (options.events_per_device >= 0 && !facts.complete && !facts.interrupted) {
    std::cerr << "sotto-sim: not every device delivered its " << options.events_per_device
              << " events before the deadline\n";
    return 3;
  }
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  // Before anything starts OpenSSL: no cleanup at exit. Paho's network threads are detached, and
  // one may still be ending when main returns. OpenSSL's exit handler frees its state and deletes
  // the thread-local key under such a thread, so the per-thread random generators of a thread
  // that ends after it are never freed: LeakSanitizer's intermittent 9,240 B in libcrypto at the
  // sim's exit (two 40-byte EVP_RAND_CTX and their DRBGs). Without the handler each thread frees
  // its own state as it ends, and a thread still running is not touched.
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      std::cout << sotto::gw::sim::usage();
      return 0;
    }
    if (std::string(argv[i]) == "--version") {
      std::cout << sotto::gw::version_line("sotto-sim") << "\n";
      return 0;
    }
  }
  Options options;
  try {
    options = sotto::gw::sim::parse_options(argc, argv);
  } catch (const std::invalid_argument &error) {
    if (error.what()[0] != '\0') {
      std::cerr << "sotto-sim: " << error.what() << "\n";
    }
    std::cerr << sotto::gw::sim::usage();
    return 2;
  }
  try {
    return run_simulator(options);
  } catch (const std::exception &error) {
    std::cerr << "sotto-sim: " << error.what() << "\n";
    return 1;
  }
}
