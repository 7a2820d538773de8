// Model slots: preparing the inactive one and checking a slot's content against its manifest.
#ifndef SOTTO_OTA_SLOT_H
#define SOTTO_OTA_SLOT_H

#include "sotto/ota.h"

namespace sotto {

// Erases the sectors that will hold model_bytes, one erase per sector.
sotto_err_t slot_erase_for(const sotto_storage_port_t &storage, uint8_t slot, uint32_t model_bytes);
// SHA-256 of the slot's first model_bytes, read in place when mapped.
sotto_err_t slot_digest(const sotto_storage_port_t &storage, uint8_t slot, uint32_t model_bytes,
                        uint8_t out[SOTTO_OTA_SHA256_BYTES]);
// True when the slot holds exactly the manifest's bytes.
bool slot_matches(const sotto_storage_port_t &storage, uint8_t slot,
                  const sotto_ota_manifest_t &manifest);

}  // namespace sotto

#endif  // SOTTO_OTA_SLOT_H
