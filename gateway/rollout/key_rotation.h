// Key rotations for the fleet's devices (proto/sotto/v1/key_rotation.proto): the signed message
// that adds a signing key to every device's trusted list and can retire one, and its ota/keys
// payload. `sottoctl keys rotate` (to come) signs with this and sends through the rollout engine.
#ifndef SOTTO_GW_ROLLOUT_KEY_ROTATION_H
#define SOTTO_GW_ROLLOUT_KEY_ROTATION_H

#include <cstdint>
#include <optional>
#include <vector>

#include "signing_key.h"

namespace sotto::gw {

struct KeyRotationRequest {
  // Must exceed every target device's key-list counter (devices start at 0, the provisioned
  // key); each rotation of a fleet takes the next number.
  uint32_t key_list_version = 0;
  std::optional<uint32_t> retire_key_id;  // a key id the devices trust now
};

// An encoded SignedKeyRotation that adds new_key's public key: signed by signer (a key the
// devices trust now) and by new_key itself, which proves the added key has a holder. Throws
// std::runtime_error for key_list_version 0, a new key equal to the signer, or retiring the key
// being added.
std::vector<uint8_t> sign_key_rotation(const SigningKey &signer, const SigningKey &new_key,
                                       const KeyRotationRequest &request);

// The ota/keys payload (KeyRotationOffer) carrying an encoded SignedKeyRotation. Throws
// std::runtime_error when the envelope does not decode as one.
std::vector<uint8_t> key_rotation_offer(uint32_t rollout_id, const std::vector<uint8_t> &envelope);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_KEY_ROTATION_H
