// The boot counter as an append-only log of 8-byte records (counter, ~counter) in the first two
// sectors of the STATE region. Appending wears the flash evenly; when the current sector is full
// the other one is erased and the log continues there, so the newest record always survives a
// power cut (an erase never touches the sector holding it). A torn record fails its check and is
// skipped.
#include "boot_counter.h"

#include <string.h>

#include "sotto/device.h"

namespace sotto {
namespace {

constexpr uint32_t kRecordBytes = 8;
constexpr uint32_t kRecordsPerRead = 8;

struct SectorScan {
  bool has_valid = false;
  uint32_t best = 0;        // largest valid counter in the sector
  uint32_t first_free = 0;  // index of the first blank record; == records when full
};

uint32_t load_u32(const uint8_t *bytes) {
  return static_cast<uint32_t>(bytes[0]) | (static_cast<uint32_t>(bytes[1]) << 8) |
         (static_cast<uint32_t>(bytes[2]) << 16) | (static_cast<uint32_t>(bytes[3]) << 24);
}

void store_u32(uint8_t *bytes, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  }
}

bool is_blank(const uint8_t *record) {
  for (uint32_t i = 0; i < kRecordBytes; ++i) {
    if (record[i] != 0xff) {
      return false;
    }
  }
  return true;
}

sotto_err_t scan_sector(const sotto_storage_port_t &storage, uint32_t sector_offset,
                        uint32_t records, SectorScan *scan) {
  uint8_t chunk[kRecordBytes * kRecordsPerRead];
  scan->first_free = records;
  for (uint32_t index = 0; index < records; index += kRecordsPerRead) {
    uint32_t count = records - index < kRecordsPerRead ? records - index : kRecordsPerRead;
    sotto_err_t err =
        storage.read(storage.ctx, SOTTO_REGION_STATE, sector_offset + index * kRecordBytes, chunk,
                     static_cast<size_t>(count) * kRecordBytes);
    if (err != SOTTO_OK) {
      return err;
    }
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t *record = chunk + static_cast<size_t>(i) * kRecordBytes;
      if (is_blank(record)) {
        scan->first_free = index + i;  // records are appended in order: the rest is blank
        return SOTTO_OK;
      }
      uint32_t counter = load_u32(record);
      if (load_u32(record + 4) == ~counter && (!scan->has_valid || counter > scan->best)) {
        scan->has_valid = true;
        scan->best = counter;
      }
    }
  }
  return SOTTO_OK;
}

}  // namespace

sotto_err_t boot_counter_advance(const sotto_storage_port_t &storage, uint32_t *out_counter) {
  const uint32_t sector_bytes = storage.sector_bytes(storage.ctx);
  if (sector_bytes < kRecordBytes || sector_bytes % kRecordBytes != 0 ||
      storage.region_bytes(storage.ctx, SOTTO_REGION_STATE) <
          SOTTO_DEVICE_STATE_RESERVED_SECTORS * sector_bytes) {
    return SOTTO_ERR_NOT_CONFIGURED;
  }
  const uint32_t records = sector_bytes / kRecordBytes;
  SectorScan scans[SOTTO_DEVICE_STATE_RESERVED_SECTORS];
  for (uint32_t s = 0; s < SOTTO_DEVICE_STATE_RESERVED_SECTORS; ++s) {
    sotto_err_t err = scan_sector(storage, s * sector_bytes, records, &scans[s]);
    if (err != SOTTO_OK) {
      return err;
    }
  }
  const bool newest_in_second =
      scans[1].has_valid && (!scans[0].has_valid || scans[1].best > scans[0].best);
  const uint32_t current = newest_in_second ? 1 : 0;
  const uint32_t last = scans[current].has_valid ? scans[current].best : 0;
  const uint32_t next = last + 1 == 0 ? 1 : last + 1;

  uint32_t target = current;
  uint32_t slot = scans[current].first_free;
  if (slot >= records) {
    // Full: continue in the other sector (or, if this one holds only torn records, restart it).
    target = scans[current].has_valid ? 1 - current : current;
    sotto_err_t err =
        storage.erase(storage.ctx, SOTTO_REGION_STATE, target * sector_bytes, sector_bytes);
    if (err != SOTTO_OK) {
      return err;
    }
    slot = 0;
  }
  uint8_t record[kRecordBytes];
  store_u32(record, next);
  store_u32(record + 4, ~next);
  sotto_err_t err =
      storage.write(storage.ctx, SOTTO_REGION_STATE, target * sector_bytes + slot * kRecordBytes,
                    record, sizeof record);
  if (err != SOTTO_OK) {
    return err;
  }
  *out_counter = next;
  return SOTTO_OK;
}

}  // namespace sotto
