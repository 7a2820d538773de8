// Fleet construction and the worker loop. Devices never share a thread at the same time, so the
// SDK's single-threaded contract holds without locks.
#include "fleet.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>

#include "fleet_key.h"

namespace sotto::gw::sim {
namespace {

constexpr auto kWorkerPause = std::chrono::milliseconds(5);

std::string device_id(const SiteSpec &site, int index_in_site, int per_site) {
  int width = per_site > 999 ? 5 : 3;
  char digits[16];
  std::snprintf(digits, sizeof digits, "%0*d", width, index_in_site);
  return site.name + "-" + digits;
}

uint64_t model_seed(uint64_t seed, size_t index) {
  return seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull * (index + 1);
}

}  // namespace

Fleet::Fleet(const Options &options) : options_(options) {
  if (!options.fleet_key_path.empty()) {
    fleet_key_ = load_public_key_pem_file(options.fleet_key_path);
  }
  for (const auto &[kind, path] : options.model_files) {
    factory_models_.push_back(load_factory_model(kind, path));
  }
  const int site_count = static_cast<int>(options.sites.size());
  const int per_site = (options.devices + site_count - 1) / site_count;
  std::vector<pki::DeviceIdentity> identities;
  for (int i = 0; i < options.devices; ++i) {
    const SiteSpec &site = options.sites[static_cast<size_t>(i % site_count)];
    identities.push_back({device_id(site, i / site_count + 1, per_site), site.name,
                          std::to_string(device_class_for(site.kind))});
  }
  if (options.shared_transport) {
    shared_loop_ = std::make_unique<SharedMqttLoop>(options.broker_url);
  }
  std::map<std::string, DeviceTlsFiles> tls;
  if (!options.pki_dir.empty()) {
    tls =
        prepare_device_identities(options.pki_dir, identities, options.broker_pid_file, std::cerr);
  }
  for (int i = 0; i < options.devices; ++i) {
    const pki::DeviceIdentity &identity = identities[static_cast<size_t>(i)];
    const SiteSpec &site = options.sites[static_cast<size_t>(i % site_count)];
    auto files = tls.find(identity.device);
    devices_.push_back(std::make_unique<VirtualDevice>(
        options, site, identity.device, model_seed(options.seed, static_cast<size_t>(i)),
        options.fleet_key_path.empty() ? nullptr : &fleet_key_,
        files == tls.end() ? nullptr : &files->second, shared_loop_.get()));
    for (const FactoryModel &factory : factory_models_) {
      if (factory.kind == site.kind) devices_.back()->set_factory_model(&factory);
    }
  }
}

Fleet::~Fleet() {
  stop();
  devices_.clear();
  sotto_host_clock_destroy(clock_);
}

int Fleet::connect_all(double timeout_s) {
  // The first device alone first: its verdict tells a dead broker apart quickly (connection
  // refused), and is not lost in the crowd of thousands connecting at once.
  if (devices_.empty()) {
    return 0;
  }
  devices_.front()->start_connecting();
  if (!devices_.front()->await_connected(timeout_s)) {
    return 0;
  }
  for (auto &device : devices_) {
    device->start_connecting();
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  int connected = 0;
  while (true) {
    connected = 0;
    for (auto &device : devices_) {
      connected += device->connected() ? 1 : 0;
    }
    if (connected == static_cast<int>(devices_.size()) ||
        std::chrono::steady_clock::now() >= deadline) {
      return connected;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string Fleet::first_transport_error() {
  for (auto &device : devices_) {
    if (!device->connected()) {
      return device->last_transport_error();
    }
  }
  return "none";
}

void Fleet::start() {
  clock_ = sotto_host_clock_create_real(options_.time_scale);
  if (clock_ == nullptr) {
    throw std::runtime_error("cannot create the simulated clock");
  }
  for (auto &device : devices_) {
    device->boot(clock_);
  }
  worker_count_ = std::min(static_cast<size_t>(options_.threads), devices_.size());
  drained_per_worker_ = std::make_unique<std::atomic<int>[]>(worker_count_);
  emitted_per_worker_ = std::make_unique<std::atomic<uint64_t>[]>(worker_count_);
  for (size_t w = 0; w < worker_count_; ++w) {
    drained_per_worker_[w].store(0);
    emitted_per_worker_[w].store(0);
  }
  for (size_t w = 0; w < worker_count_; ++w) {
    workers_.emplace_back([this, w] { run_worker(w); });
  }
}

void Fleet::run_worker(size_t worker) {
  const size_t stride = worker_count_;
  while (!stopping_.load()) {
    const uint64_t now = sotto_host_clock_now_ms(clock_);
    const bool emitting = emitting_.load();
    const bool released = released_.load();
    int drained = 0;
    uint64_t emitted = 0;
    for (size_t i = worker; i < devices_.size(); i += stride) {
      devices_[i]->tick(now, emitting, released);
      drained += devices_[i]->drained() ? 1 : 0;
      emitted += devices_[i]->emitted();
    }
    drained_per_worker_[worker].store(drained);
    emitted_per_worker_[worker].store(emitted);
    std::this_thread::sleep_for(kWorkerPause);
  }
}

int Fleet::drained_devices() const {
  int total = 0;
  for (size_t w = 0; w < worker_count_; ++w) {
    total += drained_per_worker_[w].load();
  }
  return total;
}

uint64_t Fleet::emitted_events() const {
  uint64_t total = 0;
  for (size_t w = 0; w < worker_count_; ++w) {
    total += emitted_per_worker_[w].load();
  }
  return total;
}

uint64_t Fleet::sim_now_ms() {
  return clock_ == nullptr ? 0 : sotto_host_clock_now_ms(clock_);
}

void Fleet::stop() {
  stopping_.store(true);
  for (auto &worker : workers_) {
    worker.join();
  }
  workers_.clear();
}

void Fleet::write_inference_records(const std::string &dir) const {
  for (const auto &device : devices_) device->write_inference_record(dir);
}

std::vector<DeviceReport> Fleet::reports() const {
  std::vector<DeviceReport> out;
  for (const auto &device : devices_) {
    out.push_back(device->report());
  }
  return out;
}

}  // namespace sotto::gw::sim
