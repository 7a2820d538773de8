// libFuzzer target: outside bytes into every OTA decoder of the device (envelope, offer, chunk).
// The first input byte picks the decoder. Built by tests/fuzz's sotto_add_fuzz_target when it
// exists; ota_test also replays mutated valid inputs through this entry point.
#include <stddef.h>
#include <stdint.h>

#include "sotto/ota.h"
#include "sotto/port_host.h"

namespace {

// A fixed valid P-256 point (the generator G), so envelopes reach the signature check.
constexpr uint8_t kPublicKey[SOTTO_OTA_PUBLIC_KEY_BYTES] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
    0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4,
    0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a,
    0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33,
    0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

sotto_err_t refuse_self_test(void *, const sotto_ota_candidate_t *, uint8_t *) {
  return SOTTO_ERR_INVALID_ARGUMENT;
}

sotto_ota_t *fuzz_device() {
  static sotto_host_storage_t *storage = nullptr;
  static sotto_ota_t ota;
  if (storage == nullptr) {
    sotto_host_storage_config_t config{};
    config.sector_bytes = 1024;
    config.state_bytes = (SOTTO_DEVICE_STATE_RESERVED_SECTORS + SOTTO_OTA_STATE_SECTORS) * 1024;
    config.slot_bytes = 8 * 1024;
    if (sotto_host_storage_create(&config, &storage) != SOTTO_OK) {
      __builtin_trap();
    }
  }
  sotto_ota_config_t config{};
  config.storage = sotto_host_storage_port(storage);
  config.public_key = kPublicKey;
  config.device_class = 3;
  config.self_test = refuse_self_test;
  if (sotto_ota_init(&ota, &config) != SOTTO_OK) {
    __builtin_trap();
  }
  return &ota;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) {
    return 0;
  }
  sotto_ota_t *ota = fuzz_device();
  sotto_ota_manifest_t manifest;
  switch (data[0] % 3) {
    case 0:
      (void)sotto_ota_verify_envelope(ota, data + 1, size - 1, &manifest);
      break;
    case 1:
      (void)sotto_ota_handle_offer(ota, data + 1, size - 1);
      break;
    default:
      (void)sotto_ota_handle_chunk(ota, data + 1, size - 1);
      break;
  }
  return 0;
}
