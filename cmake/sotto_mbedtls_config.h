/* mbedTLS 2.28 configuration for sotto's device builds (cmake/SottoCross.cmake): only what
 * OTA verification needs (SHA-256 and ECDSA P-256 verify). Big numbers are allocated through
 * mbedTLS's own buffer allocator over a static pool (sotto_mbedcrypto_pool.c), never the heap. */
#ifndef SOTTO_MBEDTLS_CONFIG_H
#define SOTTO_MBEDTLS_CONFIG_H

#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_STD_CALLOC sotto_mbedcrypto_first_calloc
#define MBEDTLS_PLATFORM_STD_FREE sotto_mbedcrypto_unused_free
#define MBEDTLS_PLATFORM_EXIT_MACRO sotto_mbedcrypto_halt /* only on heap corruption */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_NO_INTERNAL_RNG /* verify needs no blinding RNG */
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0

#include <stddef.h>
void *sotto_mbedcrypto_first_calloc(size_t count, size_t size);
void sotto_mbedcrypto_unused_free(void *ptr);
void sotto_mbedcrypto_halt(int status) __attribute__((noreturn));

#include "mbedtls/check_config.h"

#endif /* SOTTO_MBEDTLS_CONFIG_H */
