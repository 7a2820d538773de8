// Giving devices their identity and taking it away, against a fleet PKI directory: each call
// holds the CA registry's lock, records what it did, and rewrites the broker's ACL and CRL
// (broker_files.h). Reloading the broker is the caller's step (reload_broker), so a batch costs
// one reload. Used by sottoctl's device commands and by sotto-sim for its virtual devices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "csr.h"
#include "fleet_ca.h"
#include "pki_layout.h"

namespace sotto::gw::pki {

constexpr int64_t kDefaultDeviceDays = 3650;

struct IssuedDevice {
  DeviceIdentity identity;
  std::string serial;
  std::string certificate_pem;
  std::string key_pem;  // provisioned only: the private key made here
  int64_t not_after_s = 0;
};

// Enrolment: the device made the key and the request (its private key never leaves it). Checks
// the identity, that the request is for it, and that the device holds no unrevoked
// certificate for another site; throws std::invalid_argument or CsrError naming what is wrong.
IssuedDevice enroll_device(const PkiPaths &paths, const CertificateRequest &request,
                           const DeviceIdentity &identity, int64_t now_s, int64_t days);

// Provisioning: the key and request are made here, then each takes the enrolment path. All
// devices in one registry write and one rewrite of the broker files (sotto-sim provisions
// thousands this way).
std::vector<IssuedDevice> provision_devices(const PkiPaths &paths,
                                            const std::vector<DeviceIdentity> &identities,
                                            int64_t now_s, int64_t days);

// Revokes every unrevoked certificate of the device: they go into the CRL and the device's
// ACL block goes away. Returns the serials; throws std::invalid_argument when the device has
// none. The gateway's record of the device and its events are not touched.
std::vector<std::string> revoke_device(const PkiPaths &paths, const std::string &device,
                                       int64_t now_s);

}  // namespace sotto::gw::pki
