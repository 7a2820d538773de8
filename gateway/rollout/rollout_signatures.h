// What the gateway checks before a rollout sends its first message: the same signatures every
// device will check, so a bundle or key rotation that devices would refuse never leaves the
// gateway (a corrupted model used to go out in full to every target before each refused it).
// The verification is the device SDK's own (device-sdk/src/ota/crypto/ecdsa_p256.h).
#ifndef SOTTO_GW_ROLLOUT_ROLLOUT_SIGNATURES_H
#define SOTTO_GW_ROLLOUT_ROLLOUT_SIGNATURES_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bundle.h"

namespace sotto::gw {

using Digest = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, kSignatureBytes>;

// A bundle's signed parts: who signed (key id), over what, and the model digest it promises.
struct BundleSignature {
  uint32_t key_id = 0;
  Digest manifest_digest{};  // SHA-256 of the manifest's encoded bytes: what was signed
  Signature signature{};
  Digest model_sha256{};  // the manifest's
};
// Throws std::runtime_error when the envelope does not decode (parse_bundle checked it once).
BundleSignature bundle_signature(const Bundle &bundle);

// An encoded SignedKeyRotation, decoded: the signer, what it signed, and the change.
struct KeyRotationContents {
  uint32_t signer_key_id = 0;
  Digest rotation_digest{};       // SHA-256 of the KeyRotation's encoded bytes
  Signature signature{};          // by the signer
  Signature new_key_signature{};  // by the key being added: proof that it has a holder
  uint32_t key_list_version = 0;
  std::vector<uint8_t> add_public_key;  // 65-byte uncompressed point
  uint32_t add_key_id = 0;
  std::optional<uint32_t> retire_key_id;
};
// Throws std::runtime_error naming what does not decode.
KeyRotationContents decode_key_rotation(const std::vector<uint8_t> &envelope);

// A key id as operators see it: eight lower-case hex digits ("0badc0de").
std::string key_id_text(uint32_t key_id);

// The key id devices give a public key: the first four bytes of its SHA-256, big-endian.
uint32_t public_key_id(const std::vector<uint8_t> &public_key);
// True when public_key (65 bytes, on P-256) signed digest with signature (raw r || s).
bool signature_valid(const std::vector<uint8_t> &public_key, const Digest &digest,
                     const Signature &signature);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_ROLLOUT_SIGNATURES_H
