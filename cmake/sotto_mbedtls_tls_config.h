/* mbedTLS 2.28 configuration for firmware that talks TLS (cmake/SottoCross.cmake builds
 * sotto_mbedtls_tls with it, Cortex-M4 only): TLS 1.2 client (and server, for the benchmark's
 * peer) with the one suite we recommend, TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256, P-256 keys
 * and certificates in DER. Kept apart from sotto_mbedtls_config.h so that firmware without TLS
 * (the OTA image) keeps its size. Allocations go through MBEDTLS_PLATFORM_STD_CALLOC to a
 * static pool (sotto_mbedtls_tls_pool.c), never the heap. No clock: certificate validity dates
 * are not checked (MBEDTLS_HAVE_TIME_DATE off); a product with a trusted clock turns it on. */
#ifndef SOTTO_MBEDTLS_TLS_CONFIG_H
#define SOTTO_MBEDTLS_TLS_CONFIG_H

#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_STD_CALLOC sotto_mbedtls_tls_first_calloc
#define MBEDTLS_PLATFORM_STD_FREE sotto_mbedtls_tls_unused_free
#define MBEDTLS_PLATFORM_EXIT_MACRO sotto_mbedcrypto_halt          /* only on heap corruption */
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO sotto_mbedtls_tls_snprintf /* x509 names, never used */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C

/* Public-key crypto: ECDHE and ECDSA on P-256. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C

/* Symmetric crypto and hashes: AES-128-GCM, SHA-256, a CTR_DRBG over the port's entropy. */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_CTR_DRBG_C

/* TLS 1.2 only, one suite, small records. */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_CIPHERSUITES MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
#define MBEDTLS_SSL_IN_CONTENT_LEN 2048
#define MBEDTLS_SSL_OUT_CONTENT_LEN 2048
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH

#include <stddef.h>
void *sotto_mbedtls_tls_first_calloc(size_t count, size_t size);
void sotto_mbedtls_tls_unused_free(void *ptr);
void sotto_mbedcrypto_halt(int status) __attribute__((noreturn));
int sotto_mbedtls_tls_snprintf(char *s, size_t n, const char *format, ...);

#include "mbedtls/check_config.h"

#endif /* SOTTO_MBEDTLS_TLS_CONFIG_H */
