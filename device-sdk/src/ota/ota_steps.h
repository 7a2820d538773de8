// Update steps shared by the C API (ota_update.cpp, ota_envelope.cpp) and the message handlers.
#ifndef SOTTO_OTA_STEPS_H
#define SOTTO_OTA_STEPS_H

#include "sotto/ota.h"
#include "sotto/v1/ota.pb.h"

namespace sotto {

// Key id, signature, then the signed content against this device and its slots.
sotto_err_t verify_signed_manifest(const sotto_ota_t &ota, const sotto_v1_SignedManifest &envelope,
                                   sotto_ota_manifest_t *out_manifest);

// Starts or resumes the update a verified manifest describes.
sotto_err_t apply_offer(sotto_ota_t *ota, uint32_t rollout_id, const sotto_ota_manifest_t &manifest,
                        uint32_t chunk_bytes);

}  // namespace sotto

#endif  // SOTTO_OTA_STEPS_H
