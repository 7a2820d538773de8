// Key rotations: decode a SignedKeyRotation, check it completely (signer, both signatures,
// content, counter, room), then store the next trusted-key list in one record write. A
// redelivered rotation that is already in force is answered OK without a write.
#include <pb_decode.h>
#include <string.h>

#include "crypto/ecdsa_p256.h"
#include "crypto/sha256.h"
#include "key_list.h"
#include "ota_steps.h"
#include "sotto/ota.h"
#include "sotto/v1/key_rotation.pb.h"

namespace sotto {
namespace {

static_assert(sizeof(sotto_v1_KeyRotation{}.add_public_key) == SOTTO_OTA_PUBLIC_KEY_BYTES,
              "key size");
static_assert(sizeof(sotto_v1_SignedKeyRotation{}.new_key_signature) == SOTTO_P256_SIGNATURE_BYTES,
              "signature size");

// True when the list in force already is what this rotation makes it (a redelivery, perhaps of
// a rotation that retired its own signer): answering OK changes nothing, so it needs no trust.
bool already_applied(const sotto_ota_key_list_t &keys, const sotto_v1_KeyRotation &rotation,
                     uint32_t new_key_id) {
  return rotation.key_list_version == keys.version && key_list_find(keys, new_key_id) >= 0 &&
         (!rotation.has_retire_key_id || key_list_is_retired(keys, rotation.retire_key_id));
}

// The list after retiring retire_key_id (when has_retire) and adding public_key.
sotto_err_t next_list(const sotto_ota_key_list_t &keys, const sotto_v1_KeyRotation &rotation,
                      uint32_t new_key_id, sotto_ota_key_list_t *out) {
  *out = keys;
  out->version = rotation.key_list_version;
  if (rotation.has_retire_key_id) {
    const int index = key_list_find(keys, rotation.retire_key_id);
    if (index < 0) {
      return SOTTO_ERR_OTA_BAD_MANIFEST;  // retires a key this device does not trust
    }
    for (uint32_t i = static_cast<uint32_t>(index); i + 1 < out->key_count; ++i) {
      out->key_ids[i] = out->key_ids[i + 1];
      memcpy(out->public_keys[i], out->public_keys[i + 1], SOTTO_OTA_PUBLIC_KEY_BYTES);
    }
    out->key_count -= 1;
    if (out->retired_count == SOTTO_OTA_MAX_RETIRED_KEYS) {  // forget the oldest
      memmove(out->retired_key_ids, out->retired_key_ids + 1,
              (SOTTO_OTA_MAX_RETIRED_KEYS - 1) * sizeof out->retired_key_ids[0]);
      out->retired_count -= 1;
    }
    out->retired_key_ids[out->retired_count++] = rotation.retire_key_id;
  }
  if (out->key_count == SOTTO_OTA_MAX_TRUSTED_KEYS) {
    return SOTTO_ERR_OTA_KEY_LIST_FULL;
  }
  out->key_ids[out->key_count] = new_key_id;
  memcpy(out->public_keys[out->key_count], rotation.add_public_key, SOTTO_OTA_PUBLIC_KEY_BYTES);
  out->key_count += 1;
  return SOTTO_OK;
}

// Every check; on OK *out is the list to store, or *out_unchanged is set for a redelivery.
sotto_err_t verify_rotation(const sotto_ota_t &ota, const sotto_v1_SignedKeyRotation &envelope,
                            sotto_ota_key_list_t *out, bool *out_unchanged, uint32_t *out_version) {
  if (envelope.rotation.size == 0 || envelope.rotation.size > sizeof envelope.rotation.bytes) {
    return SOTTO_ERR_OTA_BAD_MANIFEST;
  }
  sotto_v1_KeyRotation rotation = sotto_v1_KeyRotation_init_zero;
  pb_istream_t stream = pb_istream_from_buffer(envelope.rotation.bytes, envelope.rotation.size);
  if (!pb_decode(&stream, sotto_v1_KeyRotation_fields, &rotation)) {
    return SOTTO_ERR_OTA_BAD_MANIFEST;
  }
  *out_version = rotation.key_list_version;
  const uint32_t new_key_id = sotto_ota_key_id(rotation.add_public_key);
  if (already_applied(ota.keys, rotation, new_key_id)) {
    *out_unchanged = true;
    return SOTTO_OK;
  }
  const uint8_t *signer = nullptr;
  sotto_err_t err = key_list_signer(ota.keys, envelope.key_id, &signer);
  if (err != SOTTO_OK) {
    return err;
  }
  uint8_t digest[SOTTO_SHA256_BYTES];
  sotto_sha256(envelope.rotation.bytes, envelope.rotation.size, digest);
  if (!sotto_ecdsa_p256_verify(signer, digest, envelope.signature)) {
    return SOTTO_ERR_OTA_BAD_SIGNATURE;
  }
  if (!sotto_ecdsa_p256_key_valid(rotation.add_public_key)) {
    return SOTTO_ERR_OTA_BAD_MANIFEST;
  }
  if (!sotto_ecdsa_p256_verify(rotation.add_public_key, digest, envelope.new_key_signature)) {
    return SOTTO_ERR_OTA_BAD_SIGNATURE;
  }
  if (rotation.key_list_version <= ota.keys.version) {
    return SOTTO_ERR_OTA_VERSION_NOT_NEWER;
  }
  if (key_list_is_retired(ota.keys, new_key_id)) {
    return SOTTO_ERR_OTA_KEY_REVOKED;  // a retired key is never trusted again
  }
  if (key_list_find(ota.keys, new_key_id) >= 0) {
    return SOTTO_ERR_OTA_BAD_MANIFEST;  // already trusted: a rotation must change something
  }
  return next_list(ota.keys, rotation, new_key_id, out);
}

}  // namespace

sotto_err_t rotate_keys(sotto_ota_t *ota, uint32_t rollout_id,
                        const sotto_v1_SignedKeyRotation &envelope) {
  ota->rollout_id = rollout_id;
  ota->offered_version = 0;
  sotto_ota_key_list_t next;
  bool unchanged = false;
  sotto_err_t err = verify_rotation(*ota, envelope, &next, &unchanged, &ota->offered_version);
  if (err == SOTTO_OK && !unchanged) {
    RecordPlace place{ota->keys.seq, ota->keys_sector, ota->keys_valid};
    err = key_list_store(ota->config.storage, &next, &place) == SOTTO_OK ? SOTTO_OK
                                                                         : SOTTO_ERR_OTA_STORAGE;
    if (err == SOTTO_OK) {
      ota->keys = next;
      ota->keys_sector = place.sector;
      ota->keys_valid = 1;
    }
  }
  ota->state = err == SOTTO_OK ? SOTTO_OTA_ACTIVATED : SOTTO_OTA_FAILED;
  ota->failure = static_cast<int8_t>(err);
  return err;
}

}  // namespace sotto

extern "C" sotto_err_t sotto_ota_rotate_keys(sotto_ota_t *ota, uint32_t rollout_id,
                                             const uint8_t *envelope, size_t envelope_len) {
  if (ota == nullptr || (envelope == nullptr && envelope_len > 0)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto_v1_SignedKeyRotation decoded = sotto_v1_SignedKeyRotation_init_zero;
  pb_istream_t stream = pb_istream_from_buffer(envelope, envelope_len);
  if (!pb_decode(&stream, sotto_v1_SignedKeyRotation_fields, &decoded)) {
    decoded.rotation.size = 0;  // refused below with the status set, like any bad rotation
  }
  return sotto::rotate_keys(ota, rollout_id, decoded);
}

extern "C" sotto_err_t sotto_ota_get_keys(const sotto_ota_t *ota, sotto_ota_key_list_t *out) {
  if (ota == nullptr || out == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  *out = ota->keys;
  return SOTTO_OK;
}
