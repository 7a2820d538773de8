// The fleet PKI directory (`sottoctl pki init --out DIR`): what each file is and who reads it.
// The broker's config points at ca.crt, broker.crt/.key, crl.pem and broker.acl in place, so a
// revocation rewrites them here and a reload makes the broker read them.
#pragma once

#include <string>

namespace sotto::gw::pki {

// sottod's identity at the broker: its certificate's CN, and the MQTT username and client id it
// sends (the defaults of mqtt.username and mqtt.client_id). The dot keeps it outside the device id
// alphabet [a-z0-9-], so no device can ever be enrolled under it, and the device listener makes
// every device's client id its CN, so no device can take over sottod's session.
constexpr const char *kGatewayIdentity = "sottod.gateway";

struct PkiPaths {
  std::string dir;

  std::string ca_certificate() const { return dir + "/ca.crt"; }
  std::string ca_key() const { return dir + "/ca.key"; }  // 0600; signs certificates and the CRL
  // The trust anchor of sottod's own broker listener: a CA that signed gateway.crt and nothing
  // else, and whose key pki init never kept, so no other certificate can pass that listener.
  std::string gateway_link_ca() const { return dir + "/gateway-link-ca.crt"; }
  std::string gateway_certificate() const { return dir + "/gateway.crt"; }
  std::string gateway_key() const { return dir + "/gateway.key"; }
  std::string broker_certificate() const { return dir + "/broker.crt"; }
  std::string broker_key() const { return dir + "/broker.key"; }
  // Written by every enrol, provision and revoke: the broker reads them on reload.
  std::string crl() const { return dir + "/crl.pem"; }
  std::string acl() const { return dir + "/broker.acl"; }
  // The CA's own record of every device certificate it issued (ca_registry.h).
  std::string registry() const { return dir + "/devices.tsv"; }
  std::string registry_lock() const { return dir + "/devices.lock"; }
};

// --pki, else $SOTTO_PKI, else /etc/sotto/pki.
std::string default_pki_dir();

}  // namespace sotto::gw::pki
