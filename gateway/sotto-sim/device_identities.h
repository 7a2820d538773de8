// Each virtual device's TLS identity: its own key and certificate from the fleet PKI, kept in
// <pki>/sim/<device>/ so later runs present the same certificate (and a revoked one stays
// revoked). Devices without files are provisioned in one batch through the same path as
// `sottoctl device provision` (gateway/pki), and the broker is reloaded once so it knows them.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "fleet_ca.h"

namespace sotto::gw::sim {

struct DeviceTlsFiles {
  std::string ca_file;    // the fleet CA: the broker's certificate must chain to it
  std::string cert_file;  // the device's certificate (CN = device id)
  std::string key_file;   // its private key, mode 0600
};

// Returns the files by device id. Throws std::runtime_error when the PKI directory cannot
// issue or the files cannot be written; a broker that cannot be reloaded is only reported on
// `log` (its devices' connects will be refused until it reloads).
std::map<std::string, DeviceTlsFiles> prepare_device_identities(
    const std::string &pki_dir, const std::vector<pki::DeviceIdentity> &devices,
    const std::string &broker_pid_file, std::ostream &log);

}  // namespace sotto::gw::sim
