/* The static memory pool behind mbedTLS's allocations on devices (no heap): on first use it
 * hands a static buffer to mbedTLS's buffer allocator, which then serves every calloc/free. */
#include <stddef.h>

#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/platform.h"

/* ECDSA P-256 verify with a window of 2 peaks well below this. */
static unsigned char pool[6144];

void *sotto_mbedcrypto_first_calloc(size_t count, size_t size) {
  mbedtls_memory_buffer_alloc_init(pool, sizeof pool); /* replaces mbedtls_calloc/free */
  return mbedtls_calloc(count, size);
}

void sotto_mbedcrypto_unused_free(void *ptr) {
  (void)ptr; /* nothing is allocated before init */
}

/* mbedtls_exit: only called when the allocator finds its pool corrupted. A trap ends the
 * program (the port's fault handler reports it) instead of pulling in libc's exit(). */
void sotto_mbedcrypto_halt(int status) {
  (void)status;
  __builtin_trap();
}
