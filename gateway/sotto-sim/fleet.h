// The fleet: builds the virtual devices, connects them, and runs them on a few worker threads
// (each polls its share of devices in turn) through the run, drain and stop phases.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "options.h"
#include "virtual_device.h"

namespace sotto::gw::sim {

class Fleet {
 public:
  explicit Fleet(const Options &options);  // creates devices; throws on a bad setup
  ~Fleet();

  // Connects every device, waiting up to timeout_s; returns how many are connected.
  int connect_all(double timeout_s);
  std::string first_transport_error();
  // Boots every device on a simulated clock starting now and starts the workers.
  void start();
  // Stops emitting; devices keep delivering what they queued.
  void stop_emitting() { emitting_.store(false); }
  // --hold-events: every device emits its events now, all at once.
  void release_held_events() { released_.store(true); }
  // Events all devices have emitted so far.
  uint64_t emitted_events() const;
  int drained_devices() const;
  uint64_t sim_now_ms();
  // Stops and joins the workers; reports are safe to read afterwards.
  void stop();
  std::vector<DeviceReport> reports() const;
  // --record-inference: each device's windows, outputs and decisions under `dir`.
  void write_inference_records(const std::string &dir) const;

 private:
  void run_worker(size_t worker);

  Options options_;
  std::array<uint8_t, SOTTO_OTA_PUBLIC_KEY_BYTES> fleet_key_{};
  std::vector<FactoryModel> factory_models_;     // read once, shared read-only like flash
  std::unique_ptr<SharedMqttLoop> shared_loop_;  // --transport shared; outlives the devices
  std::vector<std::unique_ptr<VirtualDevice>> devices_;
  sotto_host_clock_t *clock_ = nullptr;
  size_t worker_count_ = 0;
  std::vector<std::thread> workers_;
  std::unique_ptr<std::atomic<int>[]> drained_per_worker_;
  std::unique_ptr<std::atomic<uint64_t>[]> emitted_per_worker_;
  std::atomic<bool> emitting_{true};
  std::atomic<bool> released_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace sotto::gw::sim
