// Progress as a bitmap in erased flash: chunk i is recorded by clearing bit i (LSB first), a
// write that only clears bits, so it needs no erase and never disturbs earlier records. A chunk
// is recorded only after its data write returned, so a recorded chunk is always fully stored;
// an unrecorded one is simply written again with the same bytes after a reboot (NOR accepts a
// rewrite of identical data).
#include "ota_progress.h"

#include "ota_layout.h"

namespace sotto {

uint32_t progress_capacity_chunks(const sotto_storage_port_t &storage) {
  return storage.sector_bytes(storage.ctx) * 8u;
}

sotto_err_t progress_reset(const sotto_storage_port_t &storage) {
  return storage.erase(storage.ctx, SOTTO_REGION_STATE,
                       state_sector_offset(storage, kProgressSector),
                       storage.sector_bytes(storage.ctx)) == SOTTO_OK
             ? SOTTO_OK
             : SOTTO_ERR_STORAGE;
}

sotto_err_t progress_count(const sotto_storage_port_t &storage, uint32_t *out_chunks) {
  const uint32_t base = state_sector_offset(storage, kProgressSector);
  const uint32_t sector_bytes = storage.sector_bytes(storage.ctx);
  uint32_t chunks = 0;
  uint8_t piece[64];
  for (uint32_t at = 0; at < sector_bytes; at += sizeof piece) {
    const uint32_t n = sector_bytes - at < sizeof piece ? sector_bytes - at : sizeof piece;
    if (storage.read(storage.ctx, SOTTO_REGION_STATE, base + at, piece, n) != SOTTO_OK) {
      return SOTTO_ERR_STORAGE;
    }
    for (uint32_t i = 0; i < n; ++i) {
      if (piece[i] == 0) {
        chunks += 8;
        continue;
      }
      for (uint8_t byte = piece[i]; (byte & 1u) == 0; byte = static_cast<uint8_t>(byte >> 1)) {
        chunks += 1;
      }
      *out_chunks = chunks;
      return SOTTO_OK;
    }
  }
  *out_chunks = chunks;
  return SOTTO_OK;
}

sotto_err_t progress_mark(const sotto_storage_port_t &storage, uint32_t index) {
  // Bits 0..index%8 clear: the bits of earlier chunks in this byte stay clear.
  const uint8_t value = static_cast<uint8_t>(0xffu << (index % 8 + 1));
  const uint32_t offset = state_sector_offset(storage, kProgressSector) + index / 8;
  return storage.write(storage.ctx, SOTTO_REGION_STATE, offset, &value, 1) == SOTTO_OK
             ? SOTTO_OK
             : SOTTO_ERR_STORAGE;
}

}  // namespace sotto
