// libFuzzer target: outside bytes into the OTA decoders of the device (envelope, offer, chunk),
// on a blank device provisioned with the fixed fuzz key (fuzz_keys.h). The first byte picks the
// decoder (ota_fuzz_inputs.h); kSelectSignedManifest signs the fuzzed Manifest with that key, so
// every mutation of a manifest gets past the signature into the content checks, and the seeds
// (ota_fuzz_seeds.cpp) are validly signed envelopes and offers that do the same.
#include <pb_encode.h>
#include <string.h>

#include "fuzz_keys.h"
#include "ota_fuzz_inputs.h"
#include "sotto/ota.h"
#include "sotto/port_ram_storage.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::fuzz {
namespace {

constexpr uint32_t kSectorBytes = 256;
constexpr uint32_t kStateBytes =
    (SOTTO_DEVICE_STATE_RESERVED_SECTORS + SOTTO_OTA_STATE_SECTORS) * kSectorBytes;

uint8_t flash[kStateBytes + 2 * kFuzzSlotBytes];
sotto_ram_storage_t storage;
sotto_ota_t ota;

sotto_err_t refuse_self_test(void *, const sotto_ota_candidate_t *, uint8_t *) {
  return SOTTO_ERR_INVALID_ARGUMENT;
}

sotto_ota_t *blank_device() {
  sotto_ram_storage_config_t config{};
  config.sector_bytes = kSectorBytes;
  config.state_bytes = kStateBytes;
  config.slot_bytes = kFuzzSlotBytes;
  config.memory = flash;
  config.memory_bytes = sizeof flash;
  sotto_ota_config_t ota_config{};
  ota_config.storage = sotto_ram_storage_port(&storage);
  ota_config.public_key = device_key().public_key();
  ota_config.device_class = kFuzzDeviceClass;
  ota_config.self_test = refuse_self_test;
  if (sotto_ram_storage_init(&storage, &config) != SOTTO_OK ||
      sotto_ota_init(&ota, &ota_config) != SOTTO_OK) {
    __builtin_trap();
  }
  return &ota;
}

sotto_err_t verify_signed_here(sotto_ota_t *device, const uint8_t *manifest, size_t len) {
  sotto_v1_SignedManifest envelope = sotto_v1_SignedManifest_init_zero;
  if (len > sizeof envelope.manifest.bytes) {
    return SOTTO_ERR_INVALID_ARGUMENT;  // the envelope cannot carry it: nothing to fuzz
  }
  envelope.manifest.size = static_cast<pb_size_t>(len);
  if (len > 0) {
    memcpy(envelope.manifest.bytes, manifest, len);
  }
  envelope.key_id = device_key().key_id();
  device_key().sign(manifest, len, envelope.signature);
  uint8_t bytes[sotto_v1_SignedManifest_size];
  pb_ostream_t stream = pb_ostream_from_buffer(bytes, sizeof bytes);
  if (!pb_encode(&stream, sotto_v1_SignedManifest_fields, &envelope)) {
    __builtin_trap();
  }
  sotto_ota_manifest_t out;
  return sotto_ota_verify_envelope(device, bytes, stream.bytes_written, &out);
}

}  // namespace

sotto_err_t envelope_fuzz_one(const uint8_t *data, size_t size) {
  if (size == 0) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto_ota_t *device = blank_device();
  sotto_ota_manifest_t manifest;
  switch (data[0] % kEnvelopeSelectors) {
    case kSelectEnvelope:
      return sotto_ota_verify_envelope(device, data + 1, size - 1, &manifest);
    case kSelectOffer:
      return sotto_ota_handle_offer(device, data + 1, size - 1);
    case kSelectChunk:
      return sotto_ota_handle_chunk(device, data + 1, size - 1);
    default:
      return verify_signed_here(device, data + 1, size - 1);
  }
}

}  // namespace sotto::fuzz

#ifdef SOTTO_FUZZ_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)sotto::fuzz::envelope_fuzz_one(data, size);
  return 0;
}
#endif
