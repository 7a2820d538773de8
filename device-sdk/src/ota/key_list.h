// The trusted signing keys: the provisioned key until a rotation is stored, then the stored list
// (its own record pair, so a cut during an update of it leaves the old or the new list).
#ifndef SOTTO_OTA_KEY_LIST_H
#define SOTTO_OTA_KEY_LIST_H

#include "record_pair.h"
#include "sotto/ota.h"

namespace sotto {

constexpr uint32_t kKeyListRecordBytes = 232;

// The newest stored list, or (place->valid = 0: nothing stored yet) the provisioned key alone
// with version 0. STORAGE on read errors.
sotto_err_t key_list_load(const sotto_storage_port_t &storage, const uint8_t *provisioned_key,
                          sotto_ota_key_list_t *out, RecordPlace *place);
// Stores next as the list after the one at *place (next->seq becomes its sequence number).
// STORAGE on failure, the current list still in force on flash.
sotto_err_t key_list_store(const sotto_storage_port_t &storage, sotto_ota_key_list_t *next,
                           RecordPlace *place);

// Index of a trusted key, or -1.
int key_list_find(const sotto_ota_key_list_t &keys, uint32_t key_id);
bool key_list_is_retired(const sotto_ota_key_list_t &keys, uint32_t key_id);
// The public key that may verify what key_id signed: OK, OTA_KEY_REVOKED or OTA_WRONG_KEY.
sotto_err_t key_list_signer(const sotto_ota_key_list_t &keys, uint32_t key_id,
                            const uint8_t **out_public_key);

}  // namespace sotto

#endif  // SOTTO_OTA_KEY_LIST_H
