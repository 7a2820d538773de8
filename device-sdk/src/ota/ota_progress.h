// The progress log of an update in progress: one bit per stored chunk in one STATE sector.
#ifndef SOTTO_OTA_PROGRESS_H
#define SOTTO_OTA_PROGRESS_H

#include "sotto/ota.h"

namespace sotto {

// Chunks the log can count (8 per byte of the sector).
uint32_t progress_capacity_chunks(const sotto_storage_port_t &storage);
sotto_err_t progress_reset(const sotto_storage_port_t &storage);
// Chunks stored: the run of recorded chunks from chunk 0.
sotto_err_t progress_count(const sotto_storage_port_t &storage, uint32_t *out_chunks);
// Records chunk index (which must be the next one; earlier bits are already clear).
sotto_err_t progress_mark(const sotto_storage_port_t &storage, uint32_t index);

}  // namespace sotto

#endif  // SOTTO_OTA_PROGRESS_H
