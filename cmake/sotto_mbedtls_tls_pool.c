/* The static memory pool behind mbedTLS's allocations in TLS firmware (sotto_mbedtls_tls; no
 * heap): on first use it hands a static buffer to mbedTLS's buffer allocator, which then serves
 * every calloc/free. Its size is SOTTO_MBEDTLS_TLS_POOL_BYTES (default below): the TLS benchmark
 * (deploy/bench.sh tls) measures what one client's handshake and records really take. */
#include <stddef.h>

#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/platform.h"

#ifndef SOTTO_MBEDTLS_TLS_POOL_BYTES
#define SOTTO_MBEDTLS_TLS_POOL_BYTES 16384 /* the benchmark's client peaks at 11,660 B */
#endif

static unsigned char pool[SOTTO_MBEDTLS_TLS_POOL_BYTES];

void *sotto_mbedtls_tls_first_calloc(size_t count, size_t size) {
  mbedtls_memory_buffer_alloc_init(pool, sizeof pool); /* replaces mbedtls_calloc/free */
  return mbedtls_calloc(count, size);
}

void sotto_mbedtls_tls_unused_free(void *ptr) {
  (void)ptr; /* nothing is allocated before init */
}
