// pki init: the files, their modes, what each certificate may do, and no overwriting.
#include <openssl/err.h>
#include <sys/stat.h>

#include <filesystem>

#include "broker_files.h"
#include "ca_registry.h"
#include "fleet_ca.h"
#include "pki_fixture.h"
#include "pki_init.h"

namespace sotto::gw::pki {
namespace {

unsigned mode_of(const std::string &path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

bool has_purpose(X509 *certificate, int purpose, bool as_ca) {
  return X509_check_purpose(certificate, purpose, as_ca ? 1 : 0) == 1;
}

TEST(PkiInit, WritesTheFleetCaSottodAndBrokerCertificatesWithPrivateKeysMode0600) {
  const PkiPaths paths = initialised_pki("init", kNow);
  EXPECT_EQ(mode_of(paths.ca_key()), 0600u);
  EXPECT_EQ(mode_of(paths.gateway_key()), 0600u);
  EXPECT_EQ(mode_of(paths.broker_key()), 0600u);
  EXPECT_EQ(mode_of(paths.ca_certificate()), 0644u);

  CertificatePtr ca = read_certificate(paths.ca_certificate());
  EXPECT_EQ(common_name(ca.get()), "sotto fleet CA");
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_get_pathlen(ca.get()), 0);
  EXPECT_EQ(not_after_s(ca.get()) - kNow, 7300 * 86400);

  CertificatePtr gateway = read_certificate(paths.gateway_certificate());
  EXPECT_EQ(common_name(gateway.get()), "sottod.gateway");
  EXPECT_EQ(verify(gateway.get(), paths.gateway_link_ca()), X509_V_OK);
  EXPECT_TRUE(has_purpose(gateway.get(), X509_PURPOSE_SSL_CLIENT, false));
  EXPECT_TRUE(has_purpose(gateway.get(), X509_PURPOSE_SSL_SERVER, false));
  EXPECT_EQ(alt_names(gateway.get()), (std::vector<std::string>{"localhost", "127.0.0.1"}));
  EXPECT_EQ(X509_check_private_key(
                gateway.get(), private_key_from_pem(read_text(paths.gateway_key()), "key").get()),
            1);

  CertificatePtr broker = read_certificate(paths.broker_certificate());
  EXPECT_EQ(verify(broker.get(), paths.ca_certificate()), X509_V_OK);
  EXPECT_TRUE(has_purpose(broker.get(), X509_PURPOSE_SSL_SERVER, false));
  EXPECT_FALSE(has_purpose(broker.get(), X509_PURPOSE_SSL_CLIENT, false));
  EXPECT_EQ(X509_check_host(broker.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(broker.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ca(broker.get()), 0);
}

TEST(PkiInit, StartsWithAnEmptyCrlAndAnAclForSottodOnly) {
  const PkiPaths paths = initialised_pki("empty", kNow);
  EXPECT_EQ(crl_number_of(paths.crl()), 1);
  EXPECT_EQ(read_text(paths.acl()), broker_acl_text({}, kNow));
  EXPECT_TRUE(CaRegistry(paths).certificates().empty());
}

// sottod's broker listener trusts the gateway link CA alone: sottod's certificate passes it and
// no fleet certificate does; sottod's certificate is no device certificate either.
TEST(PkiInit, SottodsCertificateComesFromAGatewayLinkCaThatSignsNothingElse) {
  const PkiPaths paths = initialised_pki("link", kNow);
  EXPECT_EQ(mode_of(paths.gateway_link_ca()), 0644u);
  CertificatePtr link_ca = read_certificate(paths.gateway_link_ca());
  EXPECT_EQ(common_name(link_ca.get()), "sotto fleet gateway link CA");
  EXPECT_EQ(X509_check_ca(link_ca.get()), 1);
  CertificatePtr gateway = read_certificate(paths.gateway_certificate());
  EXPECT_EQ(verify(gateway.get(), paths.gateway_link_ca()), X509_V_OK);
  EXPECT_EQ(verify(gateway.get(), paths.ca_certificate()),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  CertificatePtr broker = read_certificate(paths.broker_certificate());
  EXPECT_EQ(verify(broker.get(), paths.gateway_link_ca()),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  // Nothing in the directory could sign for the link CA: its key was never written.
  for (const auto &entry : std::filesystem::directory_iterator(paths.dir)) {
    if (entry.path().extension() != ".key") continue;
    KeyPtr key = private_key_from_pem(read_text(entry.path().string()), entry.path().string());
    EXPECT_NE(X509_check_private_key(link_ca.get(), key.get()), 1) << entry.path();
  }
  ERR_clear_error();
}

TEST(PkiInit, NamesTheBrokerAsTold) {
  PkiInitOptions options;
  options.dir = fresh_dir("names") + "/pki";
  options.now_s = kNow;
  options.broker_names = {"gw.example.net", "10.0.0.5", "fd00::5"};
  init_pki(options);
  CertificatePtr broker = read_certificate(PkiPaths{options.dir}.broker_certificate());
  EXPECT_EQ(common_name(broker.get()), "gw.example.net");
  EXPECT_EQ(alt_names(broker.get()),
            (std::vector<std::string>{"gw.example.net", "10.0.0.5", "fd00::5"}));
}

TEST(PkiInit, RefusesNamesThatAreNeitherHostsNorAddresses) {
  PkiInitOptions options;
  options.dir = fresh_dir("bad-name") + "/pki";
  options.now_s = kNow;
  options.broker_names = {"gw,DNS:evil.example"};
  try {
    init_pki(options);
    FAIL() << "accepted";
  } catch (const std::invalid_argument &error) {
    EXPECT_STREQ(error.what(),
                 "--broker-name 'gw,DNS:evil.example': expected a host name or an IP address");
  }
}

TEST(PkiInit, RefusesToOverwriteAnExistingFleetCa) {
  const PkiPaths paths = initialised_pki("twice", kNow);
  const std::string ca_before = read_text(paths.ca_certificate());
  const std::string key_before = read_text(paths.ca_key());
  PkiInitOptions again;
  again.dir = paths.dir;
  again.now_s = kNow;
  try {
    init_pki(again);
    FAIL() << "overwrote";
  } catch (const std::runtime_error &error) {
    EXPECT_EQ(std::string(error.what()),
              "refusing to overwrite " + paths.ca_certificate() +
                  " (pki init makes a new fleet CA; choose another --out)");
  }
  EXPECT_EQ(read_text(paths.ca_certificate()), ca_before);
  EXPECT_EQ(read_text(paths.ca_key()), key_before);
}

}  // namespace
}  // namespace sotto::gw::pki
