// GET /api/v1/audit over StoreReader::audit.
#include "audit_routes.h"

#include <boost/json.hpp>

#include "time_format.h"
#include "utf8_text.h"

namespace sotto::gw {
namespace {

constexpr const char *kPath = "/api/v1/audit";

boost::json::object entry_json(const AuditRow &row) {
  return boost::json::object{{"id", row.id},
                             {"time", iso8601_utc(row.time_ms)},
                             {"who", printable_utf8(row.who)},
                             {"token_id", row.token_id},
                             {"remote", row.remote},
                             {"action", row.action},
                             {"target", printable_utf8(row.target)},
                             {"status", row.status},
                             {"outcome", row.outcome},
                             {"detail", printable_utf8(row.detail)}};
}

Response handle(StoreReader &reader, const Request &request, const std::string &path,
                const std::map<std::string, std::string> &query) {
  if (path != kPath) {
    return error_response(request, http::status::not_found, "no such endpoint: " + path);
  }
  if (request.method() != http::verb::get) {
    return error_response(request, http::status::method_not_allowed,
                          std::string("only GET is served on ") + kPath);
  }
  for (const auto &[name, value] : query) {
    if (name != "limit" && name != "before_id") {
      return error_response(request, http::status::bad_request,
                            "unknown parameter '" + name + "' (limit, before_id)");
    }
  }
  AuditFilter filter;
  filter.limit = integer_parameter(query, "limit", 1, 1000, 100);
  if (query.count("before_id")) {
    filter.before_id = integer_parameter(query, "before_id", 1, INT64_MAX, 0);
  }
  const std::vector<AuditRow> rows = reader.audit(filter);
  boost::json::array entries;
  for (const AuditRow &row : rows) entries.push_back(entry_json(row));
  boost::json::value next = nullptr;
  if (static_cast<int64_t>(rows.size()) == filter.limit) next = rows.back().id;
  return json_response(request, http::status::ok,
                       boost::json::serialize(boost::json::object{{"entries", std::move(entries)},
                                                                  {"next_before_id", next}}));
}

}  // namespace

void add_audit_routes(Router &router, StoreReader &reader, std::function<void()> wait_for_queued) {
  router.add_prefix_route(
      kPath,
      [&reader, wait_for_queued](const Request &request, const std::string &path,
                                 const std::map<std::string, std::string> &query) {
        if (wait_for_queued) wait_for_queued();
        return handle(reader, request, path, query);
      },
      [](const Request &, const std::string &) {
        RouteAccess access;
        access.role = Role::kOperator;
        return access;
      });
}

}  // namespace sotto::gw
