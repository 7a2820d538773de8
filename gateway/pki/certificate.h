// X.509 certificates of the fleet PKI, made with libcrypto: ECDSA P-256 keys, certificates for
// each role with the extensions that role needs, PEM in and out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "openssl_ptr.h"

namespace sotto::gw::pki {

// What the certificate may be used for. Roles decide basicConstraints, keyUsage and
// extendedKeyUsage, so a device certificate can never sign others or pass as the broker.
enum class CertificateRole {
  kFleetCa,  // signs every other certificate and the CRL
  kDevice,   // a TLS client (the broker checks it); subject CN = device id
  kGateway,  // sottod: a TLS client to the broker and a TLS server for the HTTP API
  kBroker,   // mosquitto's server certificate
};

struct CertificateSpec {
  CertificateRole role = CertificateRole::kDevice;
  std::string common_name;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries, as text
  std::vector<std::string> uris;          // subjectAltName URI entries (sotto://SITE/DEVICE)
  int64_t not_before_s = 0;               // Unix seconds
  int64_t not_after_s = 0;
};

// Certificates start this long before they are issued, for peers whose clock runs behind.
constexpr int64_t kClockSkewAllowanceS = 300;

KeyPtr generate_p256_key();
bool is_p256_key(EVP_PKEY *key);

// Signs spec for subject_key with issuer_key; issuer null means self-signed (the fleet CA).
// The serial is 127 random bits. Throws std::runtime_error naming what OpenSSL refused.
CertificatePtr issue_certificate(const CertificateSpec &spec, EVP_PKEY *subject_key, X509 *issuer,
                                 EVP_PKEY *issuer_key);

std::string certificate_pem(X509 *certificate);
std::string private_key_pem(EVP_PKEY *key);  // PKCS#8, unencrypted
// `source` names where the text came from in the error (a path, "the CSR").
CertificatePtr certificate_from_pem(const std::string &pem, const std::string &source);
KeyPtr private_key_from_pem(const std::string &pem, const std::string &source);

// Lower-case hex of the serial number, without leading zeros: how the CA registry names it.
std::string serial_hex(const X509 *certificate);
std::string common_name(X509 *certificate);
int64_t not_before_s(const X509 *certificate);
int64_t not_after_s(const X509 *certificate);

// True for a host name or IP address a certificate can name (letters, digits, '.', '-', ':').
bool is_ip_address(const std::string &text);
bool is_host_name(const std::string &text);

}  // namespace sotto::gw::pki
