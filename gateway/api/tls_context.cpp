// OpenSSL server context for the HTTPS API (see the header).
#include "tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace sotto::gw {
namespace {

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no reason given";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace

boost::asio::ssl::context make_server_tls_context(const std::string &certificate_file,
                                                  const std::string &key_file) {
  namespace ssl = boost::asio::ssl;
  ssl::context context(ssl::context::tls_server);
  SSL_CTX *native = context.native_handle();
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  if (SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
    throw std::runtime_error("http TLS: no usable cipher suite: " + openssl_reason());
  }
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, certificate_file.c_str()) != 1) {
    throw std::runtime_error("http.tls_certificate: cannot load " + certificate_file + ": " +
                             openssl_reason());
  }
  if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL 3 checks the key against the certificate as it loads it.
    if (ERR_GET_REASON(ERR_peek_error()) == X509_R_KEY_VALUES_MISMATCH) {
      throw std::runtime_error("http.tls_key: " + key_file + " is not the key of " +
                               certificate_file + ": " + openssl_reason());
    }
    throw std::runtime_error("http.tls_key: cannot load " + key_file + ": " + openssl_reason());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("http.tls_key: " + key_file + " is not the key of " +
                             certificate_file + ": " + openssl_reason());
  }
  return context;
}

}  // namespace sotto::gw
