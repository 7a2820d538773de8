// Seed inputs of the OTA fuzz harnesses, signed by the harness device's key so that they reach
// the checks behind the signature (see ota_fuzz_inputs.h).
#include <pb_encode.h>
#include <string.h>

#include "fuzz_keys.h"
#include "ota_fuzz_inputs.h"
#include "sotto/ota.h"
#include "sotto/v1/key_rotation.pb.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::fuzz {
namespace {

template <typename Message>
std::vector<uint8_t> encode(const pb_msgdesc_t *fields, const Message &message) {
  std::vector<uint8_t> out(512);
  pb_ostream_t stream = pb_ostream_from_buffer(out.data(), out.size());
  if (!pb_encode(&stream, fields, &message)) {
    __builtin_trap();  // the seeds are fixed messages that fit
  }
  out.resize(stream.bytes_written);
  return out;
}

std::vector<uint8_t> with_selector(uint8_t selector, const std::vector<uint8_t> &bytes) {
  std::vector<uint8_t> input(1, selector);
  input.insert(input.end(), bytes.begin(), bytes.end());
  return input;
}

sotto_v1_Manifest valid_manifest() {
  sotto_v1_Manifest manifest = sotto_v1_Manifest_init_zero;
  manifest.model_id = 5;
  manifest.version = 2;
  manifest.device_class = kFuzzDeviceClass;
  manifest.model_bytes = 600;
  memset(manifest.model_sha256, 0x5a, sizeof manifest.model_sha256);
  manifest.min_sdk_version = SOTTO_SDK_VERSION;
  manifest.has_self_test = true;
  manifest.self_test.input_seed = 77;
  memset(manifest.self_test.expected_output_sha256, 0xa5,
         sizeof manifest.self_test.expected_output_sha256);
  return manifest;
}

sotto_v1_SignedManifest signed_manifest(const std::vector<uint8_t> &manifest) {
  sotto_v1_SignedManifest envelope = sotto_v1_SignedManifest_init_zero;
  envelope.manifest.size = static_cast<pb_size_t>(manifest.size());
  memcpy(envelope.manifest.bytes, manifest.data(), manifest.size());
  envelope.key_id = device_key().key_id();
  device_key().sign(manifest.data(), manifest.size(), envelope.signature);
  return envelope;
}

sotto_v1_KeyRotation rotation_adding(const FuzzKey &added, uint32_t version) {
  sotto_v1_KeyRotation rotation = sotto_v1_KeyRotation_init_zero;
  rotation.key_list_version = version;
  memcpy(rotation.add_public_key, added.public_key(), SOTTO_OTA_PUBLIC_KEY_BYTES);
  return rotation;
}

sotto_v1_SignedKeyRotation signed_rotation(const std::vector<uint8_t> &content,
                                           const FuzzKey &prover) {
  sotto_v1_SignedKeyRotation envelope = sotto_v1_SignedKeyRotation_init_zero;
  envelope.rotation.size = static_cast<pb_size_t>(content.size());
  memcpy(envelope.rotation.bytes, content.data(), content.size());
  envelope.key_id = device_key().key_id();
  device_key().sign(content.data(), content.size(), envelope.signature);
  prover.sign(content.data(), content.size(), envelope.new_key_signature);
  return envelope;
}

}  // namespace

std::vector<FuzzSeed> envelope_seeds() {
  std::vector<FuzzSeed> seeds;
  // Manifests behind a valid signature, one per check after it.
  struct Variant {
    const char *name;
    void (*edit)(sotto_v1_Manifest &);
    sotto_err_t outcome;
  };
  const Variant variants[] = {
      {"valid", [](sotto_v1_Manifest &) {}, SOTTO_OK},
      {"other-class", [](sotto_v1_Manifest &m) { m.device_class = 4; },
       SOTTO_ERR_OTA_WRONG_DEVICE_CLASS},
      {"newer-sdk", [](sotto_v1_Manifest &m) { m.min_sdk_version = UINT32_MAX; },
       SOTTO_ERR_OTA_SDK_TOO_OLD},
      {"version-0", [](sotto_v1_Manifest &m) { m.version = 0; }, SOTTO_ERR_OTA_VERSION_NOT_NEWER},
      {"too-large", [](sotto_v1_Manifest &m) { m.model_bytes = kFuzzSlotBytes + 1; },
       SOTTO_ERR_OTA_TOO_LARGE},
      {"no-self-test", [](sotto_v1_Manifest &m) { m.has_self_test = false; },
       SOTTO_ERR_OTA_BAD_MANIFEST},
  };
  for (const Variant &variant : variants) {
    sotto_v1_Manifest manifest = valid_manifest();
    variant.edit(manifest);
    const std::vector<uint8_t> bytes = encode(sotto_v1_Manifest_fields, manifest);
    const sotto_v1_SignedManifest envelope = signed_manifest(bytes);
    seeds.push_back(
        {std::string("envelope-") + variant.name,
         with_selector(kSelectEnvelope, encode(sotto_v1_SignedManifest_fields, envelope)),
         variant.outcome});
    seeds.push_back({std::string("manifest-") + variant.name,
                     with_selector(kSelectSignedManifest, bytes), variant.outcome});
  }
  // Signed bytes that are no Manifest: the decoder behind the signature refuses them.
  const std::vector<uint8_t> garbage = {0x0a, 0xff, 0x01, 0x02};
  seeds.push_back({"envelope-undecodable-manifest",
                   with_selector(kSelectEnvelope,
                                 encode(sotto_v1_SignedManifest_fields, signed_manifest(garbage))),
                   SOTTO_ERR_OTA_BAD_MANIFEST});

  sotto_v1_OtaOffer offer = sotto_v1_OtaOffer_init_zero;
  offer.rollout_id = 9;
  offer.has_envelope = true;
  offer.envelope = signed_manifest(encode(sotto_v1_Manifest_fields, valid_manifest()));
  offer.chunk_bytes = 256;
  seeds.push_back({"offer-valid",
                   with_selector(kSelectOffer, encode(sotto_v1_OtaOffer_fields, offer)), SOTTO_OK});
  offer.chunk_bytes = SOTTO_OTA_CHUNK_MIN_BYTES - 1;
  seeds.push_back({"offer-chunk-too-small",
                   with_selector(kSelectOffer, encode(sotto_v1_OtaOffer_fields, offer)),
                   SOTTO_ERR_OTA_BAD_MANIFEST});

  sotto_v1_OtaChunk chunk = sotto_v1_OtaChunk_init_zero;
  chunk.rollout_id = 9;
  chunk.data.size = 16;
  memset(chunk.data.bytes, 0x33, 16);
  seeds.push_back({"chunk-without-update",
                   with_selector(kSelectChunk, encode(sotto_v1_OtaChunk_fields, chunk)),
                   SOTTO_ERR_OTA_NO_UPDATE});
  return seeds;
}

std::vector<FuzzSeed> key_rotation_seeds() {
  std::vector<FuzzSeed> seeds;
  auto add_rotation = [&seeds](const char *name, const sotto_v1_KeyRotation &content,
                               const FuzzKey &prover, sotto_err_t outcome) {
    const std::vector<uint8_t> bytes = encode(sotto_v1_KeyRotation_fields, content);
    const sotto_v1_SignedKeyRotation envelope = signed_rotation(bytes, prover);
    seeds.push_back(
        {std::string("rotation-") + name,
         with_selector(kSelectRotation, encode(sotto_v1_SignedKeyRotation_fields, envelope)),
         outcome});
    // The same content signed by the harness, when the added key's holder is the one it uses.
    if (&prover == &added_key()) {
      seeds.push_back(
          {std::string("content-") + name, with_selector(kSelectSignedRotation, bytes), outcome});
    }
  };
  add_rotation("adds", rotation_adding(added_key(), 1), added_key(), SOTTO_OK);
  sotto_v1_KeyRotation retiring = rotation_adding(added_key(), 1);
  retiring.has_retire_key_id = true;
  retiring.retire_key_id = device_key().key_id();
  add_rotation("retires-its-signer", retiring, added_key(), SOTTO_OK);
  add_rotation("version-0", rotation_adding(added_key(), 0), added_key(),
               SOTTO_ERR_OTA_VERSION_NOT_NEWER);
  sotto_v1_KeyRotation unknown = rotation_adding(added_key(), 1);
  unknown.has_retire_key_id = true;
  unknown.retire_key_id = 0x12345678u;
  add_rotation("retires-unknown-key", unknown, added_key(), SOTTO_ERR_OTA_BAD_MANIFEST);
  add_rotation("adds-trusted-key", rotation_adding(device_key(), 1), device_key(),
               SOTTO_ERR_OTA_BAD_MANIFEST);
  add_rotation("proof-by-another-key", rotation_adding(added_key(), 1), device_key(),
               SOTTO_ERR_OTA_BAD_SIGNATURE);
  sotto_v1_KeyRotation off_curve = rotation_adding(added_key(), 1);
  off_curve.add_public_key[64] ^= 0x01;
  add_rotation("adds-no-point", off_curve, added_key(), SOTTO_ERR_OTA_BAD_MANIFEST);

  sotto_v1_KeyRotationOffer offer = sotto_v1_KeyRotationOffer_init_zero;
  offer.rollout_id = 4;
  offer.has_envelope = true;
  offer.envelope = signed_rotation(
      encode(sotto_v1_KeyRotation_fields, rotation_adding(added_key(), 1)), added_key());
  seeds.push_back(
      {"offer-adds",
       with_selector(kSelectRotationOffer, encode(sotto_v1_KeyRotationOffer_fields, offer)),
       SOTTO_OK});
  return seeds;
}

}  // namespace sotto::fuzz
