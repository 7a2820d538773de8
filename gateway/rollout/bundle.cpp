// Manifest encoding, signing and the bundle file format, with the same nanopb code the device
// decodes with.
#include "bundle.h"

#include <mbedtls/sha256.h>
#include <pb_decode.h>

#include <cstring>
#include <stdexcept>

#include "pb_vector.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::gw {
namespace {

constexpr uint8_t kMagic[4] = {'S', 'O', 'T', 'B'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderBytes = 12;

void put_u32(std::vector<uint8_t> &out, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<uint8_t>(value >> (8 * i)));
  }
}

uint32_t get_u32(const uint8_t *p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

}  // namespace

std::array<uint8_t, 32> sha256_of(const std::vector<uint8_t> &bytes) {
  std::array<uint8_t, 32> digest{};
  mbedtls_sha256_ret(bytes.data(), bytes.size(), digest.data(), 0);
  return digest;
}

std::vector<uint8_t> encode_manifest(const ManifestFields &fields,
                                     const std::vector<uint8_t> &model) {
  if (model.empty() || model.size() > UINT32_MAX) {
    throw std::runtime_error("manifest: model size " + std::to_string(model.size()) +
                             " outside 1.." + std::to_string(UINT32_MAX));
  }
  sotto_v1_Manifest manifest = sotto_v1_Manifest_init_zero;
  manifest.model_id = fields.model_id;
  manifest.version = fields.version;
  manifest.device_class = fields.device_class;
  manifest.model_bytes = static_cast<uint32_t>(model.size());
  auto digest = sha256_of(model);
  std::memcpy(manifest.model_sha256, digest.data(), digest.size());
  manifest.min_sdk_version = fields.min_sdk_version;
  manifest.has_self_test = true;
  manifest.self_test.input_seed = fields.self_test_input_seed;
  std::memcpy(manifest.self_test.expected_output_sha256, fields.self_test_output_sha256.data(), 32);
  return encode_to_vector(sotto_v1_Manifest_fields, manifest, sotto_v1_Manifest_size);
}

std::vector<uint8_t> sign_manifest(const SigningKey &key, const std::vector<uint8_t> &manifest) {
  sotto_v1_SignedManifest envelope = sotto_v1_SignedManifest_init_zero;
  if (manifest.size() > sizeof envelope.manifest.bytes) {
    throw std::runtime_error("sign: manifest of " + std::to_string(manifest.size()) +
                             " bytes exceeds " + std::to_string(sizeof envelope.manifest.bytes));
  }
  envelope.manifest.size = static_cast<pb_size_t>(manifest.size());
  std::memcpy(envelope.manifest.bytes, manifest.data(), manifest.size());
  envelope.key_id = key.key_id();
  auto signature = key.sign_digest(sha256_of(manifest));
  std::memcpy(envelope.signature, signature.data(), signature.size());
  return encode_to_vector(sotto_v1_SignedManifest_fields, envelope, sotto_v1_SignedManifest_size);
}

Bundle make_bundle(const SigningKey &key, const ManifestFields &fields,
                   const std::vector<uint8_t> &model) {
  return Bundle{sign_manifest(key, encode_manifest(fields, model)), model, fields.model_id,
                fields.version};
}

std::vector<uint8_t> serialize_bundle(const Bundle &bundle) {
  std::vector<uint8_t> out(kMagic, kMagic + 4);
  put_u32(out, kFormatVersion);
  put_u32(out, static_cast<uint32_t>(bundle.envelope.size()));
  out.insert(out.end(), bundle.envelope.begin(), bundle.envelope.end());
  out.insert(out.end(), bundle.model.begin(), bundle.model.end());
  return out;
}

Bundle parse_bundle(const std::vector<uint8_t> &bytes) {
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, 4) != 0) {
    throw std::runtime_error("bundle: missing SOTB header");
  }
  if (get_u32(bytes.data() + 4) != kFormatVersion) {
    throw std::runtime_error("bundle: format version " + std::to_string(get_u32(bytes.data() + 4)) +
                             ", expected " + std::to_string(kFormatVersion));
  }
  const uint32_t envelope_bytes = get_u32(bytes.data() + 8);
  if (envelope_bytes > bytes.size() - kHeaderBytes) {
    throw std::runtime_error("bundle: envelope of " + std::to_string(envelope_bytes) +
                             " bytes beyond the file's " + std::to_string(bytes.size()));
  }
  Bundle bundle;
  bundle.envelope.assign(bytes.begin() + kHeaderBytes,
                         bytes.begin() + kHeaderBytes + envelope_bytes);
  bundle.model.assign(bytes.begin() + kHeaderBytes + envelope_bytes, bytes.end());
  sotto_v1_SignedManifest envelope = sotto_v1_SignedManifest_init_zero;
  pb_istream_t stream = pb_istream_from_buffer(bundle.envelope.data(), bundle.envelope.size());
  if (!pb_decode(&stream, sotto_v1_SignedManifest_fields, &envelope)) {
    throw std::runtime_error(std::string("bundle: undecodable envelope: ") + PB_GET_ERROR(&stream));
  }
  sotto_v1_Manifest manifest = sotto_v1_Manifest_init_zero;
  stream = pb_istream_from_buffer(envelope.manifest.bytes, envelope.manifest.size);
  if (!pb_decode(&stream, sotto_v1_Manifest_fields, &manifest)) {
    throw std::runtime_error(std::string("bundle: undecodable manifest: ") + PB_GET_ERROR(&stream));
  }
  if (manifest.model_bytes != bundle.model.size()) {
    throw std::runtime_error("bundle: model of " + std::to_string(bundle.model.size()) +
                             " bytes, manifest says " + std::to_string(manifest.model_bytes));
  }
  bundle.model_id = manifest.model_id;
  bundle.version = manifest.version;
  bundle.min_sdk_version = manifest.min_sdk_version;
  return bundle;
}

}  // namespace sotto::gw
