// The updater's state record: load the newest valid one, store the next one power-safely.
#ifndef SOTTO_OTA_RECORD_H
#define SOTTO_OTA_RECORD_H

#include "sotto/ota.h"

namespace sotto {

constexpr uint32_t kRecordBytes = 208;

// Reads both record sectors and keeps the valid record with the highest sequence number.
// *out_valid = 0 on blank (or wholly torn) storage, record then zeroed. STORAGE on read errors.
sotto_err_t record_load(const sotto_storage_port_t &storage, sotto_ota_record_t *out,
                        uint32_t *out_sector, uint8_t *out_valid);

// Writes next (its seq set to current seq + 1) into the sector not holding the current record:
// erase, then one write. On success *sector becomes that sector. STORAGE on failure, in which
// case the current record is still the newest valid one on flash.
sotto_err_t record_store(const sotto_storage_port_t &storage, sotto_ota_record_t *next,
                         uint32_t current_seq, uint32_t *sector, uint8_t current_valid);

}  // namespace sotto

#endif  // SOTTO_OTA_RECORD_H
