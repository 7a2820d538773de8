// The HTTP API's TLS settings: the gateway's certificate chain and key, TLS 1.2 and 1.3 only,
// ECDHE key exchange with AEAD ciphers for TLS 1.2 (TLS 1.3 has nothing else).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <string>

namespace sotto::gw {

// Throws std::runtime_error naming the file and OpenSSL's reason when one does not load or the
// key does not belong to the certificate.
boost::asio::ssl::context make_server_tls_context(const std::string &certificate_file,
                                                  const std::string &key_file);

}  // namespace sotto::gw
