// What the broker reads from the PKI directory, rebuilt from the CA registry after every change:
// the ACL (sottod's rights, and one block per device with a usable certificate that names its
// own site and id, so no device can publish under another device or site) and the CRL.
//
// mosquitto 2.0.11 rereads both on SIGHUP and applies the ACL to connected clients too. It fails
// open when either file is missing or unreadable at that moment (measured: with no CRL every
// revoked certificate connects again; with no ACL every topic is allowed to everyone), so both
// are only ever replaced whole, by rename, and the CRL is verified before it is put in place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ca_registry.h"
#include "fleet_ca.h"
#include "pki_layout.h"

namespace sotto::gw::pki {

std::string broker_acl_text(const std::vector<IssuedCertificate> &certificates, int64_t now_s);

// Writes DIR/broker.acl and DIR/crl.pem (with the next crlNumber) for the registry's contents.
void publish_broker_files(const PkiPaths &paths, const FleetCa &ca, const CaRegistry &registry,
                          int64_t now_s);

struct BrokerReload {
  bool signalled = false;
  std::string message;  // what happened, for the operator
};

// Sends SIGHUP to the mosquitto whose pid is in pid_file, so it rereads the CRL, the ACL and
// its certificates. Refuses (signalled = false, message says why) when the file is missing or
// names a process that is not mosquitto.
BrokerReload reload_broker(const std::string &pid_file);

// --broker-pid-file, else $SOTTO_BROKER_PID_FILE, else Debian's /run/mosquitto/mosquitto.pid.
std::string default_broker_pid_file();

}  // namespace sotto::gw::pki
