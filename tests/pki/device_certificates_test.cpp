// Giving devices certificates and taking them away: what the certificate says, what the CA
// registry records, what the CRL holds, and every refusal by name.
#include <openssl/pem.h>

#include <thread>

#include "broker_files.h"
#include "ca_registry.h"
#include "device_certificates.h"
#include "pki_fixture.h"

namespace sotto::gw::pki {
namespace {

const DeviceIdentity kSoil7{"soil-7", "farm-north", "soil-probe"};

CertificateRequest request_for(EVP_PKEY *key, const std::string &device, const std::string &site) {
  const std::vector<uint8_t> der = certificate_request_der(key, device, {device_uri(site, device)});
  return read_certificate_request(der.data(), der.size());
}

std::string refusal(const PkiPaths &paths, const DeviceIdentity &identity) {
  KeyPtr key = generate_p256_key();
  try {
    enroll_device(paths, request_for(key.get(), identity.device, identity.site), identity, kNow,
                  30);
  } catch (const std::exception &error) {
    return error.what();
  }
  return "accepted";
}

std::string crl_path_copy(const PkiPaths &paths) {
  return paths.crl();
}

TEST(DeviceCertificates, AnEnrolledCertificateNamesTheDeviceAndSiteAndChainsToTheFleetCa) {
  const PkiPaths paths = initialised_pki("enrol", kNow);
  KeyPtr key = generate_p256_key();
  const IssuedDevice issued =
      enroll_device(paths, request_for(key.get(), "soil-7", "farm-north"), kSoil7, kNow, 30);
  CertificatePtr certificate = certificate_from_pem(issued.certificate_pem, "issued");
  EXPECT_EQ(common_name(certificate.get()), "soil-7");
  EXPECT_EQ(alt_names(certificate.get()), (std::vector<std::string>{"sotto://farm-north/soil-7"}));
  EXPECT_EQ(X509_check_purpose(certificate.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
  EXPECT_EQ(X509_check_purpose(certificate.get(), X509_PURPOSE_SSL_SERVER, 0), 0);
  EXPECT_EQ(X509_check_ca(certificate.get()), 0);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(certificate.get()), key.get()), 1);
  EXPECT_EQ(not_before_s(certificate.get()), kNow - kClockSkewAllowanceS);
  EXPECT_EQ(not_after_s(certificate.get()), kNow + 30 * 86400);
  EXPECT_EQ(issued.serial, serial_hex(certificate.get()));
  EXPECT_EQ(issued.serial.size(), 32u);
  EXPECT_EQ(verify(certificate.get(), paths.ca_certificate(), paths.crl()), X509_V_OK);
}

TEST(DeviceCertificates, EveryCertificateIsRecordedAndGivesItsDeviceAnAclBlock) {
  const PkiPaths paths = initialised_pki("record", kNow);
  KeyPtr key = generate_p256_key();
  const IssuedDevice issued =
      enroll_device(paths, request_for(key.get(), "soil-7", "farm-north"), kSoil7, kNow, 30);
  const std::vector<IssuedDevice> provisioned =
      provision_devices(paths, {{"press-1", "plant-1", "3"}}, kNow + 1, 30);
  ASSERT_EQ(provisioned.size(), 1u);
  EXPECT_EQ(
      X509_check_private_key(certificate_from_pem(provisioned[0].certificate_pem, "issued").get(),
                             private_key_from_pem(provisioned[0].key_pem, "key").get()),
      1);

  const std::vector<IssuedCertificate> rows = CaRegistry(paths).certificates();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].serial, issued.serial);
  EXPECT_EQ(rows[0].device, "soil-7");
  EXPECT_EQ(rows[0].site, "farm-north");
  EXPECT_EQ(rows[0].device_class, "soil-probe");
  EXPECT_EQ(rows[0].how, "enrolled");
  EXPECT_EQ(rows[0].issued_s, kNow);
  EXPECT_EQ(rows[0].not_after_s, kNow + 30 * 86400);
  EXPECT_FALSE(rows[0].revoked());
  EXPECT_EQ(rows[1].device, "press-1");
  EXPECT_EQ(rows[1].how, "provisioned");

  const std::string acl = read_text(paths.acl());
  EXPECT_NE(acl.find("\n# press-1 at plant-1: its own uplinks and downlinks only\n"
                     "user press-1\n"
                     "topic write sotto/v1/plant-1/press-1/event\n"
                     "topic write sotto/v1/plant-1/press-1/health\n"
                     "topic write sotto/v1/plant-1/press-1/ota/status\n"
                     "topic read sotto/v1/plant-1/press-1/ota/offer\n"
                     "topic read sotto/v1/plant-1/press-1/ota/chunk\n"
                     "topic read sotto/v1/plant-1/press-1/ota/keys\n"),
            std::string::npos)
      << acl;
  EXPECT_NE(acl.find("user soil-7\ntopic write sotto/v1/farm-north/soil-7/event\n"),
            std::string::npos);
  EXPECT_EQ(acl, broker_acl_text(rows, kNow + 1));
}

TEST(DeviceCertificates, RevocationPutsEverySerialInTheCrlAndRemovesTheAclBlock) {
  const PkiPaths paths = initialised_pki("revoke", kNow);
  // Two certificates for soil-7 (a renewal), one for its neighbour.
  const auto first = provision_devices(paths, {kSoil7, {"soil-8", "farm-north", "1"}}, kNow, 30);
  const auto renewal = provision_devices(paths, {kSoil7}, kNow + 1, 30);
  EXPECT_EQ(crl_number_of(paths.crl()), 3);

  const std::vector<std::string> serials = revoke_device(paths, "soil-7", kNow + 2);
  EXPECT_EQ(serials, (std::vector<std::string>{first[0].serial, renewal[0].serial}));
  EXPECT_EQ(crl_number_of(paths.crl()), 4);
  for (const IssuedDevice *revoked : {&first[0], &renewal[0]}) {
    CertificatePtr certificate = certificate_from_pem(revoked->certificate_pem, "revoked");
    EXPECT_EQ(verify(certificate.get(), paths.ca_certificate(), crl_path_copy(paths)),
              X509_V_ERR_CERT_REVOKED);
  }
  CertificatePtr neighbour = certificate_from_pem(first[1].certificate_pem, "neighbour");
  EXPECT_EQ(verify(neighbour.get(), paths.ca_certificate(), paths.crl()), X509_V_OK);

  const std::string acl = read_text(paths.acl());
  EXPECT_EQ(acl.find("user soil-7\n"), std::string::npos) << acl;
  EXPECT_NE(acl.find("user soil-8\n"), std::string::npos) << acl;
  const CaRegistry registry(paths);
  for (const IssuedCertificate &row : registry.certificates()) {
    EXPECT_EQ(row.revoked_s, row.device == "soil-7" ? kNow + 2 : 0) << row.serial;
  }
}

TEST(DeviceCertificates, ARevokedDeviceCanBeGivenANewIdentity) {
  const PkiPaths paths = initialised_pki("again", kNow);
  provision_devices(paths, {kSoil7}, kNow, 30);
  revoke_device(paths, "soil-7", kNow + 1);
  const auto renewed = provision_devices(paths, {{"soil-7", "farm-south", "1"}}, kNow + 2, 30);
  CertificatePtr certificate = certificate_from_pem(renewed[0].certificate_pem, "renewed");
  EXPECT_EQ(verify(certificate.get(), paths.ca_certificate(), paths.crl()), X509_V_OK);
  EXPECT_NE(read_text(paths.acl()).find("topic write sotto/v1/farm-south/soil-7/event\n"),
            std::string::npos);
}

TEST(DeviceCertificates, RefusalsAreNamed) {
  const PkiPaths paths = initialised_pki("refusals", kNow);
  provision_devices(paths, {kSoil7}, kNow, 30);
  EXPECT_EQ(refusal(paths, {"soil-7", "farm-south", "1"}),
            "device soil-7 holds an unrevoked certificate for site 'farm-north'; revoke it "
            "(sottoctl device revoke soil-7) before giving it an identity at site 'farm-south'");
  EXPECT_EQ(refusal(paths, {"Soil-7", "farm-north", "1"}),
            "device id 'Soil-7' does not match [a-z0-9][a-z0-9-]{0,31}");
  EXPECT_EQ(refusal(paths, {"soil-9", "farm/north", "1"}),
            "site 'farm/north' does not match [a-z0-9][a-z0-9-]{0,31}");
  EXPECT_EQ(refusal(paths, {"soil-9", "farm-north", "256"}),
            "device class '256': expected a name matching [a-z0-9][a-z0-9-]{0,31} or a number "
            "0..255");
  EXPECT_EQ(refusal(paths, {"soil-9", "farm-north", "Soil Probe"}),
            "device class 'Soil Probe': expected a name matching [a-z0-9][a-z0-9-]{0,31} or a "
            "number 0..255");
  try {
    revoke_device(paths, "ghost-1", kNow);
    FAIL() << "revoked a device without certificates";
  } catch (const std::invalid_argument &error) {
    EXPECT_EQ(std::string(error.what()),
              "device 'ghost-1' has no unrevoked certificate in " + paths.registry());
  }
  EXPECT_EQ(CaRegistry(paths).certificates().size(), 1u);  // nothing recorded by a refusal
}

TEST(DeviceCertificates, TheGatewayIdentityCannotBeEnrolledByAnyName) {
  const PkiPaths paths = initialised_pki("gateway-name", kNow);
  // Outside the device id alphabet, so the naming rule alone refuses it.
  EXPECT_EQ(refusal(paths, {"sottod.gateway", "farm-north", "1"}),
            "device id 'sottod.gateway' does not match [a-z0-9][a-z0-9-]{0,31}");
}

TEST(DeviceCertificates, ConcurrentProvisioningLosesNoCertificate) {
  const PkiPaths paths = initialised_pki("concurrent", kNow);
  auto batch = [&paths](const std::string &prefix) {
    for (int i = 0; i < 10; ++i) {
      provision_devices(paths, {{prefix + std::to_string(i), "farm-north", "1"}}, kNow, 30);
    }
  };
  std::thread a(batch, "a-");
  std::thread b(batch, "b-");
  a.join();
  b.join();
  EXPECT_EQ(CaRegistry(paths).certificates().size(), 20u);
}

}  // namespace
}  // namespace sotto::gw::pki
