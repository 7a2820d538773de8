// The device both OTA fuzz harnesses run (ota_envelope_fuzz.cpp, ota_key_rotation_fuzz.cpp):
// the RAM NOR storage port over static memory, provisioned with device_key() as a class
// kFuzzDeviceClass device, and a self-test that refuses (no input reaches a stored model).
// Each harness file has its own instance.
#ifndef SOTTO_TESTS_OTA_FUZZ_DEVICE_H
#define SOTTO_TESTS_OTA_FUZZ_DEVICE_H

#include "fuzz_keys.h"
#include "ota_fuzz_inputs.h"
#include "sotto/ota.h"
#include "sotto/port_ram_storage.h"

namespace sotto::fuzz {

class FuzzDevice {
 public:
  // Erased flash, then boot: the device as it leaves the factory.
  sotto_ota_t *blank() {
    sotto_ram_storage_config_t config{};
    config.sector_bytes = kSectorBytes;
    config.state_bytes = kStateBytes;
    config.slot_bytes = kFuzzSlotBytes;
    config.memory = flash_;
    config.memory_bytes = sizeof flash_;
    if (sotto_ram_storage_init(&storage_, &config) != SOTTO_OK || reboot() != SOTTO_OK) {
      __builtin_trap();
    }
    return &ota_;
  }
  // The updater's boot step on the flash as it is.
  sotto_err_t reboot() {
    sotto_ota_config_t config{};
    config.storage = sotto_ram_storage_port(&storage_);
    config.public_key = device_key().public_key();
    config.device_class = kFuzzDeviceClass;
    config.self_test = refuse_self_test;
    return sotto_ota_init(&ota_, &config);
  }
  sotto_ota_t *ota() { return &ota_; }

 private:
  static constexpr uint32_t kSectorBytes = 256;
  static constexpr uint32_t kStateBytes =
      (SOTTO_DEVICE_STATE_RESERVED_SECTORS + SOTTO_OTA_STATE_SECTORS) * kSectorBytes;
  static sotto_err_t refuse_self_test(void *, const sotto_ota_candidate_t *, uint8_t *) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }

  uint8_t flash_[kStateBytes + 2 * kFuzzSlotBytes] = {};
  sotto_ram_storage_t storage_{};
  sotto_ota_t ota_{};
};

}  // namespace sotto::fuzz

#endif  // SOTTO_TESTS_OTA_FUZZ_DEVICE_H
