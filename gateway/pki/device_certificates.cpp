// See device_certificates.h.
#include "device_certificates.h"

#include <algorithm>
#include <stdexcept>

#include "broker_files.h"
#include "ca_registry.h"

namespace sotto::gw::pki {
namespace {

IssuedDevice issue(const FleetCa &ca, CaRegistry &registry, const CertificateRequest &request,
                   const DeviceIdentity &identity, const std::string &how, int64_t now_s,
                   int64_t days) {
  check_identity(identity);  // its alphabet also keeps every device off kGatewayIdentity
  check_request_is_for(request, identity);
  const std::string site = registry.current_site(identity.device);
  if (!site.empty() && site != identity.site) {
    throw std::invalid_argument("device " + identity.device +
                                " holds an unrevoked certificate for site '" + site +
                                "'; revoke it (sottoctl device revoke " + identity.device +
                                ") before giving it an identity at site '" + identity.site + "'");
  }
  if (days <= 0) throw std::invalid_argument("validity must be at least 1 day");
  const int64_t not_after =
      std::min(now_s + days * 86400, not_after_s(ca.certificate()));  // never beyond the CA
  CertificatePtr certificate =
      ca.issue_device(request, identity, now_s - kClockSkewAllowanceS, not_after);
  IssuedDevice issued;
  issued.identity = identity;
  issued.serial = serial_hex(certificate.get());
  issued.certificate_pem = certificate_pem(certificate.get());
  issued.not_after_s = not_after;
  IssuedCertificate row;
  row.serial = issued.serial;
  row.device = identity.device;
  row.site = identity.site;
  row.device_class = identity.device_class;
  row.how = how;
  row.issued_s = now_s;
  row.not_before_s = not_before_s(certificate.get());
  row.not_after_s = not_after;
  registry.add(row);
  return issued;
}

}  // namespace

IssuedDevice enroll_device(const PkiPaths &paths, const CertificateRequest &request,
                           const DeviceIdentity &identity, int64_t now_s, int64_t days) {
  const FleetCa ca(paths);
  CaRegistry registry(paths);
  IssuedDevice issued = issue(ca, registry, request, identity, "enrolled", now_s, days);
  registry.save();
  publish_broker_files(paths, ca, registry, now_s);
  return issued;
}

std::vector<IssuedDevice> provision_devices(const PkiPaths &paths,
                                            const std::vector<DeviceIdentity> &identities,
                                            int64_t now_s, int64_t days) {
  const FleetCa ca(paths);
  CaRegistry registry(paths);
  std::vector<IssuedDevice> issued;
  issued.reserve(identities.size());
  for (const DeviceIdentity &identity : identities) {
    check_identity(identity);
    KeyPtr key = generate_p256_key();
    const std::vector<uint8_t> der = certificate_request_der(
        key.get(), identity.device, {device_uri(identity.site, identity.device)});
    const CertificateRequest request = read_certificate_request(der.data(), der.size());
    issued.push_back(issue(ca, registry, request, identity, "provisioned", now_s, days));
    issued.back().key_pem = private_key_pem(key.get());
  }
  registry.save();
  publish_broker_files(paths, ca, registry, now_s);
  return issued;
}

std::vector<std::string> revoke_device(const PkiPaths &paths, const std::string &device,
                                       int64_t now_s) {
  const FleetCa ca(paths);
  CaRegistry registry(paths);
  std::vector<std::string> serials = registry.revoke_device(device, now_s);
  if (serials.empty()) {
    throw std::invalid_argument("device '" + device + "' has no unrevoked certificate in " +
                                paths.registry());
  }
  registry.save();
  publish_broker_files(paths, ca, registry, now_s);
  return serials;
}

}  // namespace sotto::gw::pki
