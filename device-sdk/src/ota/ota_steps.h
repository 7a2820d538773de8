// Update steps shared by the C API (ota_update.cpp, ota_envelope.cpp, key_rotation.cpp) and the
// message handlers.
#ifndef SOTTO_OTA_STEPS_H
#define SOTTO_OTA_STEPS_H

#include "sotto/ota.h"
#include "sotto/v1/key_rotation.pb.h"
#include "sotto/v1/ota.pb.h"

namespace sotto {

// An encoded SignedManifest (false: undecodable or without a manifest).
bool decode_signed_manifest(const uint8_t *bytes, size_t len, sotto_v1_SignedManifest *out);

// Key id (trusted, retired or unknown), signature, then the signed content against this device
// and its slots.
sotto_err_t verify_signed_manifest(const sotto_ota_t &ota, const sotto_v1_SignedManifest &envelope,
                                   sotto_ota_manifest_t *out_manifest);

// Starts or resumes the update a verified manifest, signed by key_id, describes.
sotto_err_t apply_offer(sotto_ota_t *ota, uint32_t rollout_id, const sotto_ota_manifest_t &manifest,
                        uint32_t key_id, uint32_t chunk_bytes);

// Checks and applies a decoded key rotation; the outcome is also the status (state, failure).
sotto_err_t rotate_keys(sotto_ota_t *ota, uint32_t rollout_id,
                        const sotto_v1_SignedKeyRotation &envelope);

}  // namespace sotto

#endif  // SOTTO_OTA_STEPS_H
