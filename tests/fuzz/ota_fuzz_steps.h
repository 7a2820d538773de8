// The step format of ota_update_fuzz.cpp, shared with the seed writer (fuzz_seeds.cpp): an
// input is a list of steps [op][len][len bytes], op taken modulo kOtaOpCount.
#ifndef SOTTO_TESTS_FUZZ_OTA_FUZZ_STEPS_H
#define SOTTO_TESTS_FUZZ_OTA_FUZZ_STEPS_H

#include <stdint.h>

#include "sotto/ota.h"

namespace sotto::fuzz {

enum OtaOp : uint8_t {
  kSignedOffer = 0,  // [rollout_id][chunk_bytes - 16][Manifest bytes...], signed by the target
  kRawOffer = 1,     // OtaOffer bytes
  kRawChunk = 2,     // OtaChunk bytes
  kNextChunk = 3,    // chunk data for the running update at its next offset
  kRawEnvelope = 4,  // SignedManifest bytes into sotto_ota_verify_envelope
  kReboot = 5,       // restore power, init again
  kCutPower = 6,     // [n]: n more storage writes/erases succeed
  kOtaOpCount = 7
};

constexpr uint8_t kOtaDeviceClass = 3;

// The generator point G: a valid key, so the key id is fixed and the signature check runs.
constexpr uint8_t kOtaPublicKey[SOTTO_OTA_PUBLIC_KEY_BYTES] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
    0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4,
    0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a,
    0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33,
    0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

}  // namespace sotto::fuzz

#endif  // SOTTO_TESTS_FUZZ_OTA_FUZZ_STEPS_H
