/* The platform hooks sotto_mbedtls_tls_config.h names besides calloc/free, part of the TLS
 * build of mbedTLS itself (whatever allocator the image brings). */
#include <stddef.h>

#include "mbedtls/platform.h"

/* Only x509's text helpers (names for logs) format; firmware gets no text instead of libc's
 * printf machinery. */
int sotto_mbedtls_tls_snprintf(char *s, size_t n, const char *format, ...) {
  (void)format;
  if (n > 0) {
    s[0] = '\0';
  }
  return -1;
}

/* mbedtls_exit: only called when mbedTLS's buffer allocator finds its pool corrupted. A trap
 * ends the program (the port's fault handler reports it) instead of pulling in libc's exit(). */
void sotto_mbedcrypto_halt(int status) {
  (void)status;
  __builtin_trap();
}
