// Maps HTTP requests to the store's reader and the metrics. Every API handler answers JSON (or
// Prometheus text); bad parameters get 400 naming the parameter, unknown paths 404. Other areas
// add routes: the rollout API by prefix, the dashboard's page and files by exact path.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <string>

#include "ingest_health.h"
#include "metrics.h"
#include "store.h"

namespace sotto::gw {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Extra routes other areas register (the rollout API), by exact path prefix.
using RouteHandler = std::function<Response(const Request &, const std::string &path,
                                            const std::map<std::string, std::string> &query)>;

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
  Response handle(const Request &request);
  void set_low_battery_mv(int64_t millivolts) { settings_.low_battery_mv = millivolts; }
  void add_prefix_route(std::string prefix, RouteHandler handler);
  // A handler for exactly this path (the dashboard's page and files), checked before the API's.
  void add_exact_route(std::string path, RouteHandler handler);

 private:
  Response route(const Request &request, const std::string &path,
                 const std::map<std::string, std::string> &query);

  StoreReader &reader_;
  const Metrics &metrics_;
  const IngestHealth &health_;
  ApiSettings settings_;
  std::map<std::string, RouteHandler> prefix_routes_;
  std::map<std::string, RouteHandler> exact_routes_;
};

// Builders shared with routes registered by other areas.
Response json_response(const Request &request, http::status status, const std::string &body);
Response error_response(const Request &request, http::status status, const std::string &message);
// Splits "?a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string> parse_query(const std::string &query);

}  // namespace sotto::gw
