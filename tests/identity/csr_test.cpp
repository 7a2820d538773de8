// sotto_identity_build_csr: the request OpenSSL and mbedTLS read back (subject, SAN URI, key,
// signature), its worst-case size, and every refusal.
#include <gtest/gtest.h>
#include <mbedtls/md.h>
#include <mbedtls/x509_csr.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "signing_key.h"
#include "sotto/identity.h"

namespace {

// The identity port over a key the test holds; public_error/sign_error stand in for a secure
// element that fails, fixed_signature for one that answers chosen bytes.
struct TestIdentity {
  sotto::gw::SigningKey key = sotto::gw::SigningKey::generate();
  sotto_err_t public_error = SOTTO_OK;
  sotto_err_t sign_error = SOTTO_OK;
  bool corrupt_public_key = false;
  const uint8_t *fixed_signature = nullptr;
  int signatures = 0;

  sotto_identity_port_t port() {
    sotto_identity_port_t port{};
    port.ctx = this;
    port.public_key = [](void *ctx, uint8_t out[65]) {
      auto *self = static_cast<TestIdentity *>(ctx);
      const auto public_key = self->key.public_key();
      std::memcpy(out, public_key.data(), public_key.size());
      if (self->corrupt_public_key) out[64] ^= 0x01;
      return self->public_error;
    };
    port.sign_digest = [](void *ctx, const uint8_t digest[32], uint8_t out[64]) {
      auto *self = static_cast<TestIdentity *>(ctx);
      self->signatures += 1;
      std::array<uint8_t, 32> hash{};
      std::memcpy(hash.data(), digest, hash.size());
      const auto signature = self->key.sign_digest(hash);
      std::memcpy(out, self->fixed_signature ? self->fixed_signature : signature.data(), 64);
      return self->sign_error;
    };
    return port;
  }
};

std::vector<uint8_t> build(TestIdentity &identity, const char *site, const char *device,
                           sotto_err_t expected = SOTTO_OK) {
  const sotto_identity_port_t port = identity.port();
  std::vector<uint8_t> out(SOTTO_IDENTITY_CSR_MAX_BYTES);
  size_t len = 0;
  EXPECT_EQ(sotto_identity_build_csr(&port, site, device, out.data(), out.size(), &len), expected)
      << sotto_err_name(expected);
  out.resize(expected == SOTTO_OK ? len : 0);
  return out;
}

struct OpenSslRequest {
  X509_REQ *request = nullptr;
  explicit OpenSslRequest(const std::vector<uint8_t> &der) {
    const unsigned char *p = der.data();
    request = d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size()));
    if (request != nullptr && p != der.data() + der.size()) {
      X509_REQ_free(request);  // trailing bytes: not exactly one request
      request = nullptr;
    }
  }
  ~OpenSslRequest() { X509_REQ_free(request); }
  OpenSslRequest(const OpenSslRequest &) = delete;
  OpenSslRequest &operator=(const OpenSslRequest &) = delete;

  bool signature_verifies() const {
    EVP_PKEY *key = X509_REQ_get0_pubkey(request);
    return key != nullptr && X509_REQ_verify(request, key) == 1;
  }
  std::string common_name() const {
    char name[64] = {};
    X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(request), NID_commonName, name,
                              sizeof name);
    return name;
  }
  std::vector<std::string> san_uris() const {
    std::vector<std::string> uris;
    STACK_OF(X509_EXTENSION) *extensions = X509_REQ_get_extensions(request);
    auto *names = static_cast<GENERAL_NAMES *>(
        X509V3_get_d2i(extensions, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
      uris.push_back(name->type == GEN_URI
                         ? std::string(reinterpret_cast<const char *>(ASN1_STRING_get0_data(
                                           name->d.uniformResourceIdentifier)),
                                       ASN1_STRING_length(name->d.uniformResourceIdentifier))
                         : "(not a URI)");
    }
    GENERAL_NAMES_free(names);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
    return uris;
  }
  std::vector<uint8_t> public_key() const {
    std::vector<uint8_t> out(65);
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(X509_REQ_get0_pubkey(request),
                                    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out.data(), out.size(),
                                    &len);
    out.resize(len);
    return out;
  }
};

TEST(IdentityCsr, OpenSslReadsSubjectSanKeyAndVerifiesTheSignature) {
  TestIdentity identity;
  const auto der = build(identity, "plant-1", "pump-7");
  const OpenSslRequest request(der);
  ASSERT_NE(request.request, nullptr);
  EXPECT_TRUE(request.signature_verifies());
  EXPECT_EQ(request.common_name(), "pump-7");
  EXPECT_EQ(request.san_uris(), std::vector<std::string>{"sotto://plant-1/pump-7"});
  const auto key = identity.key.public_key();
  EXPECT_EQ(request.public_key(), std::vector<uint8_t>(key.begin(), key.end()));
  EXPECT_EQ(X509_REQ_get_version(request.request), 0);
  EXPECT_EQ(identity.signatures, 1);
}

TEST(IdentityCsr, MbedTlsParsesItAndItsSignatureVerifies) {
  TestIdentity identity;
  const auto der = build(identity, "farm-north", "soil-7");
  mbedtls_x509_csr csr;
  mbedtls_x509_csr_init(&csr);
  ASSERT_EQ(mbedtls_x509_csr_parse_der(&csr, der.data(), der.size()), 0);
  char subject[128];
  ASSERT_GT(mbedtls_x509_dn_gets(subject, sizeof subject, &csr.subject), 0);
  EXPECT_STREQ(subject, "CN=soil-7");
  EXPECT_EQ(csr.sig_md, MBEDTLS_MD_SHA256);
  EXPECT_EQ(csr.sig_pk, MBEDTLS_PK_ECDSA);
  unsigned char hash[32];
  ASSERT_EQ(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), csr.cri.p, csr.cri.len, hash),
            0);
  EXPECT_EQ(mbedtls_pk_verify(&csr.pk, MBEDTLS_MD_SHA256, hash, 0, csr.sig.p, csr.sig.len), 0);
  mbedtls_x509_csr_free(&csr);
}

TEST(IdentityCsr, AChangedByteBreaksTheSignature) {
  TestIdentity identity;
  auto der = build(identity, "plant-1", "pump-7");
  const auto at = std::search(der.begin(), der.end(), std::begin("pump-7"), std::end("pump-7") - 1);
  ASSERT_NE(at, der.end());
  *at = 'q';  // CN pump-7 -> qump-7
  const OpenSslRequest request(der);
  ASSERT_NE(request.request, nullptr);
  EXPECT_EQ(request.common_name(), "qump-7");
  EXPECT_FALSE(request.signature_verifies());
}

TEST(IdentityCsr, WorstCaseIsTheDeclaredMaximum) {
  // r and s with their top bits set need a leading zero byte each in DER.
  uint8_t signature[64];
  std::memset(signature, 0xff, sizeof signature);
  TestIdentity identity;
  identity.fixed_signature = signature;
  const std::string longest(32, 'z');
  const auto der = build(identity, longest.c_str(), longest.c_str());
  EXPECT_EQ(der.size(), size_t{SOTTO_IDENTITY_CSR_MAX_BYTES});
  const OpenSslRequest request(der);
  ASSERT_NE(request.request, nullptr);
  EXPECT_EQ(request.san_uris(), std::vector<std::string>{"sotto://" + longest + "/" + longest});
}

TEST(IdentityCsr, RefusesIdsOutsideTheNamingRule) {
  TestIdentity identity;
  for (const char *bad :
       {"", "Pump-7", "-pump", "pump_7", "pump/7", "a23456789012345678901234567890123" /* 33 */}) {
    build(identity, "plant-1", bad, SOTTO_ERR_INVALID_ARGUMENT);
    build(identity, bad, "pump-7", SOTTO_ERR_INVALID_ARGUMENT);
  }
  EXPECT_EQ(identity.signatures, 0);  // nothing was signed for them
}

TEST(IdentityCsr, NamesEveryOtherRefusal) {
  TestIdentity identity;
  const std::vector<uint8_t> good = build(identity, "plant-1", "pump-7");
  sotto_identity_port_t port = identity.port();
  std::vector<uint8_t> out(SOTTO_IDENTITY_CSR_MAX_BYTES);
  size_t len = 0;
  EXPECT_EQ(sotto_identity_build_csr(&port, "plant-1", "pump-7", out.data(), good.size() - 1, &len),
            SOTTO_ERR_BUFFER_TOO_SMALL);
  EXPECT_EQ(sotto_identity_build_csr(&port, "plant-1", "pump-7", out.data(), good.size(), &len),
            SOTTO_OK);
  EXPECT_EQ(len, good.size());
  EXPECT_EQ(sotto_identity_build_csr(nullptr, "plant-1", "pump-7", out.data(), out.size(), &len),
            SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_identity_build_csr(&port, "plant-1", "pump-7", nullptr, out.size(), &len),
            SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_identity_build_csr(&port, "plant-1", "pump-7", out.data(), out.size(), nullptr),
            SOTTO_ERR_INVALID_ARGUMENT);
  sotto_identity_port_t no_signer = port;
  no_signer.sign_digest = nullptr;
  EXPECT_EQ(sotto_identity_build_csr(&no_signer, "plant-1", "pump-7", out.data(), out.size(), &len),
            SOTTO_ERR_NOT_CONFIGURED);

  identity.public_error = SOTTO_ERR_STORAGE;  // the secure element cannot be read
  build(identity, "plant-1", "pump-7", SOTTO_ERR_STORAGE);
  identity.public_error = SOTTO_OK;
  identity.corrupt_public_key = true;  // not a point on P-256
  build(identity, "plant-1", "pump-7", SOTTO_ERR_INVALID_ARGUMENT);
  identity.corrupt_public_key = false;
  identity.sign_error = SOTTO_ERR_TRANSPORT;  // the secure element's bus failed
  build(identity, "plant-1", "pump-7", SOTTO_ERR_TRANSPORT);
}

}  // namespace
