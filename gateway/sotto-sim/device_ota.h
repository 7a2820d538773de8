// A virtual device's over-the-air updater: the real SDK updater (sotto_ota_*) on the device's
// host flash, provisioned with the fleet's public key. It takes the device's ota/offer, ota/chunk
// and ota/keys (key rotation) messages, answers each batch with one OtaStatus on ota/status, and
// tells the runtime which model runs so Health reports it. The self-test is the SDK's own
// (sotto/ota_model_self_test.h): the candidate runs on the inference engine in the device's
// arena, as `sottoctl model sign` ran it; --fail-self-test makes chosen devices fail it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "sotto/device.h"
#include "sotto/ota.h"
#include "sotto/ota_model_self_test.h"

namespace sotto::gw::sim {

struct OtaReport {
  bool enabled = false;
  sotto_ota_status_t status{};
  uint64_t statuses_published = 0;
};

class DeviceOta {
 public:
  // arena_bytes (a multiple of 4): the device's inference arena, reserved now but touched only
  // by a self-test, so a large fleet costs memory only on devices that install a model.
  DeviceOta(const std::array<uint8_t, SOTTO_OTA_PUBLIC_KEY_BYTES> &public_key, bool fail_self_test,
            uint32_t arena_bytes)
      : public_key_(public_key),
        fail_self_test_(fail_self_test),
        arena_(new uint32_t[arena_bytes / 4]) {
    self_test_ctx_.arena = arena_.get();
    self_test_ctx_.arena_bytes = static_cast<size_t>(arena_bytes / 4) * 4;
  }
  DeviceOta(const DeviceOta &) = delete;
  DeviceOta &operator=(const DeviceOta &) = delete;

  // After sotto_device_init: loads the updater's state, reports the running model and
  // announces its OTA status.
  // Throws with the SDK's error name when the updater cannot start.
  void boot(sotto_device_t *device, const sotto_ports_t &ports, const std::string &site,
            const std::string &device_id, uint8_t device_class);
  // True when the message was an OTA one (handled here); false: hand it to the runtime.
  bool on_message(const char *topic, const uint8_t *payload, size_t len);
  // After a reconnect: messages sent while the link was down are gone, so the device says
  // where it stands and the gateway offers again.
  void announce() { status_due_ = true; }
  // Publishes the status once after a batch of OTA messages (retried on the next call).
  void publish_status_if_due();
  OtaReport report() const;
  // The verified active model, mapped in place from its slot (as the engine runs it), with its
  // manifest; NULL when no update is active.
  const uint8_t *active_model(sotto_ota_manifest_t *manifest) const;
  // The device's inference arena: the self-test borrows it, the running model uses it between
  // updates (sotto/ota_model_self_test.h).
  void *arena() const { return arena_.get(); }
  size_t arena_bytes() const { return self_test_ctx_.arena_bytes; }

 private:
  static sotto_err_t self_test(void *ctx, const sotto_ota_candidate_t *candidate,
                               uint8_t out_output_sha256[SOTTO_OTA_SHA256_BYTES]);
  void report_model();

  std::array<uint8_t, SOTTO_OTA_PUBLIC_KEY_BYTES> public_key_;  // the updater keeps a pointer
  bool fail_self_test_;
  std::unique_ptr<uint32_t[]> arena_;  // default-initialised: no page touched until used
  sotto_ota_model_self_test_ctx_t self_test_ctx_{};
  sotto_ota_t ota_{};
  sotto_device_t *device_ = nullptr;
  sotto_transport_port_t transport_{};
  sotto_storage_port_t storage_{};
  std::string prefix_;  // "sotto/v1/<site>/<device>/"
  std::string status_topic_;
  bool booted_ = false;
  bool status_due_ = false;
  uint64_t statuses_published_ = 0;
};

}  // namespace sotto::gw::sim
