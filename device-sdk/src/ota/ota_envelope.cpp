// The first step of an update: decode a SignedManifest and check it completely (key against the
// trusted list, signature, then the signed content against this device) before a single byte
// is stored.
#include <pb_decode.h>
#include <string.h>

#include "crypto/ecdsa_p256.h"
#include "crypto/sha256.h"
#include "key_list.h"
#include "ota_steps.h"
#include "sotto/ota.h"
#include "sotto/v1/ota.pb.h"

namespace {

sotto_err_t decode_manifest(const sotto_v1_SignedManifest &envelope, sotto_ota_manifest_t *out) {
  sotto_v1_Manifest manifest = sotto_v1_Manifest_init_zero;
  pb_istream_t stream = pb_istream_from_buffer(envelope.manifest.bytes, envelope.manifest.size);
  if (!pb_decode(&stream, sotto_v1_Manifest_fields, &manifest) || !manifest.has_self_test ||
      manifest.model_bytes == 0) {
    return SOTTO_ERR_OTA_BAD_MANIFEST;
  }
  memset(out, 0, sizeof *out);
  out->model_id = manifest.model_id;
  out->device_class = manifest.device_class;
  out->version = manifest.version;
  out->model_bytes = manifest.model_bytes;
  memcpy(out->model_sha256, manifest.model_sha256, SOTTO_OTA_SHA256_BYTES);
  out->min_sdk_version = manifest.min_sdk_version;
  out->self_test_input_seed = manifest.self_test.input_seed;
  memcpy(out->self_test_output_sha256, manifest.self_test.expected_output_sha256,
         SOTTO_OTA_SHA256_BYTES);
  return SOTTO_OK;
}

}  // namespace

static_assert(sizeof(sotto_v1_Manifest{}.model_sha256) == SOTTO_OTA_SHA256_BYTES, "digest size");
static_assert(sizeof(sotto_v1_SignedManifest{}.signature) == SOTTO_P256_SIGNATURE_BYTES,
              "signature size");
static_assert(sotto_v1_OtaStatus_size <= SOTTO_OTA_STATUS_MAX_BYTES, "status budget");

extern "C" uint32_t sotto_ota_key_id(const uint8_t public_key[SOTTO_OTA_PUBLIC_KEY_BYTES]) {
  uint8_t digest[SOTTO_SHA256_BYTES];
  sotto_sha256(public_key, SOTTO_OTA_PUBLIC_KEY_BYTES, digest);
  return (static_cast<uint32_t>(digest[0]) << 24) | (static_cast<uint32_t>(digest[1]) << 16) |
         (static_cast<uint32_t>(digest[2]) << 8) | digest[3];
}

extern "C" void sotto_ota_self_test_input(uint64_t seed, uint8_t *out, size_t len) {
  uint64_t state = seed;
  for (size_t at = 0; at < len; at += 8) {
    state += 0x9e3779b97f4a7c15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (size_t i = 0; i < 8 && at + i < len; ++i) {
      out[at + i] = static_cast<uint8_t>(z >> (8 * i));
    }
  }
}

extern "C" sotto_err_t sotto_ota_verify_envelope(const sotto_ota_t *ota, const uint8_t *envelope,
                                                 size_t envelope_len,
                                                 sotto_ota_manifest_t *out_manifest) {
  if (ota == nullptr || out_manifest == nullptr || (envelope == nullptr && envelope_len > 0)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto_v1_SignedManifest signed_manifest = sotto_v1_SignedManifest_init_zero;
  if (!sotto::decode_signed_manifest(envelope, envelope_len, &signed_manifest)) {
    return SOTTO_ERR_OTA_BAD_MANIFEST;
  }
  return sotto::verify_signed_manifest(*ota, signed_manifest, out_manifest);
}

bool sotto::decode_signed_manifest(const uint8_t *bytes, size_t len, sotto_v1_SignedManifest *out) {
  pb_istream_t stream = pb_istream_from_buffer(bytes, len);
  return pb_decode(&stream, sotto_v1_SignedManifest_fields, out) && out->manifest.size != 0;
}

sotto_err_t sotto::verify_signed_manifest(const sotto_ota_t &ota,
                                          const sotto_v1_SignedManifest &envelope,
                                          sotto_ota_manifest_t *out_manifest) {
  if (envelope.manifest.size == 0 || envelope.manifest.size > sizeof envelope.manifest.bytes) {
    return SOTTO_ERR_OTA_BAD_MANIFEST;
  }
  const uint8_t *signer = nullptr;
  sotto_err_t err = key_list_signer(ota.keys, envelope.key_id, &signer);
  if (err != SOTTO_OK) {
    return err;
  }
  uint8_t digest[SOTTO_SHA256_BYTES];
  sotto_sha256(envelope.manifest.bytes, envelope.manifest.size, digest);
  if (!sotto_ecdsa_p256_verify(signer, digest, envelope.signature)) {
    return SOTTO_ERR_OTA_BAD_SIGNATURE;
  }
  sotto_ota_manifest_t manifest;
  err = decode_manifest(envelope, &manifest);
  if (err != SOTTO_OK) {
    return err;
  }
  const sotto_storage_port_t &storage = ota.config.storage;
  if (manifest.device_class != ota.config.device_class) {
    return SOTTO_ERR_OTA_WRONG_DEVICE_CLASS;
  }
  if (manifest.min_sdk_version > ota.config.sdk_version) {
    return SOTTO_ERR_OTA_SDK_TOO_OLD;
  }
  if (manifest.version <= ota.record.rollback_version) {
    return SOTTO_ERR_OTA_VERSION_NOT_NEWER;
  }
  const uint32_t slot_bytes = storage.region_bytes(storage.ctx, SOTTO_REGION_SLOT_A) <
                                      storage.region_bytes(storage.ctx, SOTTO_REGION_SLOT_B)
                                  ? storage.region_bytes(storage.ctx, SOTTO_REGION_SLOT_A)
                                  : storage.region_bytes(storage.ctx, SOTTO_REGION_SLOT_B);
  if (manifest.model_bytes > slot_bytes) {
    return SOTTO_ERR_OTA_TOO_LARGE;
  }
  *out_manifest = manifest;
  return SOTTO_OK;
}
