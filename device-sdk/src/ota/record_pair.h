// A record kept power-safely in two STATE sectors that take turns: the updater's state record
// and the trusted-key list both live in one. Each copy is [magic u32][seq u32][content][CRC-32
// u32] (little-endian). A new copy always goes to the sector NOT holding the current one (erase,
// then a single write), so a power cut during the erase or the write damages only the copy being
// written: its CRC fails and the previous copy, untouched, stays the newest valid one.
#ifndef SOTTO_OTA_RECORD_PAIR_H
#define SOTTO_OTA_RECORD_PAIR_H

#include <stdint.h>

#include "sotto/ota.h"

namespace sotto {

constexpr uint32_t kRecordHeaderBytes = 8;  // magic, seq
constexpr uint32_t kRecordMaxBytes = SOTTO_OTA_MIN_SECTOR_BYTES;

struct RecordPair {
  uint32_t first_sector;  // STATE sector of copy 0; copy 1 is the next sector
  uint32_t magic;
  uint32_t bytes;  // whole copy, header and CRC included; at most kRecordMaxBytes
};

// Where the current copy is. valid = 0: neither sector holds a valid copy (blank storage).
struct RecordPlace {
  uint32_t seq = 0;
  uint32_t sector = 0;  // 0 or 1
  uint8_t valid = 0;
};

// A content check beyond magic and CRC (a copy that fails it is ignored like a torn one).
using RecordContentCheck = bool (*)(const uint8_t *record);

// Reads both copies into out (pair.bytes) and keeps the valid one with the higher sequence
// number (compared with wrap-around). STORAGE on read errors.
sotto_err_t record_pair_load(const sotto_storage_port_t &storage, const RecordPair &pair,
                             RecordContentCheck check, uint8_t *out, RecordPlace *place);

// Writes record (pair.bytes; content already at kRecordHeaderBytes) as the next copy: fills in
// magic, seq (current + 1) and CRC, erases the other sector and writes. On success *place
// describes the new copy; on STORAGE the current copy is still the newest valid one.
sotto_err_t record_pair_store(const sotto_storage_port_t &storage, const RecordPair &pair,
                              uint8_t *record, RecordPlace *place);

}  // namespace sotto

#endif  // SOTTO_OTA_RECORD_PAIR_H
