// Trusted-key list records. Layout after the pair header (magic "SKEY", seq): version u32 @8,
// key count @12, retired count @13, SOTTO_OTA_MAX_TRUSTED_KEYS public keys of 65 bytes @16,
// SOTTO_OTA_MAX_RETIRED_KEYS retired key ids @212, CRC @228. Key ids are not stored: they are
// recomputed from the keys, so an id can never disagree with its key.
#include "key_list.h"

#include <string.h>

#include "ota_layout.h"

namespace sotto {
namespace {

constexpr RecordPair kKeyListPair = {kKeyListSectorFirst, 0x59454b53u /* "SKEY" */,
                                     kKeyListRecordBytes};
constexpr uint32_t kKeysOffset = 16;
constexpr uint32_t kRetiredOffset = 212;
static_assert(kKeysOffset + SOTTO_OTA_MAX_TRUSTED_KEYS * SOTTO_OTA_PUBLIC_KEY_BYTES <=
                  kRetiredOffset,
              "key list layout");
static_assert(kRetiredOffset + SOTTO_OTA_MAX_RETIRED_KEYS * 4 + 4 == kKeyListRecordBytes,
              "key list layout");
static_assert(kKeyListRecordBytes <= kRecordMaxBytes, "key list fits a sector");

bool counts_valid(const uint8_t *p) {
  return p[12] >= 1 && p[12] <= SOTTO_OTA_MAX_TRUSTED_KEYS && p[13] <= SOTTO_OTA_MAX_RETIRED_KEYS;
}

}  // namespace

sotto_err_t key_list_load(const sotto_storage_port_t &storage, const uint8_t *provisioned_key,
                          sotto_ota_key_list_t *out, RecordPlace *place) {
  memset(out, 0, sizeof *out);
  uint8_t bytes[kKeyListRecordBytes];
  if (record_pair_load(storage, kKeyListPair, counts_valid, bytes, place) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  if (!place->valid) {
    out->key_count = 1;
    memcpy(out->public_keys[0], provisioned_key, SOTTO_OTA_PUBLIC_KEY_BYTES);
    out->key_ids[0] = sotto_ota_key_id(provisioned_key);
    return SOTTO_OK;
  }
  out->seq = place->seq;
  out->version = get_u32(bytes + 8);
  out->key_count = bytes[12];
  out->retired_count = bytes[13];
  for (size_t i = 0; i < out->key_count; ++i) {
    memcpy(out->public_keys[i], bytes + kKeysOffset + i * SOTTO_OTA_PUBLIC_KEY_BYTES,
           SOTTO_OTA_PUBLIC_KEY_BYTES);
    out->key_ids[i] = sotto_ota_key_id(out->public_keys[i]);
  }
  for (size_t i = 0; i < out->retired_count; ++i) {
    out->retired_key_ids[i] = get_u32(bytes + kRetiredOffset + 4 * i);
  }
  return SOTTO_OK;
}

sotto_err_t key_list_store(const sotto_storage_port_t &storage, sotto_ota_key_list_t *next,
                           RecordPlace *place) {
  uint8_t bytes[kKeyListRecordBytes];
  memset(bytes, 0, sizeof bytes);
  put_u32(bytes + 8, next->version);
  bytes[12] = next->key_count;
  bytes[13] = next->retired_count;
  for (size_t i = 0; i < next->key_count; ++i) {
    memcpy(bytes + kKeysOffset + i * SOTTO_OTA_PUBLIC_KEY_BYTES, next->public_keys[i],
           SOTTO_OTA_PUBLIC_KEY_BYTES);
  }
  for (size_t i = 0; i < next->retired_count; ++i) {
    put_u32(bytes + kRetiredOffset + 4 * i, next->retired_key_ids[i]);
  }
  if (record_pair_store(storage, kKeyListPair, bytes, place) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  next->seq = place->seq;
  return SOTTO_OK;
}

int key_list_find(const sotto_ota_key_list_t &keys, uint32_t key_id) {
  for (uint32_t i = 0; i < keys.key_count && i < SOTTO_OTA_MAX_TRUSTED_KEYS; ++i) {
    if (keys.key_ids[i] == key_id) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool key_list_is_retired(const sotto_ota_key_list_t &keys, uint32_t key_id) {
  for (uint32_t i = 0; i < keys.retired_count && i < SOTTO_OTA_MAX_RETIRED_KEYS; ++i) {
    if (keys.retired_key_ids[i] == key_id) {
      return true;
    }
  }
  return false;
}

sotto_err_t key_list_signer(const sotto_ota_key_list_t &keys, uint32_t key_id,
                            const uint8_t **out_public_key) {
  const int index = key_list_find(keys, key_id);
  if (index >= 0) {
    *out_public_key = keys.public_keys[index];
    return SOTTO_OK;
  }
  return key_list_is_retired(keys, key_id) ? SOTTO_ERR_OTA_KEY_REVOKED : SOTTO_ERR_OTA_WRONG_KEY;
}

}  // namespace sotto
