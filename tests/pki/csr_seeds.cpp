// Seed requests for the csr fuzz target (run by run_fuzz.sh at test time, so nothing binary is
// committed): valid requests in DER and PEM, with and without the site URI, for the fuzz
// target's site and for another, so mutations start past parsing and signature checks.
// Usage: sotto_pki_fuzz_seeds csr DIR
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "certificate.h"
#include "csr.h"

namespace {

bool write_file(const std::string &path, const void *data, size_t size) {
  FILE *file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return false;
  const bool ok = std::fwrite(data, 1, size, file) == size;
  return std::fclose(file) == 0 && ok;
}

}  // namespace

int main(int argc, char **argv) {
  using namespace sotto::gw::pki;
  if (argc != 3 || std::strcmp(argv[1], "csr") != 0) {
    std::fprintf(stderr, "usage: sotto_pki_fuzz_seeds csr DIR\n");
    return 2;
  }
  const std::string dir = argv[2];
  struct Seed {
    const char *device;
    std::vector<std::string> uris;
  };
  const Seed seeds[] = {
      {"soil-7", {"sotto://farm-north/soil-7"}},
      {"soil-7", {}},
      {"a", {"sotto://farm-north/a"}},
      {"abcdefghijklmnopqrstuvwxyz012345", {"sotto://farm-north/abcdefghijklmnopqrstuvwxyz012345"}},
      {"press-1", {"sotto://plant-1/press-1"}},  // another site: refused after the signature
      {"Bad_Id", {"sotto://farm-north/Bad_Id"}},
  };
  int index = 0;
  for (const Seed &seed : seeds) {
    KeyPtr key = generate_p256_key();
    const std::vector<uint8_t> der = certificate_request_der(key.get(), seed.device, seed.uris);
    const std::string pem = certificate_request_pem(key.get(), seed.device, seed.uris);
    const std::string base = dir + "/csr-" + std::to_string(index++);
    if (!write_file(base + ".der", der.data(), der.size()) ||
        !write_file(base + ".pem", pem.data(), pem.size())) {
      std::fprintf(stderr, "sotto_pki_fuzz_seeds: cannot write %s\n", base.c_str());
      return 1;
    }
  }
  return 0;
}
