// Certificates for TLS tests, made with the openssl command line in a test's directory: a CA,
// a server certificate it signed for the address 127.0.0.1 (no name to resolve: minimal roots
// have no /etc/hosts), one it signed for another name only (a client that connects to 127.0.0.1
// must refuse it by name), and a second CA that signed nothing the server uses (a client that
// trusts only it must refuse the server).
#pragma once

#include <string>

namespace sotto::test {

struct TestPki {
  std::string ca_certificate;
  std::string server_certificate;  // chain: the server's certificate
  std::string server_key;
  std::string misnamed_certificate;  // signed by the CA for gateway.invalid, not 127.0.0.1
  std::string misnamed_key;
  std::string other_ca_certificate;
};

// Writes the files under dir; throws std::runtime_error with openssl's output when it fails.
TestPki make_test_pki(const std::string &dir);

}  // namespace sotto::test
