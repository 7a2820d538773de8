// A simulated device: host port wiring, sensor stepping and one runtime poll per tick.
#include "virtual_device.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "file_bytes.h"
#include "npy.h"

namespace sotto::gw::sim {
namespace {

constexpr uint32_t kSectorBytes = 1024;
constexpr uint32_t kStateBytes = 4 * kSectorBytes;
// The runtime's sectors plus the updater's three (ota.h), rounded up.
constexpr uint32_t kStateBytesWithOta = 8 * kSectorBytes;
constexpr uint32_t kPublishesPerPoll = 32;  // keeps one backlog from starving its neighbours

// Each device's flash: the runtime's STATE sectors (plus the updater's, with OTA), the model
// slots (with OTA), and with --queue-in-flash a QUEUE region for queue_events events.
sotto_host_storage_config_t device_storage_config(const Options &options, bool ota) {
  sotto_host_storage_config_t config{};
  config.sector_bytes = kSectorBytes;
  config.state_bytes = ota ? kStateBytesWithOta : kStateBytes;
  config.slot_bytes = ota ? options.slot_bytes : 0;
  if (options.queue_in_flash) {
    config.queue_bytes =
        SOTTO_FLASH_QUEUE_SECTORS_FOR_EVENTS(options.queue_events, kSectorBytes) * kSectorBytes;
  }
  return config;
}

}  // namespace

uint8_t device_class_for(SiteKind kind) {
  return kind == SiteKind::kAgri ? 1 : 2;
}

VirtualDevice::VirtualDevice(const Options &options, const SiteSpec &site, std::string device_id,
                             uint64_t model_seed,
                             const std::array<uint8_t, SOTTO_OTA_PUBLIC_KEY_BYTES> *fleet_key,
                             const DeviceTlsFiles *tls, SharedMqttLoop *shared_loop)
    : device_id_(std::move(device_id)),
      site_(site),
      model_(site.kind, model_seed),
      events_target_(options.events_per_device),
      hold_events_(options.hold_events),
      queue_in_flash_(options.queue_in_flash),
      reconnect_(options.reconnect),
      max_in_flight_(options.max_in_flight),
      queue_events_(options.queue_events),
      health_interval_s_(options.health_interval_s),
      queue_memory_(options.queue_in_flash ? 0
                                           : SOTTO_QUEUE_BYTES_FOR_EVENTS(options.queue_events)) {
  sotto_host_storage_config_t storage_config = device_storage_config(options, fleet_key != nullptr);
  if (fleet_key != nullptr) {
    const bool fails = std::find(options.fail_self_test.begin(), options.fail_self_test.end(),
                                 device_id_) != options.fail_self_test.end();
    ota_ = std::make_unique<DeviceOta>(*fleet_key, fails, options.arena_bytes);
  }
  std::string path;
  if (!options.state_dir.empty()) {
    path = options.state_dir + "/" + device_id_ + ".flash";
    storage_config.file_path = path.c_str();
  }
  if (sotto_host_storage_create(&storage_config, &storage_) != SOTTO_OK) {
    throw std::runtime_error("cannot create flash for " + device_id_ +
                             (path.empty() ? "" : " at " + path));
  }
  std::string client_id = "sotto-sim-" + device_id_;
  if (shared_loop != nullptr) {
    shared_link_ = shared_loop->add_link(client_id);
  }
  sotto_host_transport_config_t transport_config{};
  transport_config.broker_url = options.broker_url.c_str();
  transport_config.client_id = client_id.c_str();
  transport_config.publish_timeout_ms = options.publish_timeout_ms;
  transport_config.sdk_reconnects = 1;  // the SDK's backoff with jitter decides when
  if (tls != nullptr) {
    transport_config.tls_ca_file = tls->ca_file.c_str();
    transport_config.tls_cert_file = tls->cert_file.c_str();
    transport_config.tls_key_file = tls->key_file.c_str();
  }
  if (shared_link_ == nullptr &&
      sotto_host_transport_create(&transport_config, &transport_) != SOTTO_OK) {
    sotto_host_storage_destroy(storage_);
    throw std::runtime_error("cannot create an MQTT client for " + options.broker_url);
  }
  // Boot ids come from the OS so that a rerun never repeats one the gateway has already seen.
  sotto_host_random_init_os(&random_);
  void *arena = nullptr;
  if (ota_) {
    arena = ota_->arena();
  } else {
    arena_.reset(new uint32_t[options.arena_bytes / 4]);  // no page touched until a model runs
    arena = arena_.get();
  }
  inference_ =
      std::make_unique<OnDeviceModel>(site_.kind, model_seed, arena, options.arena_bytes / 4 * 4,
                                      !options.record_inference_dir.empty());
}

VirtualDevice::~VirtualDevice() {
  sotto_host_transport_destroy(transport_);
  sotto_host_storage_destroy(storage_);
}

void VirtualDevice::start_connecting() {
  if (shared_link_ != nullptr) {
    SharedMqttLoop::connect(shared_link_);
  } else {
    sotto_host_transport_connect(transport_, 0);
  }
}

bool VirtualDevice::await_connected(double timeout_s) {
  if (shared_link_ == nullptr) {
    return sotto_host_transport_connect(transport_, static_cast<uint32_t>(timeout_s * 1000)) ==
           SOTTO_OK;
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  while (true) {
    if (SharedMqttLoop::is_connected(shared_link_)) return true;
    // A failed attempt is over (the broker refused or is not there): a verdict, not a wait.
    if (SharedMqttLoop::stats(shared_link_).connect_failures > 0 ||
        std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool VirtualDevice::connected() {
  return shared_link_ != nullptr ? SharedMqttLoop::is_connected(shared_link_)
                                 : sotto_host_transport_is_connected(transport_) != 0;
}

std::string VirtualDevice::last_transport_error() {
  return shared_link_ != nullptr ? SharedMqttLoop::last_error(shared_link_)
                                 : sotto_host_transport_last_error(transport_);
}

uint64_t VirtualDevice::link_connects() {
  return shared_link_ != nullptr ? SharedMqttLoop::stats(shared_link_).connects
                                 : sotto_host_transport_get_stats(transport_).connects;
}

void VirtualDevice::boot(sotto_host_clock_t *clock) {
  sotto_device_config_t config{};
  config.device_id = device_id_.c_str();
  config.site = site_.name.c_str();
  config.device_class = device_class_of(site_.kind);
  config.ports.clock = sotto_host_clock_port(clock);
  config.ports.storage = sotto_host_storage_port(storage_);
  config.ports.transport = shared_link_ != nullptr ? SharedMqttLoop::port(shared_link_)
                                                   : sotto_host_transport_port(transport_);
  config.ports.random = sotto_host_random_port(&random_);
  config.health_interval_s = health_interval_s_;
  config.queue_buffer = queue_memory_.data();
  config.queue_buffer_bytes = queue_memory_.size();
  config.queue_max_events = queue_events_;
  config.queue_in_flash = queue_in_flash_ ? 1 : 0;
  config.max_publishes_per_poll = kPublishesPerPoll;
  config.max_in_flight = max_in_flight_;
  config.reconnect = reconnect_;
  sotto_err_t err = sotto_device_init(&device_, &config);
  if (err != SOTTO_OK) {
    throw std::runtime_error("device " + device_id_ + " did not boot: " + sotto_err_name(err));
  }
  sotto_device_set_battery_mv(&device_, model_.battery_mv());
  if (ota_) {
    ota_->boot(&device_, config.ports, site_.name, device_id_, config.device_class);
  }
  choose_model();
  booted_ = true;
}

void VirtualDevice::emit(const sotto_event_t &event) {
  if (events_target_ >= 0 && emitted_ >= static_cast<uint64_t>(events_target_)) {
    return;
  }
  if (sotto_device_emit(&device_, &event) == SOTTO_OK) {
    emitted_by_kind_[event.kind] += 1;
    emitted_ += 1;
  }
}

void VirtualDevice::tick(uint64_t sim_now_ms, bool emitting, bool released) {
  if (!booted_) {
    return;
  }
  if (hold_events_ && released && emitting) {
    while (events_target_ >= 0 && emitted_ < static_cast<uint64_t>(events_target_)) {
      const uint64_t before = emitted_;
      emit(model_.heartbeat());
      if (emitted_ == before) {
        break;  // the queue refused it (a flash failure): do not spin
      }
    }
  }
  while (model_.sim_ms() + SensorModel::kStepMs <= sim_now_ms) {
    decided_.clear();
    model_.step(&decided_);
    inference_->decide(model_, &decided_);  // a model's decisions replace the rules'

    if (!emitting || hold_events_) {
      continue;
    }
    for (const sotto_event_t &event : decided_) {
      emit(event);
    }
    // A test asking for exactly N events gets at least one per simulated minute.
    if (decided_.empty() && events_target_ >= 0) {
      emit(model_.heartbeat());
    }
  }
  sotto_device_set_battery_mv(&device_, model_.battery_mv());
  if (ota_) {
    const uint64_t connects = link_connects();
    if (connects != ota_connects_seen_) {
      ota_connects_seen_ = connects;
      ota_->announce();
    }
    take_incoming(&VirtualDevice::on_incoming);
    ota_->publish_status_if_due();
    choose_model();  // an update may have activated a new model
  } else {
    take_incoming(&VirtualDevice::on_incoming_without_ota);
  }
  sotto_device_poll(&device_);
}

// The firmware's own routing: OTA topics to the updater, the rest to the runtime.
void VirtualDevice::on_incoming(void *ctx, const char *topic, const uint8_t *payload, size_t len) {
  auto *self = static_cast<VirtualDevice *>(ctx);
  if (!self->ota_->on_message(topic, payload, len)) {
    sotto_device_on_message(&self->device_, topic, payload, len);
  }
}

void VirtualDevice::on_incoming_without_ota(void *ctx, const char *topic, const uint8_t *payload,
                                            size_t len) {
  sotto_device_on_message(&static_cast<VirtualDevice *>(ctx)->device_, topic, payload, len);
}

void VirtualDevice::take_incoming(void (*handle)(void *, const char *, const uint8_t *, size_t)) {
  if (shared_link_ != nullptr) {
    SharedMqttLoop::take_incoming(shared_link_, handle, this);
  } else {
    sotto_host_transport_take_incoming(transport_, handle, this);
  }
}

bool VirtualDevice::drained() const {
  if (!booted_) {
    return false;
  }
  sotto_device_stats_t stats{};
  sotto_device_get_stats(&device_, &stats);
  bool target_reached =
      events_target_ < 0 || stats.emitted >= static_cast<uint32_t>(events_target_);
  return target_reached && stats.health_published > 0 && stats.queued == 0 && stats.in_flight == 0;
}

DeviceReport VirtualDevice::report() const {
  DeviceReport report{};
  report.device = device_id_;
  report.site = site_.name;
  report.kind = site_.kind;
  sotto_device_get_stats(&device_, &report.stats);
  report.emitted_by_kind = emitted_by_kind_;
  if (shared_link_ != nullptr) {
    const LinkStats link = SharedMqttLoop::stats(shared_link_);
    report.connects = link.connects;
    report.connection_losses = link.connection_losses;
    report.connect_failures = link.connect_failures;
    report.tcp_refused = link.tcp_refused;
    report.broker_refusals = link.broker_refusals;
  } else {
    const sotto_host_transport_stats_t link = sotto_host_transport_get_stats(transport_);
    report.connects = link.connects;
    report.connection_losses = link.connection_losses;
    report.connect_failures = link.connect_failures;
  }
  if (ota_) {
    report.ota = ota_->report();
  }
  report.model_id = model_id_;
  report.model_version = model_version_;
  report.inferences = inference_->inferences();
  report.truth = inference_->truth();
  report.model_refused = model_refused_;
  return report;
}

}  // namespace sotto::gw::sim
