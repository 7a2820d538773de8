/* sotto device SDK: the device's identity for the fleet's PKI. The device makes its own key pair
 * (held by the integrator's identity port, sotto/port.h) and sends a PKCS#10 certificate signing
 * request; the operator's CA (`sottoctl device enroll`) answers with the certificate the device
 * then presents to the broker. The private key never leaves the device.
 *
 * The request (DER): subject CN = the device id, a subjectAltName extension with the URI
 * sotto://<site>/<device id>, the port's public key (id-ecPublicKey, prime256v1), signed with
 * ecdsa-with-SHA256 by the port. Built with mbedTLS's ASN.1 writer, no heap. */
#ifndef SOTTO_IDENTITY_H
#define SOTTO_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"
#include "sotto/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Worst case of sotto_identity_build_csr: 32-character site and device ids, and r and s that
 * each need a leading zero byte in DER. */
#define SOTTO_IDENTITY_CSR_MAX_BYTES 338

/* Writes the request into out (out_size bytes; SOTTO_IDENTITY_CSR_MAX_BYTES is always enough).
 * INVALID_ARGUMENT: NULL pointers, a site or device id not matching [a-z0-9][a-z0-9-]{0,31}, or a
 * public key from the port that is not a P-256 point; NOT_CONFIGURED: the port lacks a function;
 * BUFFER_TOO_SMALL; or the port's own error from public_key or sign_digest. */
sotto_err_t sotto_identity_build_csr(const sotto_identity_port_t *identity, const char *site,
                                     const char *device_id, uint8_t *out, size_t out_size,
                                     size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_IDENTITY_H */
