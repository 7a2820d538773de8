// Signed model bundles: build the manifest for a model, sign it, and (de)serialize the bundle.
//
// Bundle format (little-endian): the 4 bytes "SOTB", a u32 format version (1), a u32 length N,
// N bytes of an encoded sotto.v1.SignedManifest (the envelope sent in OtaOffer), then exactly
// Manifest.model_bytes bytes of the model image (sent in OtaChunks). Nothing follows the model.
#ifndef SOTTO_GW_ROLLOUT_BUNDLE_H
#define SOTTO_GW_ROLLOUT_BUNDLE_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "signing_key.h"

namespace sotto::gw {

struct ManifestFields {
  uint16_t model_id = 0;
  uint32_t version = 0;
  uint8_t device_class = 0;
  uint32_t min_sdk_version = 0;
  uint64_t self_test_input_seed = 0;
  std::array<uint8_t, 32> self_test_output_sha256{};
};

struct Bundle {
  std::vector<uint8_t> envelope;  // encoded SignedManifest
  std::vector<uint8_t> model;
  // From the envelope's manifest, so users need not decode it again.
  uint16_t model_id = 0;
  uint32_t version = 0;
  uint32_t min_sdk_version = 0;
};

std::array<uint8_t, 32> sha256_of(const std::vector<uint8_t> &bytes);
// The encoded Manifest for model (size and digest taken from it).
std::vector<uint8_t> encode_manifest(const ManifestFields &fields,
                                     const std::vector<uint8_t> &model);
// An encoded SignedManifest: manifest bytes, key id, signature over their SHA-256.
std::vector<uint8_t> sign_manifest(const SigningKey &key, const std::vector<uint8_t> &manifest);
Bundle make_bundle(const SigningKey &key, const ManifestFields &fields,
                   const std::vector<uint8_t> &model);

std::vector<uint8_t> serialize_bundle(const Bundle &bundle);
// Throws std::runtime_error naming what is wrong (magic, version, lengths, undecodable
// envelope or manifest, model size differing from the manifest).
Bundle parse_bundle(const std::vector<uint8_t> &bytes);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_BUNDLE_H
