// Alternating record copies in two STATE sectors (see record_pair.h for why a cut is safe).
#include "record_pair.h"

#include <stddef.h>
#include <string.h>

#include "ota_layout.h"

namespace sotto {
namespace {

uint32_t crc32(const uint8_t *data, size_t len) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

uint32_t crc_offset(const RecordPair &pair) {
  return pair.bytes - 4;
}

bool copy_intact(const RecordPair &pair, const uint8_t *copy) {
  return get_u32(copy) == pair.magic &&
         get_u32(copy + crc_offset(pair)) == crc32(copy, crc_offset(pair));
}

}  // namespace

sotto_err_t record_pair_load(const sotto_storage_port_t &storage, const RecordPair &pair,
                             RecordContentCheck check, uint8_t *out, RecordPlace *place) {
  *place = RecordPlace{};
  if (pair.bytes > kRecordMaxBytes || pair.bytes < kRecordHeaderBytes + 4) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  for (uint32_t i = 0; i < 2; ++i) {
    uint8_t copy[kRecordMaxBytes];
    if (storage.read(storage.ctx, SOTTO_REGION_STATE,
                     state_sector_offset(storage, pair.first_sector + i), copy,
                     pair.bytes) != SOTTO_OK) {
      return SOTTO_ERR_STORAGE;
    }
    if (!copy_intact(pair, copy) || (check != nullptr && !check(copy))) {
      continue;
    }
    const uint32_t seq = get_u32(copy + 4);
    // Wrap-around comparison: the counter may roll over after 2^32 writes.
    if (place->valid == 0 || static_cast<int32_t>(seq - place->seq) > 0) {
      memcpy(out, copy, pair.bytes);
      place->seq = seq;
      place->sector = i;
      place->valid = 1;
    }
  }
  return SOTTO_OK;
}

sotto_err_t record_pair_store(const sotto_storage_port_t &storage, const RecordPair &pair,
                              uint8_t *record, RecordPlace *place) {
  const uint32_t target = place->valid ? 1 - place->sector : 0;
  const uint32_t seq = place->valid ? place->seq + 1 : 1;
  put_u32(record, pair.magic);
  put_u32(record + 4, seq);
  put_u32(record + crc_offset(pair), crc32(record, crc_offset(pair)));
  const uint32_t offset = state_sector_offset(storage, pair.first_sector + target);
  if (storage.erase(storage.ctx, SOTTO_REGION_STATE, offset, storage.sector_bytes(storage.ctx)) !=
          SOTTO_OK ||
      storage.write(storage.ctx, SOTTO_REGION_STATE, offset, record, pair.bytes) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  place->seq = seq;
  place->sector = target;
  place->valid = 1;
  return SOTTO_OK;
}

}  // namespace sotto
