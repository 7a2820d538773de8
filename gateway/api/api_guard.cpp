// Authentication, role checks and audit rows for the Router (see the header).
#include "api_guard.h"

#include <boost/json.hpp>

#include "utf8_text.h"

namespace sotto::gw {
namespace {

constexpr size_t kMaxAuditTargetBytes = 300;

// What the response says happened: the new object's id, or the error message.
std::string outcome_detail(const Response &response) {
  boost::system::error_code error;
  const boost::json::value body = boost::json::parse(response.body(), error);
  if (error || !body.is_object()) return "";
  const boost::json::object &object = body.as_object();
  if (const auto *message = object.if_contains("error"); message && message->is_string()) {
    return std::string(message->as_string());
  }
  if (const auto *id = object.if_contains("id"); id && (id->is_int64() || id->is_uint64())) {
    return "id " + boost::json::serialize(*id);
  }
  if (const auto *id = object.if_contains("id"); id && id->is_string()) {
    return "id " + std::string(id->as_string());
  }
  return "";
}

}  // namespace

std::string audit_target(const Request &request) {
  std::string target =
      printable_utf8(std::string(request.method_string()) + " " + std::string(request.target()));
  if (target.size() > kMaxAuditTargetBytes) {
    target.resize(kMaxAuditTargetBytes);
    // Cut at a character boundary so the stored text stays UTF-8.
    while (!target.empty() && first_invalid_utf8(target)) target.pop_back();
    target += "...";
  }
  return target;
}

ApiGuard::Admission ApiGuard::admit(const Request &request, const RequestContext &context,
                                    const RouteAccess &access) {
  Admission admission;
  const auto header = request.find(http::field::authorization);
  const std::optional<std::string_view> authorization =
      header == request.end() ? std::nullopt
                              : std::optional<std::string_view>(std::string_view(
                                    header->value().data(), header->value().size()));
  AuthOutcome outcome = authenticator_.authenticate(authorization);
  AuthRefusal refusal = std::move(outcome.refusal);
  if (outcome.caller && !role_allows(outcome.caller->role, access.role)) {
    refusal = AuthRefusal{
        403,
        "insufficient_role",
        std::string("this needs the ") + role_name(access.role) + " role; token '" +
            outcome.caller->name + "' has " + role_name(outcome.caller->role),
        std::string("role ") + role_name(outcome.caller->role) + " below " + role_name(access.role),
        outcome.caller->name,
        outcome.caller->token_id};
  } else if (outcome.caller) {
    admission.caller = std::move(outcome.caller);
    return admission;
  }
  refused_[refusal.code] += 1;
  AuditRow row;
  row.who = refusal.who;
  row.token_id = refusal.token_id;
  row.remote = context.remote;
  row.action = access.action.empty() ? "read" : access.action;
  row.target = audit_target(request);
  row.status = refusal.status;
  row.outcome = "refused";
  row.detail = refusal.code + ": " + refusal.detail;
  audit_.record_refusal(std::move(row), refusal.status == 401 && refusal.who == "anonymous");
  Response response = error_response(
      request, refusal.status == 403 ? http::status::forbidden : http::status::unauthorized,
      refusal.message, refusal.code);
  if (refusal.status == 401) {
    // RFC 6750: what the client must send, and which error it made when it sent something.
    response.set(http::field::www_authenticate,
                 refusal.code == "missing_token"
                     ? std::string("Bearer realm=\"sottod\"")
                     : "Bearer realm=\"sottod\", error=\"invalid_token\"");
  }
  admission.refused = std::move(response);
  return admission;
}

void ApiGuard::record(const Caller &caller, const RequestContext &context,
                      const RouteAccess &access, const Request &request, const Response &response) {
  AuditRow row;
  row.who = caller.name;
  row.token_id = caller.token_id;
  row.remote = context.remote;
  row.action = access.action;
  row.target = audit_target(request);
  row.status = response.result_int();
  row.outcome = row.status < 400 ? "ok" : "failed";
  row.detail = printable_utf8(outcome_detail(response));
  audit_.record(std::move(row));
}

std::string ApiGuard::render_metrics() const {
  std::string out =
      "# HELP sotto_api_refused_total HTTP API requests refused before their handler, by code.\n"
      "# TYPE sotto_api_refused_total counter\n";
  for (const char *code :
       {"missing_token", "malformed_token", "invalid_token", "insufficient_role"}) {
    const auto found = refused_.find(code);
    out += std::string("sotto_api_refused_total{code=\"") + code + "\"} " +
           std::to_string(found == refused_.end() ? 0 : found->second) + "\n";
  }
  out +=
      "# HELP sotto_audit_write_failures_total Audit rows that could not be written.\n"
      "# TYPE sotto_audit_write_failures_total counter\n"
      "sotto_audit_write_failures_total " +
      std::to_string(audit_.write_failures()) +
      "\n"
      "# HELP sotto_audit_refusals_not_logged_total Anonymous refusals over the per-minute cap, "
      "counted but not logged one by one.\n"
      "# TYPE sotto_audit_refusals_not_logged_total counter\n"
      "sotto_audit_refusals_not_logged_total " +
      std::to_string(audit_.suppressed()) + "\n";
  return out;
}

}  // namespace sotto::gw
