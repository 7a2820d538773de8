// The updater's state record: load the newest valid one, store the next one power-safely.
#ifndef SOTTO_OTA_RECORD_H
#define SOTTO_OTA_RECORD_H

#include "record_pair.h"
#include "sotto/ota.h"

namespace sotto {

constexpr uint32_t kRecordBytes = 212;

// The newest valid record (place->valid = 0 on blank or wholly torn storage, record then
// zeroed); out->seq is its sequence number. STORAGE on read errors.
sotto_err_t record_load(const sotto_storage_port_t &storage, sotto_ota_record_t *out,
                        RecordPlace *place);

// Writes next as the record after the one at *place (next->seq becomes its sequence number).
// STORAGE on failure, in which case the current record is still the newest valid one on flash.
sotto_err_t record_store(const sotto_storage_port_t &storage, sotto_ota_record_t *next,
                         RecordPlace *place);

}  // namespace sotto

#endif  // SOTTO_OTA_RECORD_H
