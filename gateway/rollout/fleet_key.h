// The fleet's public key as a device holds it (65-byte uncompressed P-256 point), read from the
// PEM file `sottoctl keygen` writes (signing_key.pub.pem). Used by sotto-sim to provision its
// virtual devices and by the gateway to learn the key devices were provisioned with.
#ifndef SOTTO_GW_ROLLOUT_FLEET_KEY_H
#define SOTTO_GW_ROLLOUT_FLEET_KEY_H

#include <array>
#include <cstdint>
#include <string>

#include "signing_key.h"

namespace sotto::gw {

// Throws std::runtime_error naming the file and what is wrong (unreadable, not PEM, not P-256).
std::array<uint8_t, kPublicKeyBytes> load_public_key_pem_file(const std::string &path);
// The same from PEM text; `source` names where it came from in the error.
std::array<uint8_t, kPublicKeyBytes> public_key_from_pem(const std::string &pem,
                                                         const std::string &source);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_FLEET_KEY_H
