// One simulated device: a real sotto_device_t on the host port (RAM or file flash, its own MQTT
// connection: a Paho client, or a link on the fleet's shared loop), fed by its SensorModel. Only
// events and Health leave it (and, with a fleet key, the OTA updater's status).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device_identities.h"
#include "device_ota.h"
#include "on_device_model.h"
#include "options.h"
#include "sensor_model.h"
#include "shared_mqtt_loop.h"
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
  // --transport shared only (Paho's failures are not told apart): attempts refused because
  // nothing listened, and attempts the broker accepted and then refused.
  uint64_t tcp_refused;
  uint64_t broker_refusals;
  OtaReport ota;
  // The model deciding at the end (model_id 0: the rules), how often it ran, and why a model
  // offered to this device was refused (empty: none was).
  uint16_t model_id;
  uint32_t model_version;
  uint64_t inferences;
  TruthTally truth;
  std::string model_refused;
};

// The class number a device of this kind reports (and is given its certificate under).
uint8_t device_class_for(SiteKind kind);

class VirtualDevice {
 public:
  // fleet_key: NULL runs no updater. tls: NULL connects without TLS. shared_loop: the
  // connection is a link on that loop (--transport shared) instead of a Paho client.
  VirtualDevice(const Options &options, const SiteSpec &site, std::string device_id,
                uint64_t model_seed,
                const std::array<uint8_t, SOTTO_OTA_PUBLIC_KEY_BYTES> *fleet_key = nullptr,
                const DeviceTlsFiles *tls = nullptr, SharedMqttLoop *shared_loop = nullptr);
  ~VirtualDevice();
  VirtualDevice(const VirtualDevice &) = delete;
  VirtualDevice &operator=(const VirtualDevice &) = delete;

  // The model this device's firmware was flashed with (--model); before boot. The OTA updater's
  // active model, when there is one, runs instead.
  void set_factory_model(const FactoryModel *model) { factory_model_ = model; }
  // --record-inference: writes DIR/<device>_x.npy (windows), _y.npy (outputs) and
  // _decisions.txt ("WINDOW CLASS SCORE" per event the model decided).
  void write_inference_record(const std::string &dir) const;

  void start_connecting();
  bool connected();
  // Waits until the first connect attempt succeeded (true) or failed (false).
  bool await_connected(double timeout_s);
  std::string last_transport_error();
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
  void choose_model();
  uint64_t link_connects();
  static void on_incoming(void *ctx, const char *topic, const uint8_t *payload, size_t len);
  static void on_incoming_without_ota(void *ctx, const char *topic, const uint8_t *payload,
                                      size_t len);
  void take_incoming(void (*handle)(void *ctx, const char *topic, const uint8_t *payload,
                                    size_t len));

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
  sotto_host_transport_t *transport_ = nullptr;  // the Paho link, or
  SharedMqttLoop::Link *shared_link_ = nullptr;  // the shared loop's
  sotto_host_random_t random_{};
  sotto_device_t device_{};
  std::unique_ptr<DeviceOta> ota_;
  uint64_t ota_connects_seen_ = 0;
  bool booted_ = false;
  std::vector<sotto_event_t> decided_;
  // Inference: the arena (the updater's when it runs, so a self-test borrows it), the model
  // that decides, and what it runs.
  std::unique_ptr<uint32_t[]> arena_;
  std::unique_ptr<OnDeviceModel> inference_;
  const FactoryModel *factory_model_ = nullptr;
  uint16_t model_id_ = 0;
  uint32_t model_version_ = 0;
  bool model_chosen_ = false;
  uint32_t ota_version_seen_ = 0;
  std::string model_refused_;
  std::array<uint64_t, 5> emitted_by_kind_{};
  uint64_t emitted_ = 0;
};

}  // namespace sotto::gw::sim
