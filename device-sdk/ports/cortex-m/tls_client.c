/* The Cortex-M port's TLS client (sotto/port_tls.h): mbedTLS's TLS 1.2 client over the
 * integrator's byte callbacks, with the recommended suite only and the fleet CA required. */
#include "sotto/port_tls.h"

#include <string.h>

#include "mbedtls/ssl_ciphersuites.h"

static const int kSuites[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0};
static const char kPersonalization[] = "sotto tls client";

static sotto_err_t failed(sotto_tls_client_t *client, int mbedtls_error, sotto_err_t reason) {
  client->last_mbedtls_error = mbedtls_error;
  return reason;
}

sotto_err_t sotto_tls_client_init(sotto_tls_client_t *client,
                                  const sotto_tls_client_config_t *config) {
  if (client == NULL || config == NULL || config->ca_der == NULL || config->entropy == NULL ||
      config->send == NULL || config->recv == NULL || config->server_name == NULL) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memset(client, 0, sizeof *client);
  mbedtls_ssl_init(&client->ssl);
  mbedtls_ssl_config_init(&client->conf);
  mbedtls_x509_crt_init(&client->ca);
  mbedtls_x509_crt_init(&client->cert);
  mbedtls_pk_init(&client->key);
  mbedtls_ctr_drbg_init(&client->drbg);

  int rc = mbedtls_x509_crt_parse_der(&client->ca, config->ca_der, config->ca_der_len);
  if (rc == 0 && config->cert_der != NULL) {
    rc = mbedtls_x509_crt_parse_der(&client->cert, config->cert_der, config->cert_der_len);
    if (rc == 0) {
      rc = mbedtls_pk_parse_key(&client->key, config->key_der, config->key_der_len, NULL, 0);
    }
    if (rc == 0) {
      rc = mbedtls_pk_check_pair(&client->cert.pk, &client->key);
    }
  }
  if (rc != 0) {
    return failed(client, rc, SOTTO_ERR_TLS_CREDENTIALS);
  }
  rc = mbedtls_ctr_drbg_seed(&client->drbg, config->entropy, config->entropy_ctx,
                             (const unsigned char *)kPersonalization, sizeof kPersonalization - 1);
  if (rc == 0) {
    rc = mbedtls_ssl_config_defaults(&client->conf, MBEDTLS_SSL_IS_CLIENT,
                                     MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  }
  if (rc != 0) {
    return failed(client, rc, SOTTO_ERR_TLS_HANDSHAKE);
  }
  mbedtls_ssl_conf_min_version(&client->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3); /* TLS 1.2 */
  mbedtls_ssl_conf_ciphersuites(&client->conf, kSuites);
  mbedtls_ssl_conf_authmode(&client->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(&client->conf, &client->ca, NULL);
  mbedtls_ssl_conf_rng(&client->conf, mbedtls_ctr_drbg_random, &client->drbg);
  if (config->cert_der != NULL) {
    rc = mbedtls_ssl_conf_own_cert(&client->conf, &client->cert, &client->key);
  }
  if (rc == 0) {
    rc = mbedtls_ssl_setup(&client->ssl, &client->conf);
  }
  if (rc == 0) {
    rc = mbedtls_ssl_set_hostname(&client->ssl, config->server_name);
  }
  if (rc != 0) {
    return failed(client, rc, SOTTO_ERR_TLS_HANDSHAKE);
  }
  mbedtls_ssl_set_bio(&client->ssl, config->io_ctx, config->send, config->recv, NULL);
  return SOTTO_OK;
}

static sotto_err_t io_result(sotto_tls_client_t *client, int rc) {
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
    return SOTTO_ERR_TLS_WANT_IO;
  }
  if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == 0) {
    return failed(client, rc, SOTTO_ERR_TLS_CLOSED);
  }
  return failed(client, rc, SOTTO_ERR_TLS_HANDSHAKE);
}

sotto_err_t sotto_tls_client_handshake(sotto_tls_client_t *client) {
  if (client == NULL) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  int rc = mbedtls_ssl_handshake(&client->ssl);
  if (rc == 0) {
    return SOTTO_OK;
  }
  if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
    return failed(client, rc, SOTTO_ERR_TLS_PEER_CERT);
  }
  return io_result(client, rc);
}

sotto_err_t sotto_tls_client_write(sotto_tls_client_t *client, const uint8_t *data, size_t len,
                                   size_t *written) {
  if (client == NULL || (data == NULL && len > 0) || written == NULL) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  *written = 0;
  int rc = mbedtls_ssl_write(&client->ssl, data, len);
  if (rc > 0) {
    *written = (size_t)rc;
    return SOTTO_OK;
  }
  return io_result(client, rc);
}

sotto_err_t sotto_tls_client_read(sotto_tls_client_t *client, uint8_t *out, size_t size,
                                  size_t *read) {
  if (client == NULL || out == NULL || read == NULL) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  *read = 0;
  int rc = mbedtls_ssl_read(&client->ssl, out, size);
  if (rc > 0) {
    *read = (size_t)rc;
    return SOTTO_OK;
  }
  return io_result(client, rc);
}

void sotto_tls_client_free(sotto_tls_client_t *client) {
  if (client == NULL) {
    return;
  }
  (void)mbedtls_ssl_close_notify(&client->ssl);
  mbedtls_ssl_free(&client->ssl);
  mbedtls_ssl_config_free(&client->conf);
  mbedtls_ctr_drbg_free(&client->drbg);
  mbedtls_pk_free(&client->key);
  mbedtls_x509_crt_free(&client->cert);
  mbedtls_x509_crt_free(&client->ca);
}
