// libFuzzer target: outside bytes into the key-rotation decoders of the device (SignedKeyRotation,
// KeyRotationOffer), on a blank device provisioned with the fixed fuzz key (fuzz_keys.h). The
// first byte picks the decoder (ota_fuzz_inputs.h); kSelectSignedRotation signs the fuzzed
// KeyRotation with that key and adds added_key()'s proof, so mutations of the content reach the
// checks behind the signature, as the seeds (ota_fuzz_seeds.cpp) do.
//
// Checked after every input: the status encodes within SOTTO_OTA_STATUS_MAX_BYTES; the list
// holds 1..SOTTO_OTA_MAX_TRUSTED_KEYS keys whose ids match their keys; a reboot reads back
// exactly the list in RAM.
#include <pb_encode.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_device.h"
#include "sotto/v1/key_rotation.pb.h"

namespace sotto::fuzz {
namespace {

FuzzDevice device;

void require(bool condition) {
  if (!condition) {
    abort();
  }
}

sotto_err_t rotate_signed_here(const uint8_t *content, size_t len) {
  sotto_v1_SignedKeyRotation envelope = sotto_v1_SignedKeyRotation_init_zero;
  if (len > sizeof envelope.rotation.bytes) {
    return SOTTO_ERR_INVALID_ARGUMENT;  // the envelope cannot carry it: nothing to fuzz
  }
  envelope.rotation.size = static_cast<pb_size_t>(len);
  if (len > 0) {
    memcpy(envelope.rotation.bytes, content, len);
  }
  envelope.key_id = device_key().key_id();
  device_key().sign(content, len, envelope.signature);
  added_key().sign(content, len, envelope.new_key_signature);
  uint8_t bytes[sotto_v1_SignedKeyRotation_size];
  pb_ostream_t stream = pb_ostream_from_buffer(bytes, sizeof bytes);
  require(pb_encode(&stream, sotto_v1_SignedKeyRotation_fields, &envelope));
  return sotto_ota_rotate_keys(device.ota(), 1, bytes, stream.bytes_written);
}

void check_invariants() {
  uint8_t status[SOTTO_OTA_STATUS_MAX_BYTES];
  size_t status_len = 0;
  require(sotto_ota_encode_status(device.ota(), status, sizeof status, &status_len) == SOTTO_OK);
  sotto_ota_key_list_t keys;
  require(sotto_ota_get_keys(device.ota(), &keys) == SOTTO_OK);
  require(keys.key_count >= 1 && keys.key_count <= SOTTO_OTA_MAX_TRUSTED_KEYS);
  require(keys.retired_count <= SOTTO_OTA_MAX_RETIRED_KEYS);
  for (uint32_t i = 0; i < keys.key_count; ++i) {
    require(keys.key_ids[i] == sotto_ota_key_id(keys.public_keys[i]));
  }
  require(device.reboot() == SOTTO_OK);
  sotto_ota_key_list_t read_back;
  require(sotto_ota_get_keys(device.ota(), &read_back) == SOTTO_OK);
  require(read_back.version == keys.version && read_back.key_count == keys.key_count &&
          read_back.retired_count == keys.retired_count &&
          memcmp(read_back.key_ids, keys.key_ids, sizeof keys.key_ids) == 0 &&
          memcmp(read_back.public_keys, keys.public_keys, sizeof keys.public_keys) == 0 &&
          memcmp(read_back.retired_key_ids, keys.retired_key_ids, sizeof keys.retired_key_ids) ==
              0);
}

}  // namespace

sotto_err_t key_rotation_fuzz_one(const uint8_t *data, size_t size) {
  if (size == 0) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  device.blank();
  sotto_err_t outcome = SOTTO_OK;
  switch (data[0] % kRotationSelectors) {
    case kSelectRotation:
      outcome = sotto_ota_rotate_keys(device.ota(), 1, data + 1, size - 1);
      break;
    case kSelectRotationOffer:
      outcome = sotto_ota_handle_key_rotation(device.ota(), data + 1, size - 1);
      break;
    default:
      outcome = rotate_signed_here(data + 1, size - 1);
      break;
  }
  check_invariants();
  return outcome;
}

}  // namespace sotto::fuzz

#ifdef SOTTO_FUZZ_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)sotto::fuzz::key_rotation_fuzz_one(data, size);
  return 0;
}
#endif
