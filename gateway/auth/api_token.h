// The HTTP API's bearer tokens. A token reads "sotto_<token id>_<secret>": the id (8 random
// bytes, 16 hex digits) finds the stored row, the secret (32 random bytes, 64 hex digits) proves
// the holder. The gateway keeps only PBKDF2-HMAC-SHA256 of the secret with a salt of its own, so
// a copy of the database (a backup) lets nobody use a token, and compares in constant time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trust_rows.h"

namespace sotto::gw {

enum class Role { kViewer, kOperator };

const char *role_name(Role role);  // "viewer" | "operator"
std::optional<Role> role_from_name(std::string_view name);
// True when a caller of role `has` may do what needs role `needs` (an operator may also read).
inline bool role_allows(Role has, Role needs) {
  return has == Role::kOperator || needs == Role::kViewer;
}

// Unrevoked token names: what the audit log shows as "who".
constexpr size_t kMaxTokenNameBytes = 64;
// True for 1..64 characters of [A-Za-z0-9._@-]; throws nothing.
bool is_valid_token_name(std::string_view name);

struct TokenParts {
  std::string token_id;
  std::string secret;
};
// nullopt unless text has exactly the shape above (lower-case hex).
std::optional<TokenParts> parse_token(std::string_view text);

// Every new token's hash cost. Stored with each token, so raising it affects only new ones.
constexpr int64_t kTokenHashIterations = 100000;

struct NewToken {
  std::string text;  // shown once to whoever created it; never stored
  ApiTokenRow row;
};
// A fresh token from the system's random source (throws std::runtime_error if it fails).
NewToken make_token(const std::string &name, Role role, int64_t created_ms);

// PBKDF2-HMAC-SHA256 (32 bytes) of secret.
std::vector<uint8_t> hash_token_secret(std::string_view secret, const std::vector<uint8_t> &salt,
                                       int64_t iterations);
// Whether secret is the one row holds a hash of; the comparison takes the same time wherever
// the two hashes differ.
bool token_secret_matches(std::string_view secret, const ApiTokenRow &row);

}  // namespace sotto::gw
