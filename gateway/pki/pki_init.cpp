// See pki_init.h.
#include "pki_init.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "broker_files.h"
#include "ca_registry.h"
#include "certificate.h"
#include "file_bytes.h"
#include "fleet_ca.h"
#include "pki_layout.h"

namespace sotto::gw::pki {
namespace {

void write_new(const std::string &path, const std::string &text, unsigned mode) {
  write_new_file(path, text.data(), text.size(), mode);
}

void add_names(const std::vector<std::string> &names, const char *option, CertificateSpec *spec) {
  for (const std::string &name : names) {
    if (is_ip_address(name)) {
      spec->ip_addresses.push_back(name);
    } else if (is_host_name(name)) {
      spec->dns_names.push_back(name);
    } else {
      throw std::invalid_argument(std::string(option) + " '" + name +
                                  "': expected a host name or an IP address");
    }
  }
}

// A key and its certificate signed by the CA, written as PATH.key (0600) and PATH.crt.
void write_leaf(const CertificateSpec &spec, X509 *ca, EVP_PKEY *ca_key,
                const std::string &certificate_path, const std::string &key_path) {
  KeyPtr key = generate_p256_key();
  CertificatePtr certificate = issue_certificate(spec, key.get(), ca, ca_key);
  write_new(key_path, private_key_pem(key.get()), 0600);
  write_new(certificate_path, certificate_pem(certificate.get()), 0644);
}

// A self-signed CA certificate valid from not_before_s for `days`.
CertificatePtr self_signed_ca(const std::string &common_name, EVP_PKEY *key,
                              const PkiInitOptions &options) {
  CertificateSpec ca;
  ca.role = CertificateRole::kFleetCa;
  ca.common_name = common_name;
  ca.not_before_s = options.now_s - kClockSkewAllowanceS;
  ca.not_after_s = options.now_s + options.ca_days * 86400;
  return issue_certificate(ca, key, nullptr, key);
}

}  // namespace

void init_pki(const PkiInitOptions &options) {
  const PkiPaths paths{options.dir};
  CertificateSpec gateway;
  gateway.role = CertificateRole::kGateway;
  gateway.common_name = kGatewayIdentity;
  add_names(options.gateway_names, "--gateway-name", &gateway);
  CertificateSpec broker;
  broker.role = CertificateRole::kBroker;
  broker.common_name = options.broker_names.empty() ? "sotto broker" : options.broker_names[0];
  add_names(options.broker_names, "--broker-name", &broker);

  std::error_code error;
  std::filesystem::create_directories(options.dir, error);
  if (error) throw std::runtime_error("cannot create " + options.dir + ": " + error.message());
  for (const std::string &path :
       {paths.ca_certificate(), paths.ca_key(), paths.gateway_link_ca(),
        paths.gateway_certificate(), paths.gateway_key(), paths.broker_certificate(),
        paths.broker_key(), paths.crl(), paths.acl(), paths.registry()}) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
      throw std::runtime_error("refusing to overwrite " + path +
                               " (pki init makes a new fleet CA; choose another --out)");
    }
  }

  KeyPtr ca_key = generate_p256_key();
  CertificatePtr ca_certificate = self_signed_ca(options.fleet_name + " CA", ca_key.get(), options);
  write_new(paths.ca_key(), private_key_pem(ca_key.get()), 0600);
  write_new(paths.ca_certificate(), certificate_pem(ca_certificate.get()), 0644);

  // sottod's certificate comes from a CA of its own, the only anchor of sottod's broker listener
  // (deploy/mosquitto-tls.conf says why sottod has one). Its key lives only in this function:
  // with nothing left to sign with, that listener admits sottod's certificate and nothing else.
  KeyPtr link_ca_key = generate_p256_key();
  CertificatePtr link_ca =
      self_signed_ca(options.fleet_name + " gateway link CA", link_ca_key.get(), options);
  write_new(paths.gateway_link_ca(), certificate_pem(link_ca.get()), 0644);

  for (CertificateSpec *leaf : {&gateway, &broker}) {
    leaf->not_before_s = options.now_s - kClockSkewAllowanceS;
    leaf->not_after_s = std::min(options.now_s + options.server_days * 86400,
                                 options.now_s + options.ca_days * 86400);
  }
  write_leaf(gateway, link_ca.get(), link_ca_key.get(), paths.gateway_certificate(),
             paths.gateway_key());
  write_leaf(broker, ca_certificate.get(), ca_key.get(), paths.broker_certificate(),
             paths.broker_key());

  const FleetCa fleet_ca(paths);
  const CaRegistry registry(paths);
  registry.save();
  publish_broker_files(paths, fleet_ca, registry, options.now_s);
}

}  // namespace sotto::gw::pki
