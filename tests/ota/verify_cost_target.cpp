// On-target benchmark (Cortex-M4 / RV32 under QEMU -icount): what an update costs the device to
// verify, in instructions. The two checks of every update: the manifest's ECDSA P-256 signature
// (sotto_ecdsa_p256_verify over the manifest digest) and the SHA-256 of a 64 KB model, hashed in
// 1 KB pieces as the updater reads a slot. Prints "name instructions" lines for
// deploy/bench-ota.sh; exits 1 if the signature does not verify.
#include <string.h>

#include "crypto/ecdsa_p256.h"
#include "crypto/sha256.h"
#include "p256_test_vector.h"
#include "sotto/port_target.h"
#include "write_int.h"

namespace {

constexpr uint32_t kModelBytes = 64 * 1024;
constexpr uint32_t kPieceBytes = 1024;

void write_count(const char *name, uint64_t value) {
  sotto_port_write(name);
  sotto_port_write(" ");
  sotto_test_write_int(static_cast<int64_t>(value));
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
