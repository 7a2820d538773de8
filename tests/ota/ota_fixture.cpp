// Test device, real models and bundles for the OTA tests.
#include "ota_fixture.h"

#include <stdexcept>
#include <string>

#include "importer.h"
#include "model_self_test.h"
#include "model_synth.h"

namespace sotto::test {

std::array<uint8_t, 32> engine_output_sha256(const std::vector<uint8_t> &model, uint64_t seed) {
  return gw::model_self_test(model, seed);
}

sotto_ota_model_self_test_ctx_t &engine_self_test_context() {
  alignas(4) static uint8_t arena[kArenaBytes];
  static sotto_ota_model_self_test_ctx_t context{arena, sizeof arena, SOTTO_OK};
  return context;
}

sotto_err_t engine_self_test(void *, const sotto_ota_candidate_t *candidate,
                             uint8_t out_output_sha256[SOTTO_OTA_SHA256_BYTES]) {
  return sotto_ota_model_self_test(&engine_self_test_context(), candidate, out_output_sha256);
}

std::vector<uint8_t> make_model(size_t bytes, uint32_t salt) {
  if (bytes < kMinModelBytes) {
    throw std::invalid_argument("make_model: " + std::to_string(bytes) + " bytes, at least " +
                                std::to_string(kMinModelBytes) + " hold a model");
  }
  // Smaller targets until the compiled model fits; one hidden layer keeps small models real.
  gw::tools::SynthSpec spec;
  spec.seed = salt;
  spec.hidden_layers = 1;
  spec.outputs = 4;
  std::vector<uint8_t> model;
  for (spec.target_bytes = bytes;; spec.target_bytes -= spec.target_bytes / 8 + 1) {
    model = gw::model::import_tflite(gw::tools::synth_tflite(spec), gw::model::Target::kGeneric);
    if (model.size() <= bytes || spec.target_bytes < 16) break;
  }
  if (model.size() > bytes) throw std::invalid_argument("make_model: no model fits");
  uint32_t x = salt * 2654435761u + 1;
  while (model.size() < bytes) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    model.push_back(static_cast<uint8_t>(x));
  }
  return model;
}

gw::ManifestFields fields_for(const std::vector<uint8_t> &model, uint32_t version,
                              uint8_t device_class) {
  gw::ManifestFields fields;
  fields.model_id = 7;
  fields.version = version;
  fields.device_class = device_class;
  fields.min_sdk_version = SOTTO_SDK_VERSION;
  fields.self_test_input_seed = 0x5eed0000u + version;
  fields.self_test_output_sha256 = engine_output_sha256(model, fields.self_test_input_seed);
  return fields;
}

const gw::SigningKey &fleet_key() {
  static const gw::SigningKey key = gw::SigningKey::generate();
  return key;
}

OtaDevice::OtaDevice(bool tear_interrupted_write, sotto_ota_self_test_fn self_test)
    : self_test_(self_test) {
  sotto_host_storage_config_t config{};
  config.sector_bytes = kSectorBytes;
  config.state_bytes = kStateBytes;
  config.slot_bytes = kSlotBytes;
  config.tear_interrupted_write = tear_interrupted_write ? 1 : 0;
  if (sotto_host_storage_create(&config, &storage_) != SOTTO_OK) {
    throw std::runtime_error("host storage");
  }
  public_key_ = fleet_key().public_key();
}

OtaDevice::~OtaDevice() {
  sotto_host_storage_destroy(storage_);
}

sotto_err_t OtaDevice::boot() {
  sotto_host_storage_restore_power(storage_);
  sotto_ota_config_t config{};
  config.storage = sotto_host_storage_port(storage_);
  config.public_key = public_key_.data();
  config.device_class = kDeviceClass;
  config.self_test = self_test_;
  return sotto_ota_init(&ota_, &config);
}

sotto_err_t OtaDevice::update(const gw::Bundle &bundle, uint32_t rollout_id, uint32_t chunk_bytes) {
  sotto_err_t err = sotto_ota_offer(&ota_, rollout_id, bundle.envelope.data(),
                                    bundle.envelope.size(), chunk_bytes);
  sotto_ota_status_t status{};
  while (err == SOTTO_OK && sotto_ota_get_status(&ota_, &status) == SOTTO_OK &&
         status.state == SOTTO_OTA_RECEIVING) {
    const uint32_t offset = status.next_offset;
    const size_t len = std::min<size_t>(chunk_bytes, bundle.model.size() - offset);
    chunk_bytes_sent_ += len;
    err = sotto_ota_write_chunk(&ota_, offset, bundle.model.data() + offset, len);
  }
  return err;
}

uint32_t OtaDevice::active_version() const {
  sotto_ota_manifest_t manifest{};
  return sotto_ota_get_active(&ota_, nullptr, &manifest) == SOTTO_OK ? manifest.version : 0;
}

std::vector<uint8_t> OtaDevice::active_slot_bytes() const {
  sotto_ota_slot_t slot{};
  sotto_ota_manifest_t manifest{};
  if (sotto_ota_get_active(&ota_, &slot, &manifest) != SOTTO_OK) {
    return {};
  }
  sotto_storage_port_t port = sotto_host_storage_port(storage_);
  std::vector<uint8_t> bytes(manifest.model_bytes);
  port.read(port.ctx, slot == SOTTO_OTA_SLOT_A ? SOTTO_REGION_SLOT_A : SOTTO_REGION_SLOT_B, 0,
            bytes.data(), bytes.size());
  return bytes;
}

}  // namespace sotto::test
