// Who is calling the HTTP API: reads "Authorization: Bearer sotto_..." and checks it against the
// stored token rows (api_token.h). The row is read on every request, so a token revoked with
// `sottoctl token revoke` is refused from the next request on, without a reload. PBKDF2 runs
// once per token per process: a verified token is remembered by its id with the SHA-256 of what
// was presented, and later requests compare against that in constant time.
//
// Not thread-safe: sottod calls it on the HTTP loop's thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api_token.h"
#include "store.h"

namespace sotto::gw {

struct Caller {
  std::string name;      // the token's name, or "anonymous" (no token, authentication off)
  std::string token_id;  // "" for anonymous
  Role role = Role::kViewer;
};

// A request refused before it reached its handler.
struct AuthRefusal {
  int status = 401;      // 401 (no valid token) or 403 (a role too low)
  std::string code;      // missing_token | malformed_token | invalid_token | insufficient_role
  std::string message;   // for the client: what was wrong and what is expected
  std::string detail;    // for the audit log only (which check failed, which token)
  std::string who;       // the token's name when one was found, else "anonymous"
  std::string token_id;  // as presented, when it could be read
};

struct AuthOutcome {
  std::optional<Caller> caller;  // set when admitted
  AuthRefusal refusal;           // otherwise
};

class Authenticator {
 public:
  // required: requests without a token are refused (401); otherwise they run as an anonymous
  // operator, which sottod allows only on loopback. A token that is sent is always checked.
  Authenticator(StoreReader &reader, bool required) : reader_(reader), required_(required) {}
  bool required() const { return required_; }

  // authorization: the Authorization header's value, nullopt when absent.
  AuthOutcome authenticate(const std::optional<std::string_view> &authorization);

 private:
  using Digest = std::array<uint8_t, 32>;
  struct Verified {
    Digest presented;
    std::vector<uint8_t> stored_hash;
  };

  bool verify(const TokenParts &token, const ApiTokenRow &row);

  StoreReader &reader_;
  bool required_;
  std::map<std::string, Verified> verified_;  // by token id
};

}  // namespace sotto::gw
