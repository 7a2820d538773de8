// The HTTP API's door: authenticates each request (Authenticator), refuses it with 401 or 403
// and a named code when its route needs more, and writes the audit log: every refusal, and
// every operator action with its outcome. Counts refusals by code for /metrics.
//
// Not thread-safe: sottod calls it on the HTTP loop's thread.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "audit_log.h"
#include "authenticator.h"
#include "router.h"

namespace sotto::gw {

class ApiGuard {
 public:
  ApiGuard(Authenticator &authenticator, AuditLog &audit)
      : authenticator_(authenticator), audit_(audit) {}

  struct Admission {
    std::optional<Caller> caller;     // admitted
    std::optional<Response> refused;  // or the 401/403 to send (already audited)
  };
  Admission admit(const Request &request, const RequestContext &context, const RouteAccess &access);
  // An operator action's outcome, from the response its handler gave.
  void record(const Caller &caller, const RequestContext &context, const RouteAccess &access,
              const Request &request, const Response &response);

  // sotto_api_refused_total{code=...} and the audit log's own counters, as Prometheus text.
  std::string render_metrics() const;

 private:
  Authenticator &authenticator_;
  AuditLog &audit_;
  std::map<std::string, uint64_t> refused_;  // by code
};

// "POST /api/v1/rollouts?site=x" as the audit log shows a request: printable, at most 300 bytes.
std::string audit_target(const Request &request);

}  // namespace sotto::gw
