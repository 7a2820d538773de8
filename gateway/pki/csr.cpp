// See csr.h. Every check here runs on bytes an outsider chose (tests/fuzz/csr_fuzz.cpp).
#include "csr.h"

#include <openssl/pem.h>

#include <cstring>

#include "certificate.h"

namespace sotto::gw::pki {
namespace {

using ExtensionsPtr =
    std::unique_ptr<STACK_OF(X509_EXTENSION), void (*)(STACK_OF(X509_EXTENSION) *)>;

void free_extensions(STACK_OF(X509_EXTENSION) * extensions) {
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
}

[[noreturn]] void refuse(const std::string &what) {
  throw CsrError(with_openssl_reason("certificate request: " + what));
}

RequestPtr parse(const uint8_t *bytes, size_t size) {
  static const char kPemStart[] = "-----BEGIN";
  if (size >= sizeof kPemStart - 1 && std::memcmp(bytes, kPemStart, sizeof kPemStart - 1) == 0) {
    BioPtr bio = read_bio(bytes, size);
    RequestPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!request) refuse("not a PEM CERTIFICATE REQUEST");
    return request;
  }
  const unsigned char *next = bytes;
  RequestPtr request(d2i_X509_REQ(nullptr, &next, static_cast<long>(size)));
  if (!request) refuse("not a DER PKCS#10 request");
  if (next != bytes + size) {
    refuse(std::to_string(bytes + size - next) + " bytes after the DER request");
  }
  return request;
}

std::string only_common_name(X509_REQ *request) {
  X509_NAME *subject = X509_REQ_get_subject_name(request);
  const int first = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (first < 0) refuse("the subject has no CN");
  if (X509_NAME_get_index_by_NID(subject, NID_commonName, first) >= 0) {
    refuse("the subject has more than one CN");
  }
  unsigned char *utf8 = nullptr;
  const int length =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, first)));
  if (length < 0) refuse("the subject's CN is not a string");
  std::string name(reinterpret_cast<char *>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return name;
}

std::vector<std::string> requested_uris(X509_REQ *request) {
  ExtensionsPtr extensions(X509_REQ_get_extensions(request), free_extensions);
  std::vector<std::string> uris;
  if (!extensions) return uris;
  int critical = -1;
  NamesPtr names(static_cast<GENERAL_NAMES *>(
      X509V3_get_d2i(extensions.get(), NID_subject_alt_name, &critical, nullptr)));
  if (!names) {
    if (critical == -1) return uris;  // no subjectAltName requested
    refuse(critical == -2 ? "more than one subjectAltName extension"
                          : "the subjectAltName extension cannot be decoded");
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;  // the CA writes its own names; only URIs are checked
    const ASN1_IA5STRING *uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char *>(ASN1_STRING_get0_data(uri)),
                      static_cast<size_t>(ASN1_STRING_length(uri)));
  }
  return uris;
}

RequestPtr build(EVP_PKEY *key, const std::string &common_name,
                 const std::vector<std::string> &uris) {
  RequestPtr request(X509_REQ_new());
  if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1) {
    refuse("cannot create one");
  }
  if (X509_NAME_add_entry_by_NID(
          X509_REQ_get_subject_name(request.get()), NID_commonName, MBSTRING_UTF8,
          reinterpret_cast<const unsigned char *>(common_name.c_str()), -1, -1, 0) != 1 ||
      X509_REQ_set_pubkey(request.get(), key) != 1) {
    refuse("cannot set subject CN '" + common_name + "' and key");
  }
  if (!uris.empty()) {
    std::string names;
    for (const std::string &uri : uris) names += (names.empty() ? "URI:" : ",URI:") + uri;
    ExtensionsPtr extensions(sk_X509_EXTENSION_new_null(), free_extensions);
    X509_EXTENSION *alt_names =
        X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, names.c_str());
    if (!extensions || alt_names == nullptr ||
        sk_X509_EXTENSION_push(extensions.get(), alt_names) == 0) {
      X509_EXTENSION_free(alt_names);
      refuse("cannot encode subjectAltName '" + names + "'");
    }
    if (X509_REQ_add_extensions(request.get(), extensions.get()) != 1) {
      refuse("cannot add the subjectAltName extension");
    }
  }
  if (X509_REQ_sign(request.get(), key, EVP_sha256()) <= 0) refuse("cannot sign it");
  return request;
}

}  // namespace

CertificateRequest read_certificate_request(const uint8_t *bytes, size_t size) {
  if (size == 0) throw CsrError("certificate request: empty");
  if (size > kMaxCsrBytes) {
    throw CsrError("certificate request: " + std::to_string(size) + " bytes, more than the " +
                   std::to_string(kMaxCsrBytes) + " accepted");
  }
  RequestPtr request = parse(bytes, size);
  CertificateRequest result;
  result.public_key.reset(X509_REQ_get_pubkey(request.get()));
  if (!result.public_key) refuse("its public key cannot be decoded");
  if (!is_p256_key(result.public_key.get())) refuse("the key is not an EC P-256 key");
  if (X509_REQ_get_signature_nid(request.get()) != NID_ecdsa_with_SHA256) {
    refuse("signed with " + std::string(OBJ_nid2sn(X509_REQ_get_signature_nid(request.get()))) +
           ", expected ecdsa-with-SHA256");
  }
  if (X509_REQ_verify(request.get(), result.public_key.get()) != 1) {
    refuse("the signature does not verify with the request's own key");
  }
  result.common_name = only_common_name(request.get());
  result.uris = requested_uris(request.get());
  return result;
}

std::string certificate_request_pem(EVP_PKEY *key, const std::string &common_name,
                                    const std::vector<std::string> &uris) {
  RequestPtr request = build(key, common_name, uris);
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), request.get()) != 1) refuse("cannot write PEM");
  return bio_text(bio.get());
}

std::vector<uint8_t> certificate_request_der(EVP_PKEY *key, const std::string &common_name,
                                             const std::vector<std::string> &uris) {
  RequestPtr request = build(key, common_name, uris);
  unsigned char *der = nullptr;
  const int length = i2d_X509_REQ(request.get(), &der);
  if (length <= 0) refuse("cannot write DER");
  std::vector<uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  return bytes;
}

}  // namespace sotto::gw::pki
