/* Flash probe for the TLS build (tests/tls/target.cmake): with SOTTO_FLASH_PROBE_TLS the image
 * runs a client connection the way firmware would (init, handshake, write, read, free over the
 * transport's callbacks, credentials in flash, mbedTLS's product pool); without it, the same
 * program minus TLS. flash(TLS) = size(with) - size(without), static RAM likewise. Built, never
 * run. */
#include <stddef.h>
#include <stdint.h>

#include "sotto/port_target.h"

#ifdef SOTTO_FLASH_PROBE_TLS
#include "mbedtls/ssl.h"
#include "sotto/port_tls.h"
#include "tls_target_data.h"

static sotto_tls_client_t client;

static int no_bytes(void *ctx, unsigned char *buf, size_t len) {
  (void)ctx;
  (void)buf;
  (void)len;
  return MBEDTLS_ERR_SSL_WANT_READ;
}
static int take_bytes(void *ctx, const unsigned char *buf, size_t len) {
  (void)ctx;
  (void)buf;
  return (int)len;
}
static int entropy(void *ctx, unsigned char *out, size_t len) {
  (void)ctx;
  for (size_t i = 0; i < len; ++i) {
    out[i] = (unsigned char)sotto_port_instructions();
  }
  return 0;
}

static int run(void) {
  sotto_tls_client_config_t config = {
      kCaCert,  sizeof kCaCert, kDeviceCert, sizeof kDeviceCert, kDeviceKey, sizeof kDeviceKey,
      "broker", entropy,        NULL,        take_bytes,         no_bytes,   NULL};
  if (sotto_tls_client_init(&client, &config) != SOTTO_OK ||
      sotto_tls_client_handshake(&client) != SOTTO_OK) {
    return 1;
  }
  uint8_t buffer[64] = {0};
  size_t moved = 0;
  int failed = sotto_tls_client_write(&client, buffer, sizeof buffer, &moved) != SOTTO_OK ||
               sotto_tls_client_read(&client, buffer, sizeof buffer, &moved) != SOTTO_OK;
  sotto_tls_client_free(&client);
  return failed;
}
#else
static int run(void) {
  return (int)(sotto_port_instructions() & 1u);
}
#endif

int main(void) {
  return run();
}
