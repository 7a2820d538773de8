// libFuzzer: outside bytes through `sottoctl device enroll`'s path: read the request, check it
// names a device (its CN as the id, any SAN URI for the site), and issue its certificate with a
// fleet CA made in memory. A request that passed every check must yield a certificate that
// verifies with the CA and carries exactly the device's names.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <exception>

#include "csr.h"
#include "fleet_ca.h"

namespace {

using namespace sotto::gw::pki;

const FleetCa &fuzz_ca() {
  static const FleetCa ca = [] {
    KeyPtr key = generate_p256_key();
    CertificateSpec spec;
    spec.role = CertificateRole::kFleetCa;
    spec.common_name = "fuzz CA";
    spec.not_before_s = 1700000000;
    spec.not_after_s = 1900000000;
    CertificatePtr certificate = issue_certificate(spec, key.get(), nullptr, key.get());
    return FleetCa(std::move(certificate), std::move(key));
  }();
  return ca;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const FleetCa &ca = fuzz_ca();
  CertificateRequest request;
  DeviceIdentity identity;
  try {
    request = read_certificate_request(data, size);
    identity = {request.common_name, "farm-north", "1"};
    check_identity(identity);
    check_request_is_for(request, identity);
  } catch (const std::exception &) {
    return 0;  // refused by name: the expected outcome for almost every input
  }
  CertificatePtr certificate = ca.issue_device(request, identity, 1800000000, 1800086400);
  if (X509_verify(certificate.get(), ca.key()) != 1) abort();
  if (common_name(certificate.get()) != identity.device) abort();
  if (EVP_PKEY_eq(X509_get0_pubkey(certificate.get()), request.public_key.get()) != 1) abort();
  return 0;
}
