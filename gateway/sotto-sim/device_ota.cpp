// The virtual device's updater glue: message routing, self-test and status uplink.
#include "device_ota.h"

#include <cstring>
#include <stdexcept>

namespace sotto::gw::sim {

void DeviceOta::boot(sotto_device_t *device, const sotto_ports_t &ports, const std::string &site,
                     const std::string &device_id, uint8_t device_class) {
  device_ = device;
  transport_ = ports.transport;
  storage_ = ports.storage;
  prefix_ = "sotto/v1/" + site + "/" + device_id + "/";
  status_topic_ = prefix_ + SOTTO_OTA_STATUS_TOPIC_SUFFIX;
  sotto_ota_config_t config{};
  config.storage = ports.storage;
  config.public_key = public_key_.data();
  config.device_class = device_class;
  config.self_test = &DeviceOta::self_test;
  config.self_test_ctx = this;
  sotto_err_t err = sotto_ota_init(&ota_, &config);
  // A digest mismatch leaves the updater usable with no model running; anything else is fatal.
  if (err != SOTTO_OK && err != SOTTO_ERR_OTA_DIGEST_MISMATCH) {
    throw std::runtime_error("device " + device_id +
                             ": OTA updater did not start: " + sotto_err_name(err));
  }
  booted_ = true;
  report_model();
  // The downlink topics only: "ota/+" would bring back the device's own status.
  // Remembered by the host transport and renewed after every reconnect; a TRANSPORT answer
  // only means the link is not up yet.
  for (const char *suffix : {"ota/offer", "ota/chunk", "ota/keys"}) {
    const std::string filter = prefix_ + suffix;
    transport_.subscribe(transport_.ctx, filter.c_str());
  }
  status_due_ = true;  // the gateway may have offered an update while this device was down
}

bool DeviceOta::on_message(const char *topic, const uint8_t *payload, size_t len) {
  if (std::strncmp(topic, prefix_.c_str(), prefix_.size()) != 0) return false;
  const char *suffix = topic + prefix_.size();
  if (std::strcmp(suffix, "ota/offer") != 0 && std::strcmp(suffix, "ota/chunk") != 0 &&
      std::strcmp(suffix, "ota/keys") != 0) {
    return false;
  }
  if (booted_) {
    // Every outcome, refusals included, is in the status the device sends next.
    sotto_ota_handle_message(&ota_, suffix, payload, len);
    status_due_ = true;
    report_model();
  }
  return true;
}

void DeviceOta::publish_status_if_due() {
  if (!status_due_) return;
  uint8_t buffer[SOTTO_OTA_STATUS_MAX_BYTES];
  size_t len = 0;
  if (sotto_ota_encode_status(&ota_, buffer, sizeof buffer, &len) != SOTTO_OK) return;
  if (transport_.publish(transport_.ctx, status_topic_.c_str(), buffer, len) == SOTTO_OK) {
    status_due_ = false;
    statuses_published_ += 1;
  }
}

void DeviceOta::report_model() {
  sotto_ota_manifest_t manifest;
  if (sotto_ota_get_active(&ota_, nullptr, &manifest) == SOTTO_OK) {
    sotto_device_set_model(device_, manifest.model_id, manifest.version);
  }
}

const uint8_t *DeviceOta::active_model(sotto_ota_manifest_t *manifest) const {
  sotto_ota_slot_t slot = SOTTO_OTA_SLOT_NONE;
  if (!booted_ || sotto_ota_get_active(&ota_, &slot, manifest) != SOTTO_OK) return nullptr;
  if (storage_.map == nullptr) return nullptr;
  return storage_.map(storage_.ctx,
                      slot == SOTTO_OTA_SLOT_B ? SOTTO_REGION_SLOT_B : SOTTO_REGION_SLOT_A);
}

OtaReport DeviceOta::report() const {
  OtaReport report;
  report.enabled = booted_;
  sotto_ota_get_status(&ota_, &report.status);
  report.statuses_published = statuses_published_;
  return report;
}

sotto_err_t DeviceOta::self_test(void *ctx, const sotto_ota_candidate_t *candidate,
                                 uint8_t out_output_sha256[SOTTO_OTA_SHA256_BYTES]) {
  auto *self = static_cast<DeviceOta *>(ctx);
  const sotto_err_t err =
      sotto_ota_model_self_test(&self->self_test_ctx_, candidate, out_output_sha256);
  if (err == SOTTO_OK && self->fail_self_test_) {
    // The model did run: as if this device's engine computed something else.
    out_output_sha256[0] ^= 0x01;
  }
  return err;
}

}  // namespace sotto::gw::sim
