// sottoctl's fleet PKI commands (gateway/pki does the work):
//   pki init --out DIR [--fleet-name NAME] [--broker-name N,...] [--gateway-name N,...]
//   device enroll CSR --site S --class C -o CERT
//   device provision ID --site S --class C --out DIR
//   device revoke ID [--no-reload]
//   device list --certs
// The device commands take [--pki DIR] (default $SOTTO_PKI, else /etc/sotto/pki) and
// [--broker-pid-file F] (default $SOTTO_BROKER_PID_FILE, else /run/mosquitto/mosquitto.pid):
// every change rewrites the broker's ACL and CRL and reloads the broker (SIGHUP).
#pragma once

#include <string>
#include <vector>

#include "cli.h"

namespace sotto::gw::ctl {

int pki_command(CliContext &context, const std::vector<std::string> &args);
int device_command(CliContext &context, const std::vector<std::string> &args);

}  // namespace sotto::gw::ctl
