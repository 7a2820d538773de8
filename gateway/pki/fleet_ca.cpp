// See fleet_ca.h.
#include "fleet_ca.h"

#include <openssl/bn.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

#include "file_bytes.h"
#include "sotto/device.h"

namespace sotto::gw::pki {
namespace {

std::string read_text(const std::string &path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

[[noreturn]] void fail(const std::string &what) {
  throw std::runtime_error(with_openssl_reason(what));
}

using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslFree<ASN1_INTEGER, ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslFree<ASN1_TIME, ASN1_TIME_free>>;

Asn1IntegerPtr integer_from_hex(const std::string &hex) {
  BIGNUM *number = nullptr;
  if (BN_hex2bn(&number, hex.c_str()) != static_cast<int>(hex.size())) {
    BN_free(number);
    throw std::runtime_error("serial '" + hex + "' in the CA registry is not hex");
  }
  Asn1IntegerPtr integer(BN_to_ASN1_INTEGER(number, nullptr));
  BN_free(number);
  if (!integer) fail("converting serial " + hex);
  return integer;
}

Asn1TimePtr time_at(int64_t seconds) {
  Asn1TimePtr time(ASN1_TIME_set(nullptr, static_cast<time_t>(seconds)));
  if (!time) fail("converting time " + std::to_string(seconds));
  return time;
}

bool all_digits(const std::string &text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string device_uri(const std::string &site, const std::string &device) {
  return "sotto://" + site + "/" + device;
}

bool is_valid_id(const std::string &id) {
  return sotto_id_is_valid(id.c_str()) != 0;
}

void check_identity(const DeviceIdentity &identity) {
  if (!is_valid_id(identity.device)) {
    throw std::invalid_argument("device id '" + identity.device +
                                "' does not match [a-z0-9][a-z0-9-]{0,31}");
  }
  if (!is_valid_id(identity.site)) {
    throw std::invalid_argument("site '" + identity.site +
                                "' does not match [a-z0-9][a-z0-9-]{0,31}");
  }
  const std::string &device_class = identity.device_class;
  const bool number_ok =
      all_digits(device_class) && device_class.size() <= 3 && std::stoi(device_class) <= 255;
  const bool name_ok = !all_digits(device_class) && is_valid_id(device_class);
  if (!number_ok && !name_ok) {
    throw std::invalid_argument("device class '" + device_class +
                                "': expected a name matching [a-z0-9][a-z0-9-]{0,31} or a number "
                                "0..255");
  }
}

void check_request_is_for(const CertificateRequest &request, const DeviceIdentity &identity) {
  if (request.common_name != identity.device) {
    throw CsrError("certificate request: its subject CN is '" + request.common_name +
                   "', expected the device id '" + identity.device + "'");
  }
  const std::string expected = device_uri(identity.site, identity.device);
  for (const std::string &uri : request.uris) {
    if (uri != expected) {
      throw CsrError("certificate request: it asks for the name '" + uri + "', expected '" +
                     expected + "' (site '" + identity.site + "')");
    }
  }
}

FleetCa::FleetCa(const PkiPaths &paths)
    : certificate_(certificate_from_pem(read_text(paths.ca_certificate()), paths.ca_certificate())),
      key_(private_key_from_pem(read_text(paths.ca_key()), paths.ca_key())) {
  if (X509_check_private_key(certificate_.get(), key_.get()) != 1) {
    fail(paths.ca_key() + " is not the key of " + paths.ca_certificate());
  }
}

FleetCa::FleetCa(CertificatePtr certificate, KeyPtr key)
    : certificate_(std::move(certificate)), key_(std::move(key)) {
  if (X509_check_private_key(certificate_.get(), key_.get()) != 1) {
    fail("the CA key is not the certificate's");
  }
}

CertificatePtr FleetCa::issue_device(const CertificateRequest &request,
                                     const DeviceIdentity &identity, int64_t not_before_s,
                                     int64_t not_after_s) const {
  CertificateSpec spec;
  spec.role = CertificateRole::kDevice;
  spec.common_name = identity.device;
  spec.uris = {device_uri(identity.site, identity.device)};
  spec.not_before_s = not_before_s;
  spec.not_after_s = not_after_s;
  return issue_certificate(spec, request.public_key.get(), certificate_.get(), key_.get());
}

std::string FleetCa::crl_pem(const std::vector<IssuedCertificate> &certificates, int64_t crl_number,
                             int64_t now_s) const {
  CrlPtr crl(X509_CRL_new());
  const Asn1TimePtr now = time_at(now_s);
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(certificate_.get())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), now.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), X509_get0_notAfter(certificate_.get())) != 1) {
    fail("creating the CRL");
  }
  for (const IssuedCertificate &issued : certificates) {
    if (!issued.revoked()) continue;
    X509_REVOKED *entry = X509_REVOKED_new();
    const Asn1IntegerPtr serial = integer_from_hex(issued.serial);
    const Asn1TimePtr when = time_at(issued.revoked_s);
    if (entry == nullptr || X509_REVOKED_set_serialNumber(entry, serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry, when.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry) != 1) {
      X509_REVOKED_free(entry);
      fail("adding serial " + issued.serial + " to the CRL");
    }
  }
  X509_CRL_sort(crl.get());
  const Asn1IntegerPtr number(ASN1_INTEGER_new());
  X509V3_CTX context;
  X509V3_set_ctx(&context, certificate_.get(), nullptr, nullptr, crl.get(), 0);
  X509_EXTENSION *authority =
      X509V3_EXT_conf_nid(nullptr, &context, NID_authority_key_identifier, "keyid:always");
  const bool extensions_ok =
      number && ASN1_INTEGER_set_int64(number.get(), crl_number) == 1 &&
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) == 1 &&
      authority != nullptr && X509_CRL_add_ext(crl.get(), authority, -1) == 1;
  X509_EXTENSION_free(authority);
  if (!extensions_ok) fail("adding the CRL number and authority key id");
  if (X509_CRL_sign(crl.get(), key_.get(), EVP_sha256()) <= 0) fail("signing the CRL");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) fail("writing the CRL as PEM");
  return bio_text(bio.get());
}

int64_t crl_number_of(const std::string &path) {
  std::ifstream exists(path);
  if (!exists) return 0;
  const std::string pem = read_text(path);
  BioPtr bio = read_bio(pem.data(), pem.size());
  CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) fail(path + ": not a PEM CRL");
  auto *number = static_cast<ASN1_INTEGER *>(
      X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr));
  int64_t value = 0;
  const bool ok = number != nullptr && ASN1_INTEGER_get_int64(&value, number) == 1;
  ASN1_INTEGER_free(number);
  if (!ok) fail(path + ": the CRL has no crlNumber");
  return value;
}

}  // namespace sotto::gw::pki
