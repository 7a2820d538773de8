// The fleet CA loaded from a PKI directory: issues device certificates from checked requests
// and signs the CRL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ca_registry.h"
#include "certificate.h"
#include "csr.h"
#include "pki_layout.h"

namespace sotto::gw::pki {

// Who a device certificate is for. The device id becomes the CN (the broker's username for it),
// site and id the SAN URI sotto://<site>/<device>.
struct DeviceIdentity {
  std::string device;
  std::string site;
  std::string device_class;
};

std::string device_uri(const std::string &site, const std::string &device);
// The SDK's naming rule for site and device ids: [a-z0-9][a-z0-9-]{0,31}.
bool is_valid_id(const std::string &id);

// Throws std::invalid_argument naming the field: ids outside [a-z0-9][a-z0-9-]{0,31}, or a class
// that is neither a name of that form nor a number 0..255.
void check_identity(const DeviceIdentity &identity);

// The request must be for this device: CN equal to the device id, and any SAN URI it asks for
// equal to sotto://<site>/<device>. Throws CsrError naming the mismatch.
void check_request_is_for(const CertificateRequest &request, const DeviceIdentity &identity);

class FleetCa {
 public:
  // Reads ca.crt and ca.key; throws std::runtime_error naming the file.
  explicit FleetCa(const PkiPaths &paths);
  // A CA already in memory (the fuzz harness); the key must be the certificate's.
  FleetCa(CertificatePtr certificate, KeyPtr key);

  X509 *certificate() const { return certificate_.get(); }
  EVP_PKEY *key() const { return key_.get(); }

  // A device certificate valid from not_before_s to not_after_s (Unix seconds) for the
  // request's key. The request must already have passed check_request_is_for.
  CertificatePtr issue_device(const CertificateRequest &request, const DeviceIdentity &identity,
                              int64_t not_before_s, int64_t not_after_s) const;

  // A CRL listing every revoked certificate in the registry, numbered crl_number, issued at
  // now_s. Its nextUpdate is the CA's own expiry: a CRL that lapsed earlier would make the
  // broker refuse every device until someone re-signed it.
  std::string crl_pem(const std::vector<IssuedCertificate> &certificates, int64_t crl_number,
                      int64_t now_s) const;

 private:
  CertificatePtr certificate_;
  KeyPtr key_;
};

// The crlNumber of a PEM CRL file, 0 when the file is absent.
int64_t crl_number_of(const std::string &path);

}  // namespace sotto::gw::pki
