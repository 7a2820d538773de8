// On-target: the OTA crypto shim (device-sdk/src/ota/crypto) over the device mbedTLS build
// (sotto_mbedcrypto: SHA-256 + ECDSA P-256 verify from a static pool, no heap), on the openssl
// vector of p256_test_vector.h.
#include "crypto/ecdsa_p256.h"
#include "crypto/sha256.h"
#include "p256_test_vector.h"
#include "sotto_test.h"

static void sha256_matches_openssl(void) {
  uint8_t digest[32];
  sotto_sha256(reinterpret_cast<const uint8_t *>(kMessage), sizeof kMessage - 1, digest);
  CHECK_BYTES(digest, kDigest, 32);
}

static void ecdsa_accepts_the_signature(void) {
  CHECK_EQ(sotto_ecdsa_p256_verify(kPublicKey, kDigest, kSignature), 1);
  // Repeated: the static pool is returned in full after every verification.
  CHECK_EQ(sotto_ecdsa_p256_verify(kPublicKey, kDigest, kSignature), 1);
}

static void ecdsa_rejects_tampering(void) {
  uint8_t digest[32];
  memcpy(digest, kDigest, sizeof digest);
  digest[31] ^= 1;
  CHECK_EQ(sotto_ecdsa_p256_verify(kPublicKey, digest, kSignature), 0);
  uint8_t signature[SOTTO_P256_SIGNATURE_BYTES];
  memcpy(signature, kSignature, sizeof signature);
  signature[40] ^= 0x80;
  CHECK_EQ(sotto_ecdsa_p256_verify(kPublicKey, kDigest, signature), 0);
  uint8_t key[SOTTO_P256_PUBLIC_KEY_BYTES];
  memcpy(key, kPublicKey, sizeof key);
  key[64] ^= 1;  // no longer on the curve
  CHECK_EQ(sotto_ecdsa_p256_verify(key, kDigest, kSignature), 0);
}

SOTTO_TESTS_BEGIN
SOTTO_TEST(sha256_matches_openssl)
SOTTO_TEST(ecdsa_accepts_the_signature)
SOTTO_TEST(ecdsa_rejects_tampering)
SOTTO_TESTS_END
