// `sottoctl pki init`: a new fleet PKI directory (pki_layout.h) with the fleet CA, the gateway
// link CA and sottod's certificate from it, the broker's server certificate, an empty CRL, the
// ACL with sottod's rights and an empty CA registry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sotto::gw::pki {

struct PkiInitOptions {
  std::string dir;
  std::string fleet_name = "sotto fleet";  // the CA's CN is "<fleet_name> CA"
  // Names clients use to reach the broker and the API: each becomes a DNS or IP subjectAltName
  // (TLS clients check the name they connected to against them).
  std::vector<std::string> broker_names = {"localhost", "127.0.0.1"};
  std::vector<std::string> gateway_names = {"localhost", "127.0.0.1"};
  int64_t ca_days = 7300;
  int64_t server_days = 3650;  // gateway and broker certificates
  int64_t now_s = 0;
};

// Creates dir and its parents if needed. Refuses, naming the file, when any file it would write
// exists already; private keys are created with mode 0600. Throws std::runtime_error or
// std::invalid_argument (a name that is neither a host name nor an IP address).
void init_pki(const PkiInitOptions &options);

}  // namespace sotto::gw::pki
