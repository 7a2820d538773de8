// Model slots: erase before an update, digest for verification at the end and at every boot.
#include "ota_slot.h"

#include <string.h>

#include "crypto/sha256.h"
#include "ota_layout.h"

namespace sotto {

sotto_err_t slot_erase_for(const sotto_storage_port_t &storage, uint8_t slot,
                           uint32_t model_bytes) {
  const uint32_t sector_bytes = storage.sector_bytes(storage.ctx);
  for (uint32_t at = 0; at < model_bytes; at += sector_bytes) {
    if (storage.erase(storage.ctx, slot_region(slot), at, sector_bytes) != SOTTO_OK) {
      return SOTTO_ERR_OTA_STORAGE;
    }
  }
  return SOTTO_OK;
}

sotto_err_t slot_digest(const sotto_storage_port_t &storage, uint8_t slot, uint32_t model_bytes,
                        uint8_t out[SOTTO_OTA_SHA256_BYTES]) {
  const sotto_storage_region_t region = slot_region(slot);
  if (model_bytes > storage.region_bytes(storage.ctx, region)) {
    return SOTTO_ERR_OTA_TOO_LARGE;
  }
  sotto_sha256_t hash;
  sotto_sha256_start(&hash);
  const uint8_t *mapped = storage.map != nullptr ? storage.map(storage.ctx, region) : nullptr;
  if (mapped != nullptr) {
    sotto_sha256_update(&hash, mapped, model_bytes);
  } else {
    uint8_t piece[128];
    for (uint32_t at = 0; at < model_bytes; at += sizeof piece) {
      const uint32_t n = model_bytes - at < sizeof piece ? model_bytes - at : sizeof piece;
      if (storage.read(storage.ctx, region, at, piece, n) != SOTTO_OK) {
        sotto_sha256_finish(&hash, out);
        return SOTTO_ERR_OTA_STORAGE;
      }
      sotto_sha256_update(&hash, piece, n);
    }
  }
  sotto_sha256_finish(&hash, out);
  return SOTTO_OK;
}

bool slot_matches(const sotto_storage_port_t &storage, uint8_t slot,
                  const sotto_ota_manifest_t &manifest) {
  uint8_t digest[SOTTO_OTA_SHA256_BYTES];
  return slot_digest(storage, slot, manifest.model_bytes, digest) == SOTTO_OK &&
         bytes_equal(digest, manifest.model_sha256, SOTTO_OTA_SHA256_BYTES);
}

}  // namespace sotto
