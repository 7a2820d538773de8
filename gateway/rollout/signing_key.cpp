// ECDSA P-256 keys through mbedTLS 2.28's pk/ecdsa APIs; the private key never leaves this file
// except as PEM written with mode 0600.
#include "signing_key.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "file_bytes.h"

namespace sotto::gw {

struct SigningKey::State {
  mbedtls_pk_context pk;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  State() {
    mbedtls_pk_init(&pk);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    static const char kPersonalization[] = "sotto-signing-key";
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                              reinterpret_cast<const unsigned char *>(kPersonalization),
                              sizeof kPersonalization - 1) != 0) {
      throw std::runtime_error("signing key: cannot seed the random generator");
    }
  }
  ~State() {
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    mbedtls_pk_free(&pk);
  }
  State(const State &) = delete;
  State &operator=(const State &) = delete;
  mbedtls_ecp_keypair &ec() { return *mbedtls_pk_ec(pk); }
};

namespace {

std::string mbedtls_message(int code) {
  std::ostringstream out;
  out << "mbedTLS error -0x" << std::hex << -code;
  return out.str();
}

}  // namespace

SigningKey::SigningKey(std::unique_ptr<State> state) : state_(std::move(state)) {}
SigningKey::SigningKey(SigningKey &&) noexcept = default;
SigningKey &SigningKey::operator=(SigningKey &&) noexcept = default;
SigningKey::~SigningKey() = default;

SigningKey SigningKey::generate() {
  auto state = std::make_unique<State>();
  int rc = mbedtls_pk_setup(&state->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
  if (rc == 0) {
    rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, &state->ec(), mbedtls_ctr_drbg_random,
                             &state->drbg);
  }
  if (rc != 0) {
    throw std::runtime_error("keygen: " + mbedtls_message(rc));
  }
  return SigningKey(std::move(state));
}

SigningKey SigningKey::from_private_pem(const std::string &pem) {
  auto state = std::make_unique<State>();
  int rc = mbedtls_pk_parse_key(&state->pk, reinterpret_cast<const unsigned char *>(pem.c_str()),
                                pem.size() + 1, nullptr, 0);
  if (rc != 0) {
    throw std::runtime_error("signing key: not a PEM private key (" + mbedtls_message(rc) + ")");
  }
  if (mbedtls_pk_get_type(&state->pk) != MBEDTLS_PK_ECKEY ||
      state->ec().grp.id != MBEDTLS_ECP_DP_SECP256R1) {
    throw std::runtime_error("signing key: expected an ECDSA P-256 key");
  }
  return SigningKey(std::move(state));
}

SigningKey SigningKey::load_private_pem_file(const std::string &path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file_bytes(path);
  } catch (const std::runtime_error &error) {
    throw std::runtime_error(std::string("signing key: ") + error.what());
  }
  return from_private_pem(std::string(bytes.begin(), bytes.end()));
}

std::string SigningKey::private_pem() const {
  std::vector<unsigned char> buffer(4096);
  int rc = mbedtls_pk_write_key_pem(&state_->pk, buffer.data(), buffer.size());
  if (rc != 0) {
    throw std::runtime_error("signing key: " + mbedtls_message(rc));
  }
  return std::string(reinterpret_cast<const char *>(buffer.data()));
}

std::string SigningKey::public_pem() const {
  std::vector<unsigned char> buffer(4096);
  int rc = mbedtls_pk_write_pubkey_pem(&state_->pk, buffer.data(), buffer.size());
  if (rc != 0) {
    throw std::runtime_error("signing key: " + mbedtls_message(rc));
  }
  return std::string(reinterpret_cast<const char *>(buffer.data()));
}

std::array<uint8_t, kPublicKeyBytes> SigningKey::public_key() const {
  std::array<uint8_t, kPublicKeyBytes> out{};
  size_t written = 0;
  int rc =
      mbedtls_ecp_point_write_binary(&state_->ec().grp, &state_->ec().Q,
                                     MBEDTLS_ECP_PF_UNCOMPRESSED, &written, out.data(), out.size());
  if (rc != 0 || written != out.size()) {
    throw std::runtime_error("signing key: cannot export the public key");
  }
  return out;
}

uint32_t SigningKey::key_id() const {
  auto key = public_key();
  unsigned char digest[32];
  mbedtls_sha256_ret(key.data(), key.size(), digest, 0);
  return (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) | (uint32_t{digest[2]} << 8) |
         digest[3];
}

std::array<uint8_t, kSignatureBytes> SigningKey::sign_digest(
    const std::array<uint8_t, 32> &digest) const {
  mbedtls_mpi r;
  mbedtls_mpi s;
  mbedtls_mpi_init(&r);
  mbedtls_mpi_init(&s);
  std::array<uint8_t, kSignatureBytes> out{};
  int rc = mbedtls_ecdsa_sign_det_ext(&state_->ec().grp, &r, &s, &state_->ec().d, digest.data(),
                                      digest.size(), MBEDTLS_MD_SHA256, mbedtls_ctr_drbg_random,
                                      &state_->drbg);
  if (rc == 0) {
    rc = mbedtls_mpi_write_binary(&r, out.data(), 32);
  }
  if (rc == 0) {
    rc = mbedtls_mpi_write_binary(&s, out.data() + 32, 32);
  }
  mbedtls_mpi_free(&s);
  mbedtls_mpi_free(&r);
  if (rc != 0) {
    throw std::runtime_error("sign: " + mbedtls_message(rc));
  }
  return out;
}

void write_key_pair(const std::string &dir, const SigningKey &key) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::runtime_error("keygen: cannot create " + dir + ": " + std::strerror(errno));
  }
  const std::string private_path = dir + "/signing_key.pem";
  const std::string pem = key.private_pem();
  write_new_file(private_path, pem.data(), pem.size(), 0600);
  std::ofstream pub(dir + "/signing_key.pub.pem", std::ios::binary | std::ios::trunc);
  pub << key.public_pem();
  if (!pub.flush()) {
    throw std::runtime_error("keygen: cannot write " + dir + "/signing_key.pub.pem");
  }
}

}  // namespace sotto::gw
