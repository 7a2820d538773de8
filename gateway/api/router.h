// Maps HTTP requests to the store's reader and the metrics. Every API handler answers JSON (or
// Prometheus text); bad parameters get 400 naming the parameter, unknown paths 404, text that
// is not UTF-8 400 bad_encoding (it is never echoed). Other areas add routes: the rollout API by
// prefix, the dashboard's page and files by exact path. With an ApiGuard every request is checked
// for its route's role first (401 and 403 with a named code) and operator actions are audited;
// exact routes (the dashboard's page and static files) are open: they hold no fleet data.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "api_token.h"
#include "ingest_health.h"
#include "metrics.h"
#include "store.h"

namespace sotto::gw {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// What the connection tells about a request, for the audit log.
struct RequestContext {
  std::string remote;  // the client's address
};

// What a route needs from its caller.
struct RouteAccess {
  bool open = false;          // anyone, without a token (/healthz)
  Role role = Role::kViewer;  // otherwise: the least role
  std::string action;         // an operator action's audit name ("rollout.start"); "" for reads
};

// Extra routes other areas register (the rollout API), by exact path prefix, with the access
// each request needs.
using RouteHandler = std::function<Response(const Request &, const std::string &path,
                                            const std::map<std::string, std::string> &query)>;
using AccessRule = std::function<RouteAccess(const Request &, const std::string &path)>;

class ApiGuard;

// What the read endpoints need besides the store.
struct ApiSettings {
  int64_t aggregate_window_s = 3600;  // the only window the store keeps
  int64_t low_battery_mv = 3300;
};

class Router {
 public:
  Router(StoreReader &reader, const Metrics &metrics, const IngestHealth &health,
         const ApiSettings &settings)
      : reader_(reader), metrics_(metrics), health_(health), settings_(settings) {}
  Response handle(const Request &request, const RequestContext &context = {});
  void set_low_battery_mv(int64_t millivolts) { settings_.low_battery_mv = millivolts; }
  void add_prefix_route(std::string prefix, RouteHandler handler, AccessRule access);
  // From now on every request is authenticated and checked against its route's access.
  void protect(ApiGuard &guard) { guard_ = &guard; }
  // More Prometheus text for /metrics, from the areas that count it.
  void add_metrics(std::function<std::string()> render) { metrics_sources_.push_back(render); }
  // A handler for exactly this path (the dashboard's page and files), checked before the API's
  // and open to anyone (see access_of).
  void add_exact_route(std::string path, RouteHandler handler);

 private:
  struct PrefixRoute {
    RouteHandler handler;
    AccessRule access;
  };
  RouteAccess access_of(const Request &request, const std::string &path) const;
  Response route(const Request &request, const std::string &path,
                 const std::map<std::string, std::string> &query);

  StoreReader &reader_;
  const Metrics &metrics_;
  const IngestHealth &health_;
  ApiSettings settings_;
  std::map<std::string, PrefixRoute> prefix_routes_;
  std::vector<std::function<std::string()>> metrics_sources_;
  ApiGuard *guard_ = nullptr;
  std::map<std::string, RouteHandler> exact_routes_;
};

// Builders shared with routes registered by other areas.
Response json_response(const Request &request, http::status status, const std::string &body);
// {"error": message, "code": code} (no "code" when empty); message is made printable UTF-8.
Response error_response(const Request &request, http::status status, const std::string &message,
                        const std::string &code = "");
// The same for a request that could not be read: HTTP/1.1, and the connection closes after it.
Response error_reply(http::status status, const std::string &code, const std::string &message);
// A bad query parameter: whatever route throws it, the Router answers 400 with its message.
class BadParameter : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// An integer parameter within [min, max], or fallback when absent; throws BadParameter.
int64_t integer_parameter(const std::map<std::string, std::string> &query, const std::string &name,
                          int64_t min, int64_t max, int64_t fallback);
// Splits "?a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string> parse_query(const std::string &query);

}  // namespace sotto::gw
