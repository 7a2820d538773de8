// openssl req / x509 runs for TLS test fixtures (ECDSA P-256, a day's validity).
#include "test_pki.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "process.h"

namespace sotto::test {
namespace {

void run(const std::string &command, const std::string &log) {
  if (std::system((command + " >>" + log + " 2>&1").c_str()) != 0) {
    throw std::runtime_error("test PKI: '" + command + "' failed:\n" + read_file(log));
  }
}

void make_ca(const std::string &dir, const std::string &name, const std::string &log) {
  run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=" +
          name + " -keyout " + dir + "/" + name + ".key -out " + dir + "/" + name + ".pem",
      log);
}

// A server certificate the test CA signed for the names in subject_alt_name.
void make_server_certificate(const std::string &dir, const std::string &name,
                             const std::string &subject_alt_name, const std::string &log) {
  std::ofstream(dir + "/" + name + ".ext")
      << "subjectAltName = " << subject_alt_name << "\nextendedKeyUsage = serverAuth\n";
  run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=sottod "
      "-keyout " +
          dir + "/" + name + ".key -out " + dir + "/" + name + ".csr",
      log);
  run("openssl x509 -req -in " + dir + "/" + name + ".csr -CA " + dir + "/test-ca.pem -CAkey " +
          dir + "/test-ca.key -CAcreateserial -days 1 -extfile " + dir + "/" + name + ".ext -out " +
          dir + "/" + name + ".pem",
      log);
}

}  // namespace

TestPki make_test_pki(const std::string &dir) {
  const std::string log = dir + "/openssl.log";
  make_ca(dir, "test-ca", log);
  make_ca(dir, "other-ca", log);
  make_server_certificate(dir, "server", "IP:127.0.0.1", log);
  make_server_certificate(dir, "misnamed", "DNS:gateway.invalid", log);
  return TestPki{dir + "/test-ca.pem",  dir + "/server.pem",   dir + "/server.key",
                 dir + "/misnamed.pem", dir + "/misnamed.key", dir + "/other-ca.pem"};
}

}  // namespace sotto::test
