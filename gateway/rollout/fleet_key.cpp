// PEM public key → the raw point the device verifies with (mbedTLS pk parser).
#include "fleet_key.h"

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

#include "file_bytes.h"

namespace sotto::gw {

std::array<uint8_t, kPublicKeyBytes> load_public_key_pem_file(const std::string &path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file_bytes(path);
  } catch (const std::runtime_error &error) {
    throw std::runtime_error(std::string("fleet key: ") + error.what());
  }
  return public_key_from_pem(std::string(bytes.begin(), bytes.end()), path);
}

std::array<uint8_t, kPublicKeyBytes> public_key_from_pem(const std::string &pem,
                                                         const std::string &source) {
  mbedtls_pk_context pk;
  mbedtls_pk_init(&pk);
  std::array<uint8_t, kPublicKeyBytes> point{};
  // mbedTLS wants the terminating NUL counted in a PEM buffer's length.
  int rc = mbedtls_pk_parse_public_key(&pk, reinterpret_cast<const unsigned char *>(pem.c_str()),
                                       pem.size() + 1);
  std::string problem;
  if (rc != 0) {
    char code[16];
    std::snprintf(code, sizeof code, "-0x%04x", static_cast<unsigned>(-rc));
    problem = std::string("not a PEM public key (mbedTLS ") + code + ")";
  } else if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY ||
             mbedtls_pk_ec(pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
    problem = "not an ECDSA P-256 key";
  } else {
    size_t written = 0;
    mbedtls_ecp_keypair *ec = mbedtls_pk_ec(pk);
    if (mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &written,
                                       point.data(), point.size()) != 0 ||
        written != point.size()) {
      problem = "cannot encode the public point";
    }
  }
  mbedtls_pk_free(&pk);
  if (!problem.empty()) {
    throw std::runtime_error("fleet key " + source + ": " + problem);
  }
  return point;
}

}  // namespace sotto::gw
