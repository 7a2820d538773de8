/* sotto Cortex-M port: a TLS 1.2 client over the port's byte transport, with mbedTLS
 * (sotto_mbedtls_tls, cmake/sotto_mbedtls_tls_config.h: TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256,
 * P-256). It never touches a socket: the integrator moves bytes between its link (cellular
 * modem, Wi-Fi chip, UART) and the two callbacks, so the same code runs over any transport,
 * including the memory buffers of the benchmark (tests/tls). Non-blocking: every call returns
 * SOTTO_ERR_TLS_WANT_IO when it needs bytes that have not arrived yet; call it again after
 * moving bytes. Memory: the caller's sotto_tls_client_t plus mbedTLS's static pool
 * (sotto_mbedtls_tls_pool); no heap. What a transport must do for TLS: sotto/port.h. */
#ifndef SOTTO_PORT_TLS_H
#define SOTTO_PORT_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"
#include "sotto/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sotto_tls_client_config {
  const uint8_t *ca_der; /* the fleet CA that signed the broker's certificate (DER) */
  size_t ca_der_len;
  const uint8_t *cert_der; /* this device's certificate (DER), for brokers that require one */
  size_t cert_der_len;
  const uint8_t *key_der; /* its private key (DER, SEC1 or PKCS#8) */
  size_t key_der_len;
  const char *server_name; /* must match the broker certificate's name; also sent as SNI */
  /* Entropy for the CTR_DRBG that feeds the handshake: a hardware TRNG. Returns 0 on success. */
  int (*entropy)(void *ctx, unsigned char *out, size_t len);
  void *entropy_ctx;
  /* The byte transport: send returns how many bytes it took (> 0) or MBEDTLS_ERR_SSL_WANT_WRITE;
   * recv returns how many it gave (> 0), MBEDTLS_ERR_SSL_WANT_READ when none has arrived, or 0
   * when the link closed. */
  int (*send)(void *ctx, const unsigned char *buf, size_t len);
  int (*recv)(void *ctx, unsigned char *buf, size_t len);
  void *io_ctx;
} sotto_tls_client_config_t;

/* Allocated by the caller (static); every field is private. */
typedef struct sotto_tls_client {
  mbedtls_ssl_context ssl;
  mbedtls_ssl_config conf;
  mbedtls_x509_crt ca;
  mbedtls_x509_crt cert;
  mbedtls_pk_context key;
  mbedtls_ctr_drbg_context drbg;
  int last_mbedtls_error; /* for logs: the mbedTLS code behind the last failure */
} sotto_tls_client_t;

/* Parses the credentials and prepares a connection. TLS_CREDENTIALS when the CA, certificate or
 * key does not parse or the key does not match the certificate; INVALID_ARGUMENT for missing
 * callbacks or name; TLS_HANDSHAKE when mbedTLS cannot be set up (pool too small). */
sotto_err_t sotto_tls_client_init(sotto_tls_client_t *client,
                                  const sotto_tls_client_config_t *config);
/* Advances the handshake: OK once done, TLS_WANT_IO while waiting for bytes, TLS_PEER_CERT when
 * the broker's certificate does not verify, TLS_HANDSHAKE for any other failure. */
sotto_err_t sotto_tls_client_handshake(sotto_tls_client_t *client);
/* Encrypts and sends len bytes (*written: how many were taken), or reads up to size decrypted
 * bytes (*read). TLS_WANT_IO, TLS_CLOSED, TLS_HANDSHAKE for a broken connection. */
sotto_err_t sotto_tls_client_write(sotto_tls_client_t *client, const uint8_t *data, size_t len,
                                   size_t *written);
sotto_err_t sotto_tls_client_read(sotto_tls_client_t *client, uint8_t *out, size_t size,
                                  size_t *read);
/* Sends close_notify (best effort) and frees what mbedTLS allocated from its pool. */
void sotto_tls_client_free(sotto_tls_client_t *client);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_PORT_TLS_H */
