// Decoding the signed parts of bundles and key rotations with the device's nanopb code, and
// checking signatures with the device's ECDSA shim.
#include "rollout_signatures.h"

#include <pb_decode.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "crypto/ecdsa_p256.h"
#include "sotto/ota.h"
#include "sotto/v1/key_rotation.pb.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::gw {
namespace {

template <typename Message>
Message decode(const pb_msgdesc_t *fields, const uint8_t *bytes, size_t size, const char *what) {
  Message message{};
  pb_istream_t stream = pb_istream_from_buffer(bytes, size);
  if (!pb_decode(&stream, fields, &message)) {
    throw std::runtime_error(std::string(what) + " does not decode: " + PB_GET_ERROR(&stream));
  }
  return message;
}

Digest digest_of(const uint8_t *bytes, size_t size) {
  return sha256_of(std::vector<uint8_t>(bytes, bytes + size));
}

}  // namespace

BundleSignature bundle_signature(const Bundle &bundle) {
  const auto envelope =
      decode<sotto_v1_SignedManifest>(sotto_v1_SignedManifest_fields, bundle.envelope.data(),
                                      bundle.envelope.size(), "bundle envelope");
  const auto manifest = decode<sotto_v1_Manifest>(sotto_v1_Manifest_fields, envelope.manifest.bytes,
                                                  envelope.manifest.size, "bundle manifest");
  BundleSignature out;
  out.key_id = envelope.key_id;
  out.manifest_digest = digest_of(envelope.manifest.bytes, envelope.manifest.size);
  std::memcpy(out.signature.data(), envelope.signature, out.signature.size());
  std::memcpy(out.model_sha256.data(), manifest.model_sha256, out.model_sha256.size());
  return out;
}

KeyRotationContents decode_key_rotation(const std::vector<uint8_t> &envelope_bytes) {
  const auto envelope =
      decode<sotto_v1_SignedKeyRotation>(sotto_v1_SignedKeyRotation_fields, envelope_bytes.data(),
                                         envelope_bytes.size(), "key rotation envelope");
  if (envelope.rotation.size == 0) throw std::runtime_error("key rotation: no rotation inside");
  const auto rotation = decode<sotto_v1_KeyRotation>(
      sotto_v1_KeyRotation_fields, envelope.rotation.bytes, envelope.rotation.size, "key rotation");
  KeyRotationContents out;
  out.signer_key_id = envelope.key_id;
  out.rotation_digest = digest_of(envelope.rotation.bytes, envelope.rotation.size);
  std::memcpy(out.signature.data(), envelope.signature, out.signature.size());
  std::memcpy(out.new_key_signature.data(), envelope.new_key_signature,
              out.new_key_signature.size());
  out.key_list_version = rotation.key_list_version;
  out.add_public_key.assign(rotation.add_public_key,
                            rotation.add_public_key + sizeof rotation.add_public_key);
  out.add_key_id = public_key_id(out.add_public_key);
  if (rotation.has_retire_key_id) out.retire_key_id = rotation.retire_key_id;
  return out;
}

std::string key_id_text(uint32_t key_id) {
  char text[16];
  std::snprintf(text, sizeof text, "%08x", key_id);
  return text;
}

uint32_t public_key_id(const std::vector<uint8_t> &public_key) {
  if (public_key.size() != SOTTO_OTA_PUBLIC_KEY_BYTES) {
    throw std::runtime_error("public key of " + std::to_string(public_key.size()) +
                             " bytes, expected " + std::to_string(SOTTO_OTA_PUBLIC_KEY_BYTES));
  }
  return sotto_ota_key_id(public_key.data());
}

bool signature_valid(const std::vector<uint8_t> &public_key, const Digest &digest,
                     const Signature &signature) {
  return public_key.size() == SOTTO_P256_PUBLIC_KEY_BYTES &&
         sotto_ecdsa_p256_verify(public_key.data(), digest.data(), signature.data()) == 1;
}

}  // namespace sotto::gw
