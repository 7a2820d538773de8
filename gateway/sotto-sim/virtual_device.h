// One simulated device: a real sotto_device_t on the host port (RAM or file flash, its own MQTT
// connection), fed by its SensorModel. Only events and Health leave it (and, with a fleet key,
// the OTA updater's status).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device_ota.h"
#include "options.h"
#include "sensor_model.h"
#include "sotto/device.h"
#include "sotto/port_host.h"

namespace sotto::gw::sim {

struct DeviceReport {
  std::string device;
  std::string site;
  SiteKind kind;
  sotto_device_stats_t stats;
  std::array<uint64_t, 5> emitted_by_kind;  // indexed by sotto_event_kind_t
  uint64_t connects;
  uint64_t connection_losses;
  uint64_t connect_failures;
  OtaReport ota;
};

class VirtualDevice {
 public:
  // fleet_key: NULL runs no updater.
  VirtualDevice(const Options &options, const SiteSpec &site, std::string device_id,
                uint64_t model_seed,
                const std::array<uint8_t, SOTTO_OTA_PUBLIC_KEY_BYTES> *fleet_key = nullptr);
  ~VirtualDevice();
  VirtualDevice(const VirtualDevice &) = delete;
  VirtualDevice &operator=(const VirtualDevice &) = delete;

  void start_connecting();
  bool connected();
  // Waits until the first connect attempt succeeded (true) or failed (false).
  bool await_connected(double timeout_s);
  const char *last_transport_error();
  // Boots the SDK runtime on the shared simulated clock. Throws with the SDK's error name.
  void boot(sotto_host_clock_t *clock);
  // Advances the sensors to sim_now_ms, emits what the rules decided (while emitting; with
  // --hold-events nothing until `released`, then all its events at once), hands over incoming
  // messages and polls the runtime once.
  void tick(uint64_t sim_now_ms, bool emitting, bool released);
  // Nothing left to do: the event target (if any) is reached, Health went out, queue is empty.
  bool drained() const;
  uint64_t emitted() const { return emitted_; }
  DeviceReport report() const;

 private:
  void emit(const sotto_event_t &event);
  static void on_incoming(void *ctx, const char *topic, const uint8_t *payload, size_t len);

  std::string device_id_;
  SiteSpec site_;
  SensorModel model_;
  int events_target_;
  bool hold_events_;
  bool queue_in_flash_;
  sotto_reconnect_config_t reconnect_;
  uint32_t max_in_flight_;
  uint32_t queue_events_;
  uint32_t health_interval_s_;
  std::vector<uint8_t> queue_memory_;
  sotto_host_storage_t *storage_ = nullptr;
  sotto_host_transport_t *transport_ = nullptr;
  sotto_host_random_t random_{};
  sotto_device_t device_{};
  std::unique_ptr<DeviceOta> ota_;
  uint64_t ota_connects_seen_ = 0;
  bool booted_ = false;
  std::vector<sotto_event_t> decided_;
  std::array<uint64_t, 5> emitted_by_kind_{};
  uint64_t emitted_ = 0;
};

}  // namespace sotto::gw::sim
