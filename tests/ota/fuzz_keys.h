// The fixed P-256 keys of the OTA fuzz harnesses (ota_envelope_fuzz.cpp,
// ota_key_rotation_fuzz.cpp) and of their seeds (ota_fuzz_seeds.cpp). Private keys derive from
// a label and signatures are deterministic (RFC 6979), so seed files and every signature a
// harness makes are the same on every run. Host only (Debian's mbedTLS).
#ifndef SOTTO_TESTS_OTA_FUZZ_KEYS_H
#define SOTTO_TESTS_OTA_FUZZ_KEYS_H

#include <mbedtls/ecdsa.h>
#include <mbedtls/sha256.h>
#include <stdint.h>
#include <string.h>

#include "sotto/ota.h"

namespace sotto::fuzz {

class FuzzKey {
 public:
  explicit FuzzKey(const char *label) {
    mbedtls_ecp_group_init(&group_);
    mbedtls_mpi_init(&private_);
    mbedtls_ecp_point_init(&public_);
    uint8_t scalar[32];
    mbedtls_sha256_ret(reinterpret_cast<const uint8_t *>(label), strlen(label), scalar, 0);
    size_t written = 0;
    if (mbedtls_ecp_group_load(&group_, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
        mbedtls_mpi_read_binary(&private_, scalar, sizeof scalar) != 0 ||
        mbedtls_ecp_check_privkey(&group_, &private_) != 0 ||
        mbedtls_ecp_mul(&group_, &public_, &private_, &group_.G, nullptr, nullptr) != 0 ||
        mbedtls_ecp_point_write_binary(&group_, &public_, MBEDTLS_ECP_PF_UNCOMPRESSED, &written,
                                       public_key_, sizeof public_key_) != 0) {
      __builtin_trap();  // a fixed label: cannot happen at one run and not at another
    }
    key_id_ = sotto_ota_key_id(public_key_);
  }
  ~FuzzKey() {
    mbedtls_ecp_point_free(&public_);
    mbedtls_mpi_free(&private_);
    mbedtls_ecp_group_free(&group_);
  }
  FuzzKey(const FuzzKey &) = delete;
  FuzzKey &operator=(const FuzzKey &) = delete;

  const uint8_t *public_key() const { return public_key_; }
  uint32_t key_id() const { return key_id_; }

  // Raw r || s over SHA-256(data).
  void sign(const uint8_t *data, size_t len, uint8_t signature[64]) const {
    uint8_t digest[32];
    mbedtls_sha256_ret(data, len, digest, 0);
    mbedtls_mpi r;
    mbedtls_mpi s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    if (mbedtls_ecdsa_sign_det_ext(&group_, &r, &s, &private_, digest, sizeof digest,
                                   MBEDTLS_MD_SHA256, nullptr, nullptr) != 0 ||
        mbedtls_mpi_write_binary(&r, signature, 32) != 0 ||
        mbedtls_mpi_write_binary(&s, signature + 32, 32) != 0) {
      __builtin_trap();
    }
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
  }

 private:
  mutable mbedtls_ecp_group group_;  // mbedTLS's signing API takes it non-const
  mbedtls_mpi private_;
  mbedtls_ecp_point public_;
  uint8_t public_key_[SOTTO_OTA_PUBLIC_KEY_BYTES] = {};
  uint32_t key_id_ = 0;
};

// The key the fuzzed devices were provisioned with: it signs manifests and rotations.
inline const FuzzKey &device_key() {
  static const FuzzKey key("sotto fuzz: provisioned key");
  return key;
}

// The key the rotation seeds add (it signs their proof of possession).
inline const FuzzKey &added_key() {
  static const FuzzKey key("sotto fuzz: added key");
  return key;
}

}  // namespace sotto::fuzz

#endif  // SOTTO_TESTS_OTA_FUZZ_KEYS_H
