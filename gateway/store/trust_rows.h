// What the gateway keeps about who may do what, as the storage seam (store.h) passes it: the
// HTTP API's bearer tokens (only a hash of each), the audit log of operator actions and refused
// requests, and the fleet signing keys the gateway knows devices trust.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sotto::gw {

struct ApiTokenRow {
  std::string token_id;  // the token's public part ("sotto_<token_id>_<secret>"), 16 hex digits
  std::string name;      // unique among unrevoked tokens; the audit log's "who"
  std::string role;      // viewer | operator
  std::vector<uint8_t> salt;
  std::vector<uint8_t> hash;  // PBKDF2-HMAC-SHA256 of the secret (gateway/auth/api_token.h)
  int64_t iterations = 0;
  int64_t created_ms = 0;
  std::optional<int64_t> revoked_ms;
};

struct AuditRow {
  int64_t id = 0;  // assigned on append, increasing
  int64_t time_ms = 0;
  std::string who;       // a token's name, "anonymous" (no token), or "local:<user>" (sottoctl)
  std::string token_id;  // the token presented, "" when none could be read
  std::string remote;    // the client's address, "" for local commands
  std::string action;    // rollout.start, rollout.pause, ..., keys.rotate, token.create, access
  std::string target;    // what it was about: the request ("POST /api/v1/rollouts?site=x")
  int64_t status = 0;    // the HTTP status answered (0 for local commands)
  std::string outcome;   // ok | refused | failed
  std::string detail;    // the error message, or what was done ("rollout 4")
};

struct AuditFilter {
  int64_t limit = 100;
  std::optional<int64_t> before_id;  // newest first, older than this id
};

// A fleet signing key the gateway has heard of. Which devices trust it follows from the key
// rollouts (rollout_rows.h): a device trusts a key that was provisioned or that a key rotation
// it activated added, until a key rotation it activated retires it.
struct FleetKeyRow {
  int64_t key_id = 0;               // uint32: first four bytes of SHA-256(public key)
  std::vector<uint8_t> public_key;  // 65-byte uncompressed P-256 point
  int64_t first_seen_ms = 0;
  bool provisioned = false;              // devices were built trusting it
  std::optional<int64_t> distrusted_ms;  // `sottoctl keys retire`: the gateway signs off it
};

}  // namespace sotto::gw
