// libFuzzer target: outside bytes into the OTA decoders of the device (envelope, offer, chunk),
// on a blank device provisioned with the fixed fuzz key (fuzz_keys.h). The first byte picks the
// decoder (ota_fuzz_inputs.h); kSelectSignedManifest signs the fuzzed Manifest with that key, so
// every mutation of a manifest gets past the signature into the content checks, and the seeds
// (ota_fuzz_seeds.cpp) are validly signed envelopes and offers that do the same.
#include <pb_encode.h>
#include <string.h>

#include "fuzz_device.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::fuzz {
namespace {

FuzzDevice device;

sotto_err_t verify_signed_here(sotto_ota_t *ota, const uint8_t *manifest, size_t len) {
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
  return sotto_ota_verify_envelope(ota, bytes, stream.bytes_written, &out);
}

}  // namespace

sotto_err_t envelope_fuzz_one(const uint8_t *data, size_t size) {
  if (size == 0) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto_ota_t *ota = device.blank();
  sotto_ota_manifest_t manifest;
  switch (data[0] % kEnvelopeSelectors) {
    case kSelectEnvelope:
      return sotto_ota_verify_envelope(ota, data + 1, size - 1, &manifest);
    case kSelectOffer:
      return sotto_ota_handle_offer(ota, data + 1, size - 1);
    case kSelectChunk:
      return sotto_ota_handle_chunk(ota, data + 1, size - 1);
    default:
      return verify_signed_here(ota, data + 1, size - 1);
  }
}

}  // namespace sotto::fuzz

#ifdef SOTTO_FUZZ_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)sotto::fuzz::envelope_fuzz_one(data, size);
  return 0;
}
#endif
