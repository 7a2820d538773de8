// Owning handles for the OpenSSL objects the fleet PKI uses, and the text of OpenSSL's error
// queue for messages. libcrypto is already linked through Paho; it is used here because it can
// write CRLs, which Debian's mbedTLS 2.28 cannot.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace sotto::gw::pki {

template <typename T, void (*Free)(T *)>
struct OpenSslFree {
  void operator()(T *object) const { Free(object); }
};

using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY, EVP_PKEY_free>>;
using CertificatePtr = std::unique_ptr<X509, OpenSslFree<X509, X509_free>>;
using RequestPtr = std::unique_ptr<X509_REQ, OpenSslFree<X509_REQ, X509_REQ_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, OpenSslFree<X509_CRL, X509_CRL_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO, BIO_free_all>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslFree<GENERAL_NAMES, GENERAL_NAMES_free>>;

// "reason (OpenSSL: first queued error)" and clears the queue, so one failure never leaks its
// errors into the next call's message.
std::string with_openssl_reason(const std::string &reason);

// A memory BIO reading bytes (not copied: the bytes must outlive it).
BioPtr read_bio(const void *bytes, size_t size);
// The contents a memory BIO was written to.
std::string bio_text(BIO *bio);

}  // namespace sotto::gw::pki
