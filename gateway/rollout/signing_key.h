// The fleet's ECDSA P-256 signing key (mbedTLS): generate, store as PEM, load, sign digests.
#ifndef SOTTO_GW_ROLLOUT_SIGNING_KEY_H
#define SOTTO_GW_ROLLOUT_SIGNING_KEY_H

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace sotto::gw {

constexpr size_t kPublicKeyBytes = 65;  // uncompressed point, as the device holds it
constexpr size_t kSignatureBytes = 64;  // raw r || s

class SigningKey {
 public:
  // A fresh key from the system's entropy source.
  static SigningKey generate();
  // A private key in PEM (SEC1 or PKCS#8); throws std::runtime_error naming what is wrong.
  static SigningKey from_private_pem(const std::string &pem);
  static SigningKey load_private_pem_file(const std::string &path);

  SigningKey(SigningKey &&) noexcept;
  SigningKey &operator=(SigningKey &&) noexcept;
  ~SigningKey();

  std::string private_pem() const;
  std::string public_pem() const;
  std::array<uint8_t, kPublicKeyBytes> public_key() const;
  // First four bytes of SHA-256(public_key()), big-endian: what SignedManifest.key_id names.
  uint32_t key_id() const;
  // Deterministic ECDSA (RFC 6979) over a SHA-256 digest.
  std::array<uint8_t, kSignatureBytes> sign_digest(const std::array<uint8_t, 32> &digest) const;

 private:
  struct State;
  explicit SigningKey(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Writes DIR/signing_key.pem (mode 0600, created so) and DIR/signing_key.pub.pem; creates DIR.
// Refuses to overwrite an existing private key. Throws std::runtime_error.
void write_key_pair(const std::string &dir, const SigningKey &key);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_SIGNING_KEY_H
