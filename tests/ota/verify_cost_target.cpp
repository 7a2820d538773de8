// On-target benchmark (Cortex-M4 / RV32 under QEMU -icount): what an update costs the device to
// verify, in instructions. The two checks of every update: the manifest's ECDSA P-256 signature
// (sotto_ecdsa_p256_verify over the manifest digest) and the SHA-256 of a 64 KB model, hashed in
// 1 KB pieces as the updater reads a slot. Prints "name instructions" lines for
// deploy/bench-ota.sh; exits 1 if the signature does not verify.
#include <string.h>

#include "crypto/ecdsa_p256.h"
#include "crypto/sha256.h"
#include "sotto/port_target.h"

namespace {

// The openssl-made vector of tests/target/crypto_test.cpp (prime256v1, SHA-256 of
// "sotto model v7").
const uint8_t kDigest[32] = {
    0xa6, 0xfb, 0x49, 0x46, 0x98, 0x47, 0xc2, 0xcd, 0x65, 0x30, 0xdc, 0xc4, 0x80, 0x33, 0x89, 0x56,
    0x59, 0x38, 0x07, 0xb3, 0xbd, 0xcb, 0xbb, 0x31, 0x94, 0x99, 0xc6, 0xf4, 0xc1, 0x3d, 0x00, 0xb5,
};
const uint8_t kPublicKey[SOTTO_P256_PUBLIC_KEY_BYTES] = {
    0x04, 0x2b, 0x69, 0x54, 0xad, 0x1e, 0xe1, 0xee, 0x72, 0x46, 0x0a, 0x8c, 0xc9,
    0x6a, 0xf0, 0xc4, 0xe7, 0xba, 0xda, 0x23, 0xeb, 0x20, 0x6c, 0xe3, 0xf5, 0xca,
    0xe9, 0x9f, 0x28, 0xba, 0x27, 0x63, 0xe4, 0x73, 0x13, 0x8a, 0x15, 0xe1, 0xa4,
    0x31, 0x51, 0x7d, 0x03, 0x61, 0x70, 0xc5, 0xd1, 0x9b, 0x65, 0x0e, 0x7b, 0xa9,
    0xd9, 0xde, 0xb4, 0x17, 0x79, 0x75, 0x9d, 0xfa, 0x85, 0xfc, 0xb4, 0x9e, 0x49,
};
const uint8_t kSignature[SOTTO_P256_SIGNATURE_BYTES] = {
    0x45, 0x77, 0xed, 0x2f, 0x83, 0xb9, 0xcc, 0x16, 0x17, 0xf4, 0xd5, 0x14, 0x46, 0x6b, 0xdc, 0x7e,
    0x67, 0xd4, 0x88, 0x58, 0x30, 0xfe, 0xe8, 0xc6, 0xe5, 0x0d, 0xf8, 0xd0, 0xad, 0x33, 0x53, 0x6b,
    0x63, 0x05, 0x0d, 0x60, 0xf1, 0x9c, 0x1b, 0xdc, 0xb1, 0x11, 0x90, 0x6c, 0x4f, 0x35, 0x30, 0x47,
    0x29, 0x41, 0x8a, 0x15, 0x18, 0xfd, 0xb1, 0x3e, 0x4a, 0x58, 0xc8, 0x8e, 0xfd, 0x91, 0x11, 0xe6,
};

constexpr uint32_t kModelBytes = 64 * 1024;
constexpr uint32_t kPieceBytes = 1024;

void write_count(const char *name, uint64_t value) {
  char text[24];
  char *p = text + sizeof text - 1;
  *p = '\0';
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  sotto_port_write(name);
  sotto_port_write(" ");
  sotto_port_write(p);
  sotto_port_write("\n");
}

}  // namespace

int main(void) {
  static uint8_t piece[kPieceBytes];
  for (uint32_t i = 0; i < kPieceBytes; ++i) {
    piece[i] = static_cast<uint8_t>(i * 31u + 7u);
  }
  uint64_t start = sotto_port_instructions();
  const int verified = sotto_ecdsa_p256_verify(kPublicKey, kDigest, kSignature);
  const uint64_t verify_instructions = sotto_port_instructions() - start;

  uint8_t digest[SOTTO_SHA256_BYTES];
  start = sotto_port_instructions();
  sotto_sha256_t sha;
  sotto_sha256_start(&sha);
  for (uint32_t offset = 0; offset < kModelBytes; offset += kPieceBytes) {
    piece[0] = static_cast<uint8_t>(offset >> 10);  // every piece differs, as a model's do
    sotto_sha256_update(&sha, piece, sizeof piece);
  }
  sotto_sha256_finish(&sha, digest);
  const uint64_t sha_instructions = sotto_port_instructions() - start;

  write_count("ecdsa_p256_verify_instructions", verify_instructions);
  write_count("sha256_64k_instructions", sha_instructions);
  sotto_port_exit(verified == 1 ? 0 : 1);
}
