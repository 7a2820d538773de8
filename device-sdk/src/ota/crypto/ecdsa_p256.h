// Crypto shim: ECDSA P-256 signature verification over a SHA-256 digest, and the public key
// check. Keys are uncompressed points (0x04 || X || Y, 65 bytes); signatures raw r || s (64
// bytes, big-endian).
#ifndef SOTTO_OTA_CRYPTO_ECDSA_P256_H
#define SOTTO_OTA_CRYPTO_ECDSA_P256_H

#include <stddef.h>
#include <stdint.h>

#define SOTTO_P256_PUBLIC_KEY_BYTES 65
#define SOTTO_P256_SIGNATURE_BYTES 64

#if defined(SOTTO_OTA_CRYPTO_MBEDTLS)
#include <mbedtls/ecdsa.h>

// 1 when public_key is a point on P-256 (what a device may be asked to trust), else 0.
static inline int sotto_ecdsa_p256_key_valid(
    const uint8_t public_key[SOTTO_P256_PUBLIC_KEY_BYTES]) {
  mbedtls_ecp_group group;
  mbedtls_ecp_point point;
  mbedtls_ecp_group_init(&group);
  mbedtls_ecp_point_init(&point);
  int ok =
      mbedtls_ecp_group_load(&group, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
      mbedtls_ecp_point_read_binary(&group, &point, public_key, SOTTO_P256_PUBLIC_KEY_BYTES) == 0 &&
      mbedtls_ecp_check_pubkey(&group, &point) == 0;
  mbedtls_ecp_point_free(&point);
  mbedtls_ecp_group_free(&group);
  return ok;
}

// 1 when the signature verifies, 0 for a bad signature or an invalid key (never trusted).
static inline int sotto_ecdsa_p256_verify(const uint8_t public_key[SOTTO_P256_PUBLIC_KEY_BYTES],
                                          const uint8_t digest[32],
                                          const uint8_t signature[SOTTO_P256_SIGNATURE_BYTES]) {
  mbedtls_ecp_group group;
  mbedtls_ecp_point point;
  mbedtls_mpi r;
  mbedtls_mpi s;
  mbedtls_ecp_group_init(&group);
  mbedtls_ecp_point_init(&point);
  mbedtls_mpi_init(&r);
  mbedtls_mpi_init(&s);
  int ok =
      mbedtls_ecp_group_load(&group, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
      mbedtls_ecp_point_read_binary(&group, &point, public_key, SOTTO_P256_PUBLIC_KEY_BYTES) == 0 &&
      mbedtls_ecp_check_pubkey(&group, &point) == 0 &&
      mbedtls_mpi_read_binary(&r, signature, 32) == 0 &&
      mbedtls_mpi_read_binary(&s, signature + 32, 32) == 0 &&
      mbedtls_ecdsa_verify(&group, digest, 32, &point, &r, &s) == 0;
  mbedtls_mpi_free(&s);
  mbedtls_mpi_free(&r);
  mbedtls_ecp_point_free(&point);
  mbedtls_ecp_group_free(&group);
  return ok;
}
#else
#error "choose a crypto backend: define SOTTO_OTA_CRYPTO_MBEDTLS"
#endif

#endif  // SOTTO_OTA_CRYPTO_ECDSA_P256_H
