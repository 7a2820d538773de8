// Crypto shim: SHA-256. One backend is chosen in CMake (SOTTO_OTA_CRYPTO_MBEDTLS); the update
// engine only sees these inline functions, so another backend is a new #elif, not an edit.
#ifndef SOTTO_OTA_CRYPTO_SHA256_H
#define SOTTO_OTA_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SOTTO_SHA256_BYTES 32

#if defined(SOTTO_OTA_CRYPTO_MBEDTLS)
#include <mbedtls/sha256.h>

typedef mbedtls_sha256_context sotto_sha256_t;

static inline void sotto_sha256_start(sotto_sha256_t *ctx) {
  mbedtls_sha256_init(ctx);
  (void)mbedtls_sha256_starts_ret(ctx, 0);  // 0 = SHA-256, not SHA-224; cannot fail
}

static inline void sotto_sha256_update(sotto_sha256_t *ctx, const uint8_t *data, size_t len) {
  (void)mbedtls_sha256_update_ret(ctx, data, len);  // fails only with hardware accelerators
}

static inline void sotto_sha256_finish(sotto_sha256_t *ctx, uint8_t out[SOTTO_SHA256_BYTES]) {
  (void)mbedtls_sha256_finish_ret(ctx, out);
  mbedtls_sha256_free(ctx);
}
#else
#error "choose a crypto backend: define SOTTO_OTA_CRYPTO_MBEDTLS"
#endif

static inline void sotto_sha256(const uint8_t *data, size_t len, uint8_t out[SOTTO_SHA256_BYTES]) {
  sotto_sha256_t ctx;
  sotto_sha256_start(&ctx);
  sotto_sha256_update(&ctx, data, len);
  sotto_sha256_finish(&ctx, out);
}

#endif  // SOTTO_OTA_CRYPTO_SHA256_H
