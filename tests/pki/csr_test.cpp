// Certificate requests from outside: what is read from a good one, and each refusal by name.
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "certificate.h"
#include "csr.h"
#include "fleet_ca.h"
#include "pki_fixture.h"

namespace sotto::gw::pki {
namespace {

const std::vector<std::string> kSoilUri = {"sotto://farm-north/soil-7"};

std::string refusal(const std::vector<uint8_t> &bytes) {
  try {
    read_certificate_request(bytes.data(), bytes.size());
  } catch (const CsrError &error) {
    return error.what();
  }
  return "accepted";
}

std::vector<uint8_t> bytes_of(const std::string &text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

// A request signed by OpenSSL directly, for shapes our own writer never makes.
std::vector<uint8_t> raw_request(EVP_PKEY *key, const std::vector<std::string> &common_names,
                                 const EVP_MD *digest = EVP_sha256()) {
  RequestPtr request(X509_REQ_new());
  X509_REQ_set_version(request.get(), X509_REQ_VERSION_1);
  for (const std::string &name : common_names) {
    X509_NAME_add_entry_by_NID(X509_REQ_get_subject_name(request.get()), NID_commonName,
                               MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(name.c_str()),
                               -1, -1, 0);
  }
  X509_REQ_set_pubkey(request.get(), key);
  X509_REQ_sign(request.get(), key, digest);
  unsigned char *der = nullptr;
  const int length = i2d_X509_REQ(request.get(), &der);
  std::vector<uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  return bytes;
}

TEST(Csr, ReadsTheDeviceIdAndItsSiteUriFromDerAndPem) {
  KeyPtr key = generate_p256_key();
  const std::vector<uint8_t> der = certificate_request_der(key.get(), "soil-7", kSoilUri);
  const std::vector<uint8_t> pem = bytes_of(certificate_request_pem(key.get(), "soil-7", kSoilUri));
  for (const std::vector<uint8_t> *bytes : {&der, &pem}) {
    const CertificateRequest request = read_certificate_request(bytes->data(), bytes->size());
    EXPECT_EQ(request.common_name, "soil-7");
    EXPECT_EQ(request.uris, kSoilUri);
    EXPECT_TRUE(is_p256_key(request.public_key.get()));
    EXPECT_EQ(EVP_PKEY_eq(request.public_key.get(), key.get()), 1);
  }
}

TEST(Csr, ARequestWithoutNamesGivesNoUris) {
  KeyPtr key = generate_p256_key();
  const std::vector<uint8_t> der = certificate_request_der(key.get(), "soil-7", {});
  EXPECT_TRUE(read_certificate_request(der.data(), der.size()).uris.empty());
}

TEST(Csr, RefusesASignatureThatDoesNotVerify) {
  KeyPtr key = generate_p256_key();
  std::vector<uint8_t> der = certificate_request_der(key.get(), "soil-7", kSoilUri);
  der[der.size() - 3] ^= 0x01;  // inside the signature's s
  EXPECT_EQ(refusal(der).rfind("certificate request: the signature does not verify with the "
                               "request's own key",
                               0),
            0u)
      << refusal(der);
}

TEST(Csr, RefusesARequestSignedByAnotherKey) {
  KeyPtr key = generate_p256_key();
  KeyPtr other = generate_p256_key();
  RequestPtr request(X509_REQ_new());
  X509_NAME_add_entry_by_NID(X509_REQ_get_subject_name(request.get()), NID_commonName,
                             MBSTRING_UTF8, reinterpret_cast<const unsigned char *>("soil-7"), -1,
                             -1, 0);
  X509_REQ_set_pubkey(request.get(), key.get());
  X509_REQ_sign(request.get(), other.get(), EVP_sha256());
  unsigned char *der = nullptr;
  const int length = i2d_X509_REQ(request.get(), &der);
  const std::vector<uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  EXPECT_EQ(refusal(bytes).rfind("certificate request: the signature does not verify", 0), 0u)
      << refusal(bytes);
}

TEST(Csr, RefusesOtherCurvesAndKeyTypes) {
  KeyPtr p384(EVP_EC_gen("P-384"));
  EXPECT_EQ(refusal(raw_request(p384.get(), {"soil-7"})),
            "certificate request: the key is not an EC P-256 key");
  KeyPtr rsa(EVP_RSA_gen(2048));
  EXPECT_EQ(refusal(raw_request(rsa.get(), {"soil-7"})),
            "certificate request: the key is not an EC P-256 key");
}

TEST(Csr, RefusesADigestOtherThanSha256) {
  KeyPtr key = generate_p256_key();
  EXPECT_EQ(refusal(raw_request(key.get(), {"soil-7"}, EVP_sha384())),
            "certificate request: signed with ecdsa-with-SHA384, expected ecdsa-with-SHA256");
}

TEST(Csr, RefusesSubjectsWithoutOrWithSeveralCommonNames) {
  KeyPtr key = generate_p256_key();
  EXPECT_EQ(refusal(raw_request(key.get(), {})), "certificate request: the subject has no CN");
  EXPECT_EQ(refusal(raw_request(key.get(), {"soil-7", "soil-8"})),
            "certificate request: the subject has more than one CN");
}

TEST(Csr, RefusesBytesThatAreNotOneWholeRequest) {
  KeyPtr key = generate_p256_key();
  std::vector<uint8_t> der = certificate_request_der(key.get(), "soil-7", kSoilUri);
  der.push_back(0);
  EXPECT_EQ(refusal(der), "certificate request: 1 bytes after the DER request");
  EXPECT_EQ(refusal({}), "certificate request: empty");
  EXPECT_EQ(refusal(std::vector<uint8_t>(4097, 0x30)),
            "certificate request: 4097 bytes, more than the 4096 accepted");
  EXPECT_EQ(refusal(bytes_of("hello")).rfind("certificate request: not a DER PKCS#10 request", 0),
            0u);
  EXPECT_EQ(refusal(bytes_of("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"))
                .rfind("certificate request: not a PEM CERTIFICATE REQUEST", 0),
            0u);
}

TEST(Csr, AnEnrolmentMustNameTheDeviceAndItsSite) {
  KeyPtr key = generate_p256_key();
  const std::vector<uint8_t> der = certificate_request_der(key.get(), "soil-7", kSoilUri);
  const CertificateRequest request = read_certificate_request(der.data(), der.size());
  EXPECT_NO_THROW(check_request_is_for(request, {"soil-7", "farm-north", "soil-probe"}));
  auto mismatch = [&](const DeviceIdentity &identity) {
    try {
      check_request_is_for(request, identity);
    } catch (const CsrError &error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(mismatch({"soil-8", "farm-north", "1"}),
            "certificate request: its subject CN is 'soil-7', expected the device id 'soil-8'");
  EXPECT_EQ(mismatch({"soil-7", "farm-south", "1"}),
            "certificate request: it asks for the name 'sotto://farm-north/soil-7', expected "
            "'sotto://farm-south/soil-7' (site 'farm-south')");
}

}  // namespace
}  // namespace sotto::gw::pki
