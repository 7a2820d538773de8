// What the rollout engine checks before a rollout is created, so nothing a device would refuse
// leaves the gateway: the payload decodes, its signer is a fleet key the gateway knows and
// still trusts, the signature verifies, a bundle's model matches its manifest's digest, a key
// rotation is newer than every earlier one, and every target device trusts the signer.
#include <cmath>
#include <iomanip>
#include <sstream>

#include "file_bytes.h"
#include "log.h"
#include "rollout_engine.h"
#include "rollout_signatures.h"
#include "time_format.h"
#include "topic.h"

namespace sotto::gw {
namespace {

using Kind = RolloutRequestError::Kind;

std::string hex_prefix(const std::array<uint8_t, 32> &digest, size_t bytes) {
  std::ostringstream out;
  for (size_t i = 0; i < bytes; ++i) {
    out << std::hex << std::setw(2) << std::setfill('0') << unsigned{digest[i]};
  }
  return out.str();
}

}  // namespace

int64_t RolloutEngine::start_checked(const RolloutStartRequest &request) {
  if (!(request.max_failure_pct >= 0 && request.max_failure_pct <= 100)) {
    throw RolloutRequestError(Kind::kBadRequest, "max_failure_pct: expected 0..100");
  }
  Payload payload;
  payload.kind = request.kind;
  std::vector<std::string> devices;
  RolloutSpec spec = request.kind == RolloutKind::kKeys ? check_rotation(request, payload, devices)
                                                        : check_model(request, payload, devices);
  const std::vector<std::string> busy = store_.busy_devices(devices);
  if (!busy.empty()) {
    throw RolloutRequestError(Kind::kConflict, std::to_string(busy.size()) +
                                                   " target devices (first '" + busy.front() +
                                                   "') are in an unfinished rollout");
  }
  const std::string path = options_.bundle_dir + "/" + hex_prefix(sha256_of(request.payload), 8) +
                           (request.kind == RolloutKind::kKeys ? ".sokr" : ".sotb");
  write_file_atomically(path, request.payload.data(), request.payload.size());
  spec.bundle_path = path;
  spec.kind = request.kind;
  spec.waves = request.waves;
  spec.max_failure_permille = static_cast<uint32_t>(std::lround(request.max_failure_pct * 10));
  const int64_t id = store_.create(spec, devices);
  log_line(LogLevel::kInfo, "rollout " + std::to_string(id) + ": " +
                                (request.kind == RolloutKind::kKeys
                                     ? "key rotation " + std::to_string(spec.model_version) +
                                           " adding key " + key_id_text(*spec.adds_key_id)
                                     : "model " + std::to_string(payload.bundle.model_id) +
                                           " version " + std::to_string(payload.bundle.version)) +
                                " to " + std::to_string(devices.size()) + " devices");
  start_wave(activate(store_.get(id), std::move(payload)));
  return id;
}

std::vector<std::string> RolloutEngine::target_devices(const RolloutStartRequest &request) {
  if (request.site.empty() == request.devices.empty()) {
    throw RolloutRequestError(Kind::kBadRequest, "give either site or devices, not both or none");
  }
  std::vector<std::string> devices;
  if (!request.site.empty()) {
    devices = store_.site_devices(request.site);
    if (devices.empty()) {
      throw RolloutRequestError(Kind::kBadRequest,
                                "site '" + request.site + "' has no known devices");
    }
    return devices;
  }
  for (const std::string &device : request.devices) {
    if (!is_valid_id(device) || device_site(device).empty()) {
      throw RolloutRequestError(Kind::kBadRequest, "unknown device '" + device + "'");
    }
    for (const std::string &seen : devices) {
      if (seen == device) {
        throw RolloutRequestError(Kind::kBadRequest, "device '" + device + "' listed twice");
      }
    }
    devices.push_back(device);
  }
  return devices;
}

void RolloutEngine::check_signer(uint32_t key_id, const std::array<uint8_t, 32> &digest,
                                 const std::array<uint8_t, 64> &signature,
                                 const std::string &what) {
  const std::optional<FleetKeyRow> key = store_.fleet_key(key_id);
  if (!key) {
    throw RolloutRequestError(
        Kind::kBadRequest,
        what + " is signed by key " + key_id_text(key_id) +
            ", which the gateway does not know the fleet to trust (sottoctl keys list; the key "
            "devices were provisioned with is registered with sottoctl keys trust PUB.pem)",
        "untrusted_key");
  }
  if (key->distrusted_ms) {
    throw RolloutRequestError(Kind::kBadRequest,
                              what + " is signed by key " + key_id_text(key_id) +
                                  ", retired at the gateway on " +
                                  iso8601_utc(*key->distrusted_ms) + " (sottoctl keys retire)",
                              "untrusted_key");
  }
  if (!signature_valid(key->public_key, digest, signature)) {
    throw RolloutRequestError(Kind::kBadRequest,
                              what + ": the signature does not verify with key " +
                                  key_id_text(key_id) + " (changed after signing?)",
                              "bad_signature");
  }
}

void RolloutEngine::check_targets_trust(uint32_t key_id, const std::vector<std::string> &devices,
                                        const std::string &what) {
  const std::vector<std::string> refusing = store_.devices_not_trusting(key_id, devices);
  if (refusing.empty()) return;
  throw RolloutRequestError(
      Kind::kBadRequest,
      std::to_string(refusing.size()) + " of " + std::to_string(devices.size()) +
          " target devices (first '" + refusing.front() + "') do not trust key " +
          key_id_text(key_id) + ", the signer of " + what +
          ": it was never added there, or a key rotation they took retired it",
      "untrusted_key");
}

RolloutSpec RolloutEngine::check_model(const RolloutStartRequest &request, Payload &payload,
                                       std::vector<std::string> &devices) {
  try {
    payload.bundle = parse_bundle(request.payload);
  } catch (const std::exception &error) {
    throw RolloutRequestError(Kind::kBadRequest, error.what(), "bad_bundle");
  }
  const BundleSignature signed_parts = bundle_signature(payload.bundle);
  check_signer(signed_parts.key_id, signed_parts.manifest_digest, signed_parts.signature,
               "the bundle");
  const std::array<uint8_t, 32> model_digest = sha256_of(payload.bundle.model);
  if (model_digest != signed_parts.model_sha256) {
    throw RolloutRequestError(Kind::kBadRequest,
                              "the bundle's model has SHA-256 " + hex_prefix(model_digest, 8) +
                                  "..., its signed manifest says " +
                                  hex_prefix(signed_parts.model_sha256, 8) +
                                  "...: the model changed after signing",
                              "digest_mismatch");
  }
  devices = target_devices(request);
  check_targets_trust(signed_parts.key_id, devices, "the bundle");
  RolloutSpec spec;
  spec.model_version = payload.bundle.version;
  return spec;
}

RolloutSpec RolloutEngine::check_rotation(const RolloutStartRequest &request, Payload &payload,
                                          std::vector<std::string> &devices) {
  KeyRotationContents rotation;
  try {
    rotation = decode_key_rotation(request.payload);
  } catch (const std::exception &error) {
    throw RolloutRequestError(Kind::kBadRequest, error.what(), "bad_rotation");
  }
  payload.rotation = request.payload;
  check_signer(rotation.signer_key_id, rotation.rotation_digest, rotation.signature,
               "the key rotation");
  if (!signature_valid(rotation.add_public_key, rotation.rotation_digest,
                       rotation.new_key_signature)) {
    throw RolloutRequestError(Kind::kBadRequest,
                              "the key rotation: the new key " + key_id_text(rotation.add_key_id) +
                                  " did not sign it (devices want that proof that it has a "
                                  "holder)",
                              "bad_signature");
  }
  if (rotation.add_key_id == rotation.signer_key_id) {
    throw RolloutRequestError(
        Kind::kBadRequest,
        "the key rotation adds its own signer " + key_id_text(rotation.add_key_id), "bad_rotation");
  }
  if (const auto added = store_.fleet_key(rotation.add_key_id); added && added->distrusted_ms) {
    throw RolloutRequestError(Kind::kBadRequest,
                              "the key rotation adds key " + key_id_text(rotation.add_key_id) +
                                  ", retired at the gateway on " +
                                  iso8601_utc(*added->distrusted_ms),
                              "untrusted_key");
  }
  if (rotation.retire_key_id && !store_.fleet_key(*rotation.retire_key_id)) {
    throw RolloutRequestError(Kind::kBadRequest,
                              "the key rotation retires key " +
                                  key_id_text(*rotation.retire_key_id) +
                                  ", which the gateway does not know (sottoctl keys list)",
                              "bad_rotation");
  }
  const int64_t last = store_.last_key_list_version();
  if (rotation.key_list_version <= last) {
    throw RolloutRequestError(Kind::kConflict,
                              "the key rotation's key_list_version " +
                                  std::to_string(rotation.key_list_version) + " is not above " +
                                  std::to_string(last) +
                                  ", the last this gateway sent: devices that took that one "
                                  "would refuse it (sign it with " +
                                  std::to_string(last + 1) + ")",
                              "version_not_newer");
  }
  devices = target_devices(request);
  check_targets_trust(rotation.signer_key_id, devices, "the key rotation");
  RolloutSpec spec;
  spec.model_version = rotation.key_list_version;
  spec.adds_key_id = rotation.add_key_id;
  spec.adds_public_key = rotation.add_public_key;
  spec.retires_key_id = rotation.retire_key_id;
  return spec;
}

}  // namespace sotto::gw
