// The device's PKCS#10 certificate signing request (RFC 2986), DER, written back to front with
// mbedTLS's ASN.1 writer: first the CertificationRequestInfo into a stack buffer (it is what gets
// signed), then signature, algorithm and the info itself into the caller's buffer.
#include <mbedtls/asn1write.h>
#include <string.h>

#include "crypto/ecdsa_p256.h"
#include "crypto/sha256.h"
#include "sotto/device.h"
#include "sotto/identity.h"

namespace {

// OID contents (DER, without tag and length).
const uint8_t kOidCommonName[] = {0x55, 0x04, 0x03};                           // 2.5.4.3
const uint8_t kOidEcPublicKey[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};  // 1.2.840.10045.2.1
const uint8_t kOidPrime256v1[] = {0x2a, 0x86, 0x48, 0xce,
                                  0x3d, 0x03, 0x01, 0x07};  // 1.2.840.10045.3.1.7
const uint8_t kOidExtensionRequest[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                        0x0d, 0x01, 0x09, 0x0e};  // 1.2.840.113549.1.9.14
const uint8_t kOidSubjectAltName[] = {0x55, 0x1d, 0x11};          // 2.5.29.17
const uint8_t kOidEcdsaWithSha256[] = {0x2a, 0x86, 0x48, 0xce,
                                       0x3d, 0x04, 0x03, 0x02};  // 1.2.840.10045.4.3.2

constexpr uint8_t kSequence = 0x30;
constexpr uint8_t kSet = 0x31;
constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kBitString = 0x03;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kUtf8String = 0x0c;
constexpr uint8_t kUriName = 0x86;            // GeneralName [6] IA5String
constexpr uint8_t kRequestAttributes = 0xa0;  // [0] IMPLICIT SET OF Attribute

constexpr char kUriScheme[] = "sotto://";
constexpr size_t kUriMaxBytes = sizeof kUriScheme - 1 + 32 + 1 + 32;
constexpr size_t kInfoMaxBytes = 288;  // the CertificationRequestInfo's worst case, with room

// Back-to-front DER writer over [start, p): every call prepends; the first failure (no room)
// sticks, and later calls write nothing.
struct DerWriter {
  unsigned char *p;
  unsigned char *start;
  bool ok;

  size_t take(int written) {
    if (written < 0) {
      ok = false;
      return 0;
    }
    return static_cast<size_t>(written);
  }
  size_t raw(const uint8_t *bytes, size_t len) {
    return ok ? take(mbedtls_asn1_write_raw_buffer(&p, start, bytes, len)) : 0;
  }
  size_t byte(uint8_t value) { return raw(&value, 1); }
  size_t oid(const uint8_t *oid, size_t len) {
    return ok ? take(mbedtls_asn1_write_oid(&p, start, reinterpret_cast<const char *>(oid), len))
              : 0;
  }
  // Tag and length around the content_len bytes written just before.
  size_t wrap(size_t content_len, uint8_t tag) {
    if (!ok) {
      return 0;
    }
    const size_t len = take(mbedtls_asn1_write_len(&p, start, content_len));
    return content_len + len + (ok ? take(mbedtls_asn1_write_tag(&p, start, tag)) : 0);
  }
  // A non-negative INTEGER from 32 big-endian bytes: leading zeros dropped, one zero byte added
  // when the top bit is set.
  size_t unsigned_integer(const uint8_t value[32]) {
    size_t skip = 0;
    while (skip < 31 && value[skip] == 0) {
      ++skip;
    }
    size_t len = raw(value + skip, 32 - skip);
    if ((value[skip] & 0x80) != 0) {
      len += byte(0);
    }
    return wrap(len, kInteger);
  }
};

// CertificationRequestInfo ::= SEQUENCE { version 0, subject, subjectPKInfo, [0] attributes }.
size_t write_request_info(DerWriter &der, const char *site, const char *device_id,
                          const uint8_t public_key[65]) {
  char uri[kUriMaxBytes + 1];
  size_t uri_len = 0;
  const char *const parts[] = {kUriScheme, site, "/", device_id};
  for (const char *part : parts) {
    const size_t len = strlen(part) + 1;  // the terminator too, overwritten by the next part
    memcpy(uri + uri_len, part, len);
    uri_len += len - 1;
  }
  // attributes: { extensionRequest: { subjectAltName: [URI] } }
  size_t names = der.wrap(der.raw(reinterpret_cast<const uint8_t *>(uri), uri_len), kUriName);
  names = der.wrap(names, kSequence);  // GeneralNames
  size_t extension = der.wrap(names, kOctetString);
  extension += der.oid(kOidSubjectAltName, sizeof kOidSubjectAltName);
  extension = der.wrap(extension, kSequence);
  const size_t extensions = der.wrap(extension, kSequence);
  size_t attribute = der.wrap(extensions, kSet);
  attribute += der.oid(kOidExtensionRequest, sizeof kOidExtensionRequest);
  attribute = der.wrap(attribute, kSequence);
  size_t info = der.wrap(attribute, kRequestAttributes);

  // subjectPKInfo: { { id-ecPublicKey, prime256v1 }, BIT STRING point }
  size_t key = der.wrap(der.raw(public_key, 65) + der.byte(0), kBitString);
  size_t algorithm = der.oid(kOidPrime256v1, sizeof kOidPrime256v1);
  algorithm += der.oid(kOidEcPublicKey, sizeof kOidEcPublicKey);
  key += der.wrap(algorithm, kSequence);
  info += der.wrap(key, kSequence);

  // subject: CN = device id
  size_t name = der.wrap(der.raw(reinterpret_cast<const uint8_t *>(device_id), strlen(device_id)),
                         kUtf8String);
  name += der.oid(kOidCommonName, sizeof kOidCommonName);
  name = der.wrap(der.wrap(der.wrap(name, kSequence), kSet), kSequence);
  info += name;

  info += der.ok ? der.take(mbedtls_asn1_write_int(&der.p, der.start, 0)) : 0;  // version
  return der.wrap(info, kSequence);
}

}  // namespace

extern "C" sotto_err_t sotto_identity_build_csr(const sotto_identity_port_t *identity,
                                                const char *site, const char *device_id,
                                                uint8_t *out, size_t out_size, size_t *out_len) {
  if (identity == nullptr || site == nullptr || device_id == nullptr || out == nullptr ||
      out_len == nullptr || !sotto_id_is_valid(site) || !sotto_id_is_valid(device_id)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (identity->public_key == nullptr || identity->sign_digest == nullptr) {
    return SOTTO_ERR_NOT_CONFIGURED;
  }
  uint8_t public_key[65];
  sotto_err_t err = identity->public_key(identity->ctx, public_key);
  if (err != SOTTO_OK) {
    return err;
  }
  if (!sotto_ecdsa_p256_key_valid(public_key)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }

  unsigned char info[kInfoMaxBytes];
  DerWriter info_der{info + sizeof info, info, true};
  const size_t info_len = write_request_info(info_der, site, device_id, public_key);
  if (!info_der.ok) {
    return SOTTO_ERR_BUFFER_TOO_SMALL;  // cannot happen with valid ids: kInfoMaxBytes has room
  }
  uint8_t digest[SOTTO_SHA256_BYTES];
  sotto_sha256(info_der.p, info_len, digest);
  uint8_t signature[SOTTO_P256_SIGNATURE_BYTES];
  err = identity->sign_digest(identity->ctx, digest, signature);
  if (err != SOTTO_OK) {
    return err;
  }

  // CertificationRequest ::= SEQUENCE { info, { ecdsa-with-SHA256 }, BIT STRING Ecdsa-Sig-Value }
  DerWriter der{out + out_size, out, true};
  size_t value = der.unsigned_integer(signature + 32);
  value += der.unsigned_integer(signature);
  size_t request = der.wrap(der.wrap(value, kSequence) + der.byte(0), kBitString);
  request += der.wrap(der.oid(kOidEcdsaWithSha256, sizeof kOidEcdsaWithSha256), kSequence);
  request += der.raw(info_der.p, info_len);
  request = der.wrap(request, kSequence);
  if (!der.ok) {
    return SOTTO_ERR_BUFFER_TOO_SMALL;
  }
  memmove(out, der.p, request);
  *out_len = request;
  return SOTTO_OK;
}
