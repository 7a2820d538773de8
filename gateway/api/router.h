// Maps HTTP requests to the read model and metrics. Every handler answers JSON (or Prometheus
// text); bad parameters get 400 naming the parameter, unknown paths 404.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <string>

#include "fleet_queries.h"
#include "metrics.h"

namespace sotto::gw {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Extra routes other areas register (the rollout API), by exact path prefix.
using RouteHandler = std::function<Response(const Request &, const std::string &path,
                                            const std::map<std::string, std::string> &query)>;

class Router {
 public:
  Router(FleetQueries &queries, const Metrics &metrics) : queries_(queries), metrics_(metrics) {}
  Response handle(const Request &request);
  void add_prefix_route(std::string prefix, RouteHandler handler);

 private:
  Response route(const Request &request, const std::string &path,
                 const std::map<std::string, std::string> &query);

  FleetQueries &queries_;
  const Metrics &metrics_;
  std::map<std::string, RouteHandler> prefix_routes_;
};

// Builders shared with routes registered by other areas.
Response json_response(const Request &request, http::status status, const std::string &body);
Response error_response(const Request &request, http::status status, const std::string &message);
// Splits "?a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string> parse_query(const std::string &query);

}  // namespace sotto::gw
