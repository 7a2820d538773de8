// libFuzzer: a whole OTA session from outside bytes — signed offers whose Manifest the fuzzer
// writes, raw OtaOffer/OtaChunk/SignedManifest payloads, in-order chunks, power cuts and
// reboots — against the RAM NOR storage port. Input format: ota_fuzz_steps.h.
//
// Signatures: this executable's mbedtls_ecdsa_verify (below) replaces mbedTLS's and accepts a
// signature whose r equals the digest, so fuzzed manifests reach the manifest decoder and the
// update engine at libFuzzer speed. Real verification is tested by tests/ota and target.crypto.
//
// Checked after every step: status encodes within SOTTO_OTA_STATUS_MAX_BYTES; a reported active
// model is in its slot with the manifest's SHA-256; after a reboot (power restored) init is OK
// and keeps any model that was active.
#include <mbedtls/ecdsa.h>
#include <mbedtls/sha256.h>
#include <pb_encode.h>
#include <stdlib.h>
#include <string.h>

#include "ota_fuzz_steps.h"
#include "sotto/ota.h"
#include "sotto/port_ram_storage.h"
#include "sotto/v1/ota.pb.h"

extern "C" int mbedtls_ecdsa_verify(mbedtls_ecp_group *, const unsigned char *buf, size_t blen,
                                    const mbedtls_ecp_point *, const mbedtls_mpi *r,
                                    const mbedtls_mpi *) {
  unsigned char r_bytes[32];
  if (blen != sizeof r_bytes || mbedtls_mpi_write_binary(r, r_bytes, sizeof r_bytes) != 0) {
    return MBEDTLS_ERR_ECP_VERIFY_FAILED;
  }
  return memcmp(r_bytes, buf, blen) == 0 ? 0 : MBEDTLS_ERR_ECP_VERIFY_FAILED;
}

namespace {

using namespace sotto::fuzz;

constexpr uint32_t kSectorBytes = 256;
constexpr uint32_t kStateBytes =
    (SOTTO_DEVICE_STATE_RESERVED_SECTORS + SOTTO_OTA_STATE_SECTORS) * kSectorBytes;
constexpr uint32_t kSlotBytes = 1024;

uint8_t flash[kStateBytes + 2 * kSlotBytes];
sotto_ram_storage_t storage;
sotto_ota_t ota;

// The "model" output is the first 32 bytes of the self-test input: sotto_fuzz_seeds writes
// manifests whose expected output matches, so seeds reach activation.
sotto_err_t self_test(void *, const sotto_ota_candidate_t *candidate, uint8_t *out_sha256) {
  sotto_ota_self_test_input(candidate->manifest->self_test_input_seed, out_sha256,
                            SOTTO_OTA_SHA256_BYTES);
  return SOTTO_OK;
}

sotto_err_t init_ota() {
  sotto_ota_config_t config;
  memset(&config, 0, sizeof config);
  config.storage = sotto_ram_storage_port(&storage);
  config.public_key = kOtaPublicKey;
  config.device_class = kOtaDeviceClass;
  config.self_test = self_test;
  return sotto_ota_init(&ota, &config);
}

void require(bool condition) {
  if (!condition) {
    abort();
  }
}

bool encode(const pb_msgdesc_t *fields, const void *message, uint8_t *out, size_t size,
            size_t *len) {
  pb_ostream_t stream = pb_ostream_from_buffer(out, size);
  if (!pb_encode(&stream, fields, message)) {
    return false;
  }
  *len = stream.bytes_written;
  return true;
}

void signed_offer(const uint8_t *data, size_t len) {
  if (len < 2 || len - 2 > sizeof(sotto_v1_SignedManifest{}.manifest.bytes)) {
    return;
  }
  sotto_v1_OtaOffer offer = sotto_v1_OtaOffer_init_zero;
  offer.rollout_id = data[0];
  offer.chunk_bytes = static_cast<uint16_t>(SOTTO_OTA_CHUNK_MIN_BYTES + data[1]);
  offer.has_envelope = true;
  sotto_v1_SignedManifest &envelope = offer.envelope;
  envelope.manifest.size = static_cast<pb_size_t>(len - 2);
  memcpy(envelope.manifest.bytes, data + 2, len - 2);
  envelope.key_id = sotto_ota_key_id(kOtaPublicKey);
  // r = SHA-256(manifest), s = 0: what the replaced verify accepts.
  require(mbedtls_sha256_ret(envelope.manifest.bytes, envelope.manifest.size, envelope.signature,
                             0) == 0);
  uint8_t payload[sotto_v1_OtaOffer_size];
  size_t payload_len = 0;
  require(encode(sotto_v1_OtaOffer_fields, &offer, payload, sizeof payload, &payload_len));
  (void)sotto_ota_handle_offer(&ota, payload, payload_len);
}

void next_chunk(const uint8_t *data, size_t len) {
  sotto_ota_status_t status;
  require(sotto_ota_get_status(&ota, &status) == SOTTO_OK);
  sotto_v1_OtaChunk chunk = sotto_v1_OtaChunk_init_zero;
  chunk.rollout_id = status.rollout_id;
  chunk.offset = status.next_offset;
  chunk.data.size = static_cast<pb_size_t>(len);
  memcpy(chunk.data.bytes, data, len);
  static uint8_t payload[sotto_v1_OtaChunk_size];
  size_t payload_len = 0;
  require(encode(sotto_v1_OtaChunk_fields, &chunk, payload, sizeof payload, &payload_len));
  (void)sotto_ota_handle_chunk(&ota, payload, payload_len);
}

bool active_model(sotto_ota_manifest_t *manifest) {
  sotto_ota_slot_t slot;
  if (sotto_ota_get_active(&ota, &slot, manifest) != SOTTO_OK) {
    return false;
  }
  require(slot == SOTTO_OTA_SLOT_A || slot == SOTTO_OTA_SLOT_B);
  require(manifest->model_bytes <= kSlotBytes);
  const uint8_t *model = flash + kStateBytes + (slot == SOTTO_OTA_SLOT_B ? kSlotBytes : 0);
  uint8_t digest[SOTTO_OTA_SHA256_BYTES];
  require(mbedtls_sha256_ret(model, manifest->model_bytes, digest, 0) == 0);
  require(memcmp(digest, manifest->model_sha256, sizeof digest) == 0);
  return true;
}

void check_invariants() {
  uint8_t status[SOTTO_OTA_STATUS_MAX_BYTES];
  size_t status_len = 0;
  require(sotto_ota_encode_status(&ota, status, sizeof status, &status_len) == SOTTO_OK);
  sotto_ota_manifest_t manifest;
  (void)active_model(&manifest);
}

void reboot() {
  sotto_ota_manifest_t before;
  bool had_model = active_model(&before);
  sotto_ram_storage_restore_power(&storage);
  require(init_ota() == SOTTO_OK);
  sotto_ota_manifest_t after;
  // A model that was active stays active (or a newer one that was being switched to).
  if (had_model) {
    require(active_model(&after) && after.version >= before.version);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sotto_ram_storage_config_t config;
  memset(&config, 0, sizeof config);
  config.sector_bytes = kSectorBytes;
  config.state_bytes = kStateBytes;
  config.slot_bytes = kSlotBytes;
  config.memory = flash;
  config.memory_bytes = sizeof flash;
  config.tear_interrupted_write = 1;  // a cut write or erase does half its work
  require(sotto_ram_storage_init(&storage, &config) == SOTTO_OK);
  require(init_ota() == SOTTO_OK);
  size_t at = 0;
  while (size - at >= 2) {
    const uint8_t op = data[at] % kOtaOpCount;
    size_t len = data[at + 1];
    at += 2;
    if (len > size - at) {
      len = size - at;
    }
    const uint8_t *bytes = data + at;
    at += len;
    switch (op) {
      case kSignedOffer:
        signed_offer(bytes, len);
        break;
      case kRawOffer:
        (void)sotto_ota_handle_offer(&ota, bytes, len);
        break;
      case kRawChunk:
        (void)sotto_ota_handle_chunk(&ota, bytes, len);
        break;
      case kNextChunk:
        next_chunk(bytes, len);
        break;
      case kRawEnvelope: {
        sotto_ota_manifest_t manifest;
        (void)sotto_ota_verify_envelope(&ota, bytes, len, &manifest);
        break;
      }
      case kReboot:
        reboot();
        break;
      default:
        sotto_ram_storage_cut_power_after(&storage, len > 0 ? bytes[0] : 0);
        break;
    }
    check_invariants();
  }
  return 0;
}
