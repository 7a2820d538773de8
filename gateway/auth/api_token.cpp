// Token text, generation and hashing through OpenSSL (RAND_bytes, PKCS5_PBKDF2_HMAC,
// CRYPTO_memcmp).
#include "api_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace sotto::gw {
namespace {

constexpr std::string_view kPrefix = "sotto_";
constexpr size_t kTokenIdBytes = 8;
constexpr size_t kSecretBytes = 32;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::vector<uint8_t> random_bytes(size_t count) {
  std::vector<uint8_t> bytes(count);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("token: the system's random source failed");
  }
  return bytes;
}

std::string hex(const std::vector<uint8_t> &bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 15];
  }
  return out;
}

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

const char *role_name(Role role) {
  return role == Role::kOperator ? "operator" : "viewer";
}

std::optional<Role> role_from_name(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "operator") return Role::kOperator;
  return std::nullopt;
}

bool is_valid_token_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTokenNameBytes) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<TokenParts> parse_token(std::string_view text) {
  const size_t id_digits = 2 * kTokenIdBytes;
  const size_t secret_digits = 2 * kSecretBytes;
  if (text.size() != kPrefix.size() + id_digits + 1 + secret_digits) return std::nullopt;
  if (text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view id = text.substr(kPrefix.size(), id_digits);
  if (text[kPrefix.size() + id_digits] != '_') return std::nullopt;
  const std::string_view secret = text.substr(kPrefix.size() + id_digits + 1);
  if (!is_lower_hex(id) || !is_lower_hex(secret)) return std::nullopt;
  return TokenParts{std::string(id), std::string(secret)};
}

NewToken make_token(const std::string &name, Role role, int64_t created_ms) {
  NewToken token;
  token.row.token_id = hex(random_bytes(kTokenIdBytes));
  const std::string secret = hex(random_bytes(kSecretBytes));
  token.text = std::string(kPrefix) + token.row.token_id + "_" + secret;
  token.row.name = name;
  token.row.role = role_name(role);
  token.row.salt = random_bytes(kSaltBytes);
  token.row.iterations = kTokenHashIterations;
  token.row.hash = hash_token_secret(secret, token.row.salt, token.row.iterations);
  token.row.created_ms = created_ms;
  return token;
}

std::vector<uint8_t> hash_token_secret(std::string_view secret, const std::vector<uint8_t> &salt,
                                       int64_t iterations) {
  std::vector<uint8_t> hash(kHashBytes);
  if (iterations < 1 || iterations > INT32_MAX ||
      PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()), salt.data(),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(hash.size()), hash.data()) != 1) {
    throw std::runtime_error("token: cannot hash (PBKDF2 with " + std::to_string(iterations) +
                             " iterations)");
  }
  return hash;
}

bool token_secret_matches(std::string_view secret, const ApiTokenRow &row) {
  if (row.hash.size() != kHashBytes) return false;
  const std::vector<uint8_t> hash = hash_token_secret(secret, row.salt, row.iterations);
  return CRYPTO_memcmp(hash.data(), row.hash.data(), kHashBytes) == 0;
}

}  // namespace sotto::gw
