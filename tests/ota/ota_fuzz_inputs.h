// The OTA fuzz harnesses' input formats and entry points, and seed inputs with the outcome each
// reaches. The seeds are signed by the harness device's key (fuzz_keys.h), so they get past the
// signature check into the content checks; sotto_fuzz_seeds writes them as the libFuzzer
// corpora and ota_fuzz_replay_test checks that each still reaches its outcome.
//
// Input: one selector byte (taken modulo the harness's count), then the bytes for that decoder.
#ifndef SOTTO_TESTS_OTA_FUZZ_INPUTS_H
#define SOTTO_TESTS_OTA_FUZZ_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <vector>

#include "sotto/error.h"

namespace sotto::fuzz {

enum EnvelopeSelector : uint8_t {
  kSelectEnvelope = 0,        // SignedManifest bytes into sotto_ota_verify_envelope
  kSelectOffer = 1,           // OtaOffer bytes into sotto_ota_handle_offer
  kSelectChunk = 2,           // OtaChunk bytes into sotto_ota_handle_chunk
  kSelectSignedManifest = 3,  // Manifest bytes, signed here by device_key(), into verify_envelope
  kEnvelopeSelectors = 4
};

enum RotationSelector : uint8_t {
  kSelectRotation = 0,        // SignedKeyRotation bytes into sotto_ota_rotate_keys
  kSelectRotationOffer = 1,   // KeyRotationOffer bytes into sotto_ota_handle_key_rotation
  kSelectSignedRotation = 2,  // KeyRotation bytes, signed here by device_key() (and added_key()'s
                              // proof), into sotto_ota_rotate_keys
  kRotationSelectors = 3
};

// Harness devices: class 3, provisioned with device_key(), slots of this many bytes.
constexpr uint8_t kFuzzDeviceClass = 3;
constexpr uint32_t kFuzzSlotBytes = 1024;

// One run of each harness on a blank device: the SDK's answer (libFuzzer ignores it).
sotto_err_t envelope_fuzz_one(const uint8_t *data, size_t size);
sotto_err_t key_rotation_fuzz_one(const uint8_t *data, size_t size);

struct FuzzSeed {
  std::string name;
  std::vector<uint8_t> input;  // selector byte first
  sotto_err_t outcome;         // what the harness answers for it
};

std::vector<FuzzSeed> envelope_seeds();
std::vector<FuzzSeed> key_rotation_seeds();

}  // namespace sotto::fuzz

#endif  // SOTTO_TESTS_OTA_FUZZ_INPUTS_H
