// Signing key rotations with the same nanopb code the device decodes with.
#include "key_rotation.h"

#include <pb_decode.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "bundle.h"
#include "pb_vector.h"
#include "sotto/v1/key_rotation.pb.h"

namespace sotto::gw {

std::vector<uint8_t> sign_key_rotation(const SigningKey &signer, const SigningKey &new_key,
                                       const KeyRotationRequest &request) {
  if (request.key_list_version == 0) {
    throw std::runtime_error(
        "key rotation: key_list_version 0 is the provisioned list; "
        "expected 1 or more");
  }
  if (new_key.key_id() == signer.key_id()) {
    throw std::runtime_error("key rotation: the new key is the signing key itself");
  }
  if (request.retire_key_id && *request.retire_key_id == new_key.key_id()) {
    throw std::runtime_error("key rotation: retires the key it adds");
  }
  sotto_v1_KeyRotation rotation = sotto_v1_KeyRotation_init_zero;
  rotation.key_list_version = request.key_list_version;
  const auto public_key = new_key.public_key();
  std::memcpy(rotation.add_public_key, public_key.data(), public_key.size());
  rotation.has_retire_key_id = request.retire_key_id.has_value();
  rotation.retire_key_id = request.retire_key_id.value_or(0);
  const std::vector<uint8_t> encoded =
      encode_to_vector(sotto_v1_KeyRotation_fields, rotation, sotto_v1_KeyRotation_size);

  sotto_v1_SignedKeyRotation envelope = sotto_v1_SignedKeyRotation_init_zero;
  envelope.rotation.size = static_cast<pb_size_t>(encoded.size());
  std::memcpy(envelope.rotation.bytes, encoded.data(), encoded.size());
  envelope.key_id = signer.key_id();
  const auto digest = sha256_of(encoded);
  const auto signature = signer.sign_digest(digest);
  std::memcpy(envelope.signature, signature.data(), signature.size());
  const auto proof = new_key.sign_digest(digest);
  std::memcpy(envelope.new_key_signature, proof.data(), proof.size());
  return encode_to_vector(sotto_v1_SignedKeyRotation_fields, envelope,
                          sotto_v1_SignedKeyRotation_size);
}

std::vector<uint8_t> key_rotation_offer(uint32_t rollout_id, const std::vector<uint8_t> &envelope) {
  sotto_v1_KeyRotationOffer offer = sotto_v1_KeyRotationOffer_init_zero;
  offer.rollout_id = rollout_id;
  offer.has_envelope = true;
  pb_istream_t stream = pb_istream_from_buffer(envelope.data(), envelope.size());
  if (!pb_decode(&stream, sotto_v1_SignedKeyRotation_fields, &offer.envelope)) {
    throw std::runtime_error(std::string("key rotation offer: undecodable envelope: ") +
                             PB_GET_ERROR(&stream));
  }
  return encode_to_vector(sotto_v1_KeyRotationOffer_fields, offer, sotto_v1_KeyRotationOffer_size);
}

}  // namespace sotto::gw
