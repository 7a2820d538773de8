// Bearer token checks (see the header), with RFC 6750's scheme: "Bearer" and one token.
#include "authenticator.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cctype>

namespace sotto::gw {
namespace {

// More distinct tokens than any fleet's operators hold; past it the memory starts over.
constexpr size_t kMaxRemembered = 1024;

AuthRefusal refusal(std::string code, std::string message, std::string detail,
                    std::string who = "anonymous", std::string token_id = "") {
  return AuthRefusal{401,
                     std::move(code),
                     std::move(message),
                     std::move(detail),
                     std::move(who),
                     std::move(token_id)};
}

bool starts_with_bearer(std::string_view value) {
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return false;
  }
  return true;
}

}  // namespace

AuthOutcome Authenticator::authenticate(const std::optional<std::string_view> &authorization) {
  AuthOutcome outcome;
  if (!authorization) {
    if (!required_) {
      outcome.caller = Caller{"anonymous", "", Role::kOperator};
      return outcome;
    }
    outcome.refusal =
        refusal("missing_token", "authentication required: send Authorization: Bearer TOKEN",
                "no Authorization header");
    return outcome;
  }
  const std::string_view value = *authorization;
  constexpr const char *kExpected =
      "expected Authorization: Bearer sotto_<16 hex digits>_<64 hex digits>";
  if (!starts_with_bearer(value)) {
    outcome.refusal = refusal("malformed_token", std::string("Authorization: ") + kExpected,
                              "Authorization header is not a Bearer token");
    return outcome;
  }
  const std::optional<TokenParts> token = parse_token(value.substr(7));
  if (!token) {
    outcome.refusal = refusal("malformed_token", std::string("bearer token: ") + kExpected,
                              "the bearer token is not a sotto token");
    return outcome;
  }
  const std::string invalid = "bearer token " + token->token_id + " is unknown, revoked or wrong";
  const std::optional<ApiTokenRow> row = reader_.api_token(token->token_id);
  if (!row) {
    outcome.refusal =
        refusal("invalid_token", invalid, "no token has this id", "anonymous", token->token_id);
    return outcome;
  }
  if (row->revoked_ms) {
    verified_.erase(row->token_id);
    outcome.refusal = refusal("invalid_token", invalid, "token '" + row->name + "' was revoked",
                              row->name, row->token_id);
    return outcome;
  }
  const std::optional<Role> role = role_from_name(row->role);
  if (!role || !verify(*token, *row)) {
    outcome.refusal =
        refusal("invalid_token", invalid,
                !role ? "token '" + row->name + "' has an unknown role '" + row->role + "'"
                      : "wrong secret for token '" + row->name + "'",
                row->name, row->token_id);
    return outcome;
  }
  outcome.caller = Caller{row->name, row->token_id, *role};
  return outcome;
}

bool Authenticator::verify(const TokenParts &token, const ApiTokenRow &row) {
  Digest presented{};
  SHA256(reinterpret_cast<const unsigned char *>(token.secret.data()), token.secret.size(),
         presented.data());
  auto known = verified_.find(row.token_id);
  if (known != verified_.end() && known->second.stored_hash == row.hash) {
    return CRYPTO_memcmp(known->second.presented.data(), presented.data(), presented.size()) == 0;
  }
  if (!token_secret_matches(token.secret, row)) return false;
  if (verified_.size() >= kMaxRemembered) verified_.clear();
  verified_[row.token_id] = Verified{presented, row.hash};
  return true;
}

}  // namespace sotto::gw
