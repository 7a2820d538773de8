// Certificate signing requests (PKCS#10): reading one that came from outside (a device's
// enrolment), and writing one (sottoctl device provision makes the key and the request on the
// operator's machine, then follows the same path as an enrolment).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "openssl_ptr.h"

namespace sotto::gw::pki {

// A request that is not well formed, not self-signed by its own key, or not for a P-256 key.
class CsrError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Larger input is refused before parsing; the SDK's requests are at most 338 bytes of DER.
constexpr size_t kMaxCsrBytes = 4096;

struct CertificateRequest {
  std::string common_name;        // the subject's only CN
  std::vector<std::string> uris;  // subjectAltName URI entries requested, in order
  KeyPtr public_key;              // P-256
};

// PEM ("-----BEGIN CERTIFICATE REQUEST-----") or DER with no trailing bytes. Checks that the
// request is signed with ecdsa-with-SHA256 by the key it carries and that the key is P-256.
// Throws CsrError naming the first thing that is wrong.
CertificateRequest read_certificate_request(const uint8_t *bytes, size_t size);

// A request for key (which must hold the private half) with subject CN and subjectAltName URIs.
std::string certificate_request_pem(EVP_PKEY *key, const std::string &common_name,
                                    const std::vector<std::string> &uris);
std::vector<uint8_t> certificate_request_der(EVP_PKEY *key, const std::string &common_name,
                                             const std::vector<std::string> &uris);

}  // namespace sotto::gw::pki
