// See certificate.h.
#include "certificate.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace sotto::gw::pki {
namespace {

[[noreturn]] void fail(const std::string &what) {
  throw std::runtime_error(with_openssl_reason(what));
}

void add_extension(X509 *certificate, X509V3_CTX *context, int nid, const std::string &value) {
  X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str());
  if (extension == nullptr)
    fail("certificate extension " + std::string(OBJ_nid2sn(nid)) + " '" + value + "'");
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) fail("adding certificate extension " + std::string(OBJ_nid2sn(nid)));
}

std::string subject_alt_names(const CertificateSpec &spec) {
  std::string names;
  auto append = [&names](const char *kind, const std::string &value) {
    names += (names.empty() ? "" : ",") + std::string(kind) + ":" + value;
  };
  for (const std::string &name : spec.dns_names) append("DNS", name);
  for (const std::string &address : spec.ip_addresses) append("IP", address);
  for (const std::string &uri : spec.uris) append("URI", uri);
  return names;
}

void set_random_serial(X509 *certificate) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) fail("random serial number");
  // Positive, as RFC 5280 requires, and never shorter than 16 bytes, so no serial is ever zero.
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x40);
  BIGNUM *number = BN_bin2bn(bytes, sizeof bytes, nullptr);
  const bool ok = number != nullptr &&
                  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nullptr;
  BN_free(number);
  if (!ok) fail("setting the serial number");
}

void set_validity(X509 *certificate, int64_t not_before, int64_t not_after) {
  if (not_after <= not_before) {
    throw std::runtime_error("certificate validity ends (" + std::to_string(not_after) +
                             ") before it begins (" + std::to_string(not_before) + ")");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(certificate), static_cast<time_t>(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(certificate), static_cast<time_t>(not_after)) == nullptr) {
    fail("setting the validity");
  }
}

// basicConstraints, keyUsage and extendedKeyUsage by role.
void add_role_extensions(X509 *certificate, X509V3_CTX *context, CertificateRole role) {
  switch (role) {
    case CertificateRole::kFleetCa:
      // pathlen 0: the fleet CA signs leaf certificates only, never another CA.
      add_extension(certificate, context, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
      add_extension(certificate, context, NID_key_usage, "critical,keyCertSign,cRLSign");
      return;
    case CertificateRole::kDevice:
      add_extension(certificate, context, NID_basic_constraints, "critical,CA:FALSE");
      add_extension(certificate, context, NID_key_usage, "critical,digitalSignature");
      add_extension(certificate, context, NID_ext_key_usage, "clientAuth");
      return;
    case CertificateRole::kGateway:
      add_extension(certificate, context, NID_basic_constraints, "critical,CA:FALSE");
      add_extension(certificate, context, NID_key_usage, "critical,digitalSignature");
      add_extension(certificate, context, NID_ext_key_usage, "clientAuth,serverAuth");
      return;
    case CertificateRole::kBroker:
      add_extension(certificate, context, NID_basic_constraints, "critical,CA:FALSE");
      add_extension(certificate, context, NID_key_usage, "critical,digitalSignature");
      add_extension(certificate, context, NID_ext_key_usage, "serverAuth");
      return;
  }
}

int64_t seconds_of(const ASN1_TIME *time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return static_cast<int64_t>(timegm(&parts));
}

}  // namespace

KeyPtr generate_p256_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("generating a P-256 key");
  return key;
}

bool is_p256_key(EVP_PKEY *key) {
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) return false;
  return std::string(group, length) == SN_X9_62_prime256v1;
}

CertificatePtr issue_certificate(const CertificateSpec &spec, EVP_PKEY *subject_key, X509 *issuer,
                                 EVP_PKEY *issuer_key) {
  CertificatePtr certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1) {
    fail("creating a certificate");
  }
  set_random_serial(certificate.get());
  X509_NAME *subject = X509_get_subject_name(certificate.get());
  if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char *>(spec.common_name.c_str()),
                                 -1, -1, 0) != 1) {
    fail("certificate subject CN '" + spec.common_name + "'");
  }
  X509 *signer = issuer != nullptr ? issuer : certificate.get();
  if (X509_set_issuer_name(certificate.get(), X509_get_subject_name(signer)) != 1 ||
      X509_set_pubkey(certificate.get(), subject_key) != 1) {
    fail("setting the certificate's issuer and key");
  }
  set_validity(certificate.get(), spec.not_before_s, spec.not_after_s);

  X509V3_CTX context;
  X509V3_set_ctx(&context, signer, certificate.get(), nullptr, nullptr, 0);
  add_role_extensions(certificate.get(), &context, spec.role);
  add_extension(certificate.get(), &context, NID_subject_key_identifier, "hash");
  add_extension(certificate.get(), &context, NID_authority_key_identifier, "keyid:always");
  const std::string names = subject_alt_names(spec);
  if (!names.empty()) add_extension(certificate.get(), &context, NID_subject_alt_name, names);

  if (X509_sign(certificate.get(), issuer_key, EVP_sha256()) <= 0) fail("signing the certificate");
  return certificate;
}

std::string certificate_pem(X509 *certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) fail("writing a certificate as PEM");
  return bio_text(bio.get());
}

std::string private_key_pem(EVP_PKEY *key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("writing a private key as PEM");
  }
  return bio_text(bio.get());
}

CertificatePtr certificate_from_pem(const std::string &pem, const std::string &source) {
  BioPtr bio = read_bio(pem.data(), pem.size());
  CertificatePtr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) fail(source + ": not a PEM certificate");
  return certificate;
}

KeyPtr private_key_from_pem(const std::string &pem, const std::string &source) {
  BioPtr bio = read_bio(pem.data(), pem.size());
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail(source + ": not an unencrypted PEM private key");
  return key;
}

std::string serial_hex(const X509 *certificate) {
  BIGNUM *number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
  char *text = number != nullptr ? BN_bn2hex(number) : nullptr;
  BN_free(number);
  if (text == nullptr) fail("reading a serial number");
  std::string hex(text);
  OPENSSL_free(text);
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return hex;
}

std::string common_name(X509 *certificate) {
  X509_NAME *subject = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return "";
  const ASN1_STRING *value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  return std::string(reinterpret_cast<const char *>(ASN1_STRING_get0_data(value)),
                     static_cast<size_t>(ASN1_STRING_length(value)));
}

int64_t not_before_s(const X509 *certificate) {
  return seconds_of(X509_get0_notBefore(certificate));
}

int64_t not_after_s(const X509 *certificate) {
  return seconds_of(X509_get0_notAfter(certificate));
}

bool is_ip_address(const std::string &text) {
  unsigned char address[16];
  return inet_pton(AF_INET, text.c_str(), address) == 1 ||
         inet_pton(AF_INET6, text.c_str(), address) == 1;
}

bool is_host_name(const std::string &text) {
  if (text.empty() || text.size() > 253 || text.front() == '.' || text.front() == '-') return false;
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '.' || c == '-'; });
}

}  // namespace sotto::gw::pki
