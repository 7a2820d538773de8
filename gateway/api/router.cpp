// The HTTP API of sottod: /api/v1/{fleet,devices,events,aggregates,quarantine}, /healthz,
// /metrics, the routes other areas add, and the access check in front of all of them.
#include "router.h"

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "api_guard.h"
#include "json_views.h"
#include "topic.h"
#include "utf8_text.h"

namespace sotto::gw {
namespace {

std::optional<std::string> id_parameter(const std::map<std::string, std::string> &query,
                                        const std::string &name) {
  auto found = query.find(name);
  if (found == query.end()) return std::nullopt;
  if (!is_valid_id(found->second))
    throw BadParameter(name + ": '" + found->second + "' is not an id [a-z0-9][a-z0-9-]{0,31}");
  return found->second;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(const std::string &text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// Text the handlers would echo must be UTF-8: names what is not, without echoing it.
std::optional<std::string> encoding_problem(const std::string &path,
                                            const std::map<std::string, std::string> &query) {
  const auto describe = [](const std::string &what, const std::string &text) {
    const std::optional<size_t> at = first_invalid_utf8(text);
    if (!at) return std::optional<std::string>();
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*at]));
    return std::optional<std::string>(what + ": not UTF-8 (byte " + byte + " at offset " +
                                      std::to_string(*at) + "); expected UTF-8 text");
  };
  if (auto problem = describe("path", path)) return problem;
  for (const auto &[name, value] : query) {
    if (first_invalid_utf8(name)) return "query: a parameter name is not UTF-8";
    if (auto problem = describe("query parameter '" + name + "'", value)) return problem;
  }
  return std::nullopt;
}

}  // namespace

int64_t integer_parameter(const std::map<std::string, std::string> &query, const std::string &name,
                          int64_t min, int64_t max, int64_t fallback) {
  auto found = query.find(name);
  if (found == query.end()) return fallback;
  char *end = nullptr;
  long long value = std::strtoll(found->second.c_str(), &end, 10);
  if (found->second.empty() || *end != '\0' || value < min || value > max) {
    throw BadParameter(name + ": expected an integer " + std::to_string(min) + ".." +
                       std::to_string(max) + ", got '" + found->second + "'");
  }
  return value;
}

std::map<std::string, std::string> parse_query(const std::string &query) {
  std::map<std::string, std::string> pairs;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    std::string item =
        query.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t equals = item.find('=');
    if (!item.empty()) {
      pairs[percent_decode(item.substr(0, equals))] =
          equals == std::string::npos ? std::string() : percent_decode(item.substr(equals + 1));
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return pairs;
}

Response json_response(const Request &request, http::status status, const std::string &body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::server, "sottod");
  response.keep_alive(request.keep_alive());
  response.body() = body;
  response.prepare_payload();
  return response;
}

namespace {

std::string error_body(const std::string &message, const std::string &code) {
  boost::json::object body{{"error", printable_utf8(message)}};
  if (!code.empty()) body["code"] = code;
  return boost::json::serialize(body);
}

}  // namespace

Response error_response(const Request &request, http::status status, const std::string &message,
                        const std::string &code) {
  return json_response(request, status, error_body(message, code));
}

Response error_reply(http::status status, const std::string &code, const std::string &message) {
  Response response{status, 11};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::server, "sottod");
  response.keep_alive(false);
  response.body() = error_body(message, code);
  response.prepare_payload();
  return response;
}

void Router::add_prefix_route(std::string prefix, RouteHandler handler, AccessRule access) {
  prefix_routes_[std::move(prefix)] = PrefixRoute{std::move(handler), std::move(access)};
}

void Router::add_exact_route(std::string path, RouteHandler handler) {
  exact_routes_[std::move(path)] = std::move(handler);
}

RouteAccess Router::access_of(const Request &request, const std::string &path) const {
  RouteAccess access;
  // The dashboard's page and files carry no fleet data; the page itself asks for a token and
  // every API call it makes is checked like any other.
  if (exact_routes_.count(path) != 0) {
    access.open = true;
    return access;
  }
  for (const auto &[prefix, route] : prefix_routes_) {
    if (path.rfind(prefix, 0) == 0) return route.access(request, path);
  }
  access.open = path == "/healthz";  // readiness probes carry no token
  return access;
}

Response Router::handle(const Request &request, const RequestContext &context) {
  std::string target(request.target());
  size_t question = target.find('?');
  std::string path = target.substr(0, question);
  auto query = parse_query(question == std::string::npos ? "" : target.substr(question + 1));
  const RouteAccess access = access_of(request, path);
  std::optional<Caller> caller;
  if (guard_ != nullptr && !access.open) {
    ApiGuard::Admission admission = guard_->admit(request, context, access);
    if (admission.refused) return std::move(*admission.refused);
    caller = std::move(admission.caller);
  }
  Response response = [&] {
    if (auto problem = encoding_problem(path, query)) {
      return error_response(request, http::status::bad_request, *problem, "bad_encoding");
    }
    try {
      return route(request, path, query);
    } catch (const BadParameter &error) {
      return error_response(request, http::status::bad_request, error.what());
    } catch (const std::exception &error) {
      return error_response(request, http::status::internal_server_error, error.what());
    }
  }();
  if (caller && !access.action.empty()) guard_->record(*caller, context, access, request, response);
  return response;
}

Response Router::route(const Request &request, const std::string &path,
                       const std::map<std::string, std::string> &query) {
  if (auto exact = exact_routes_.find(path); exact != exact_routes_.end()) {
    return exact->second(request, path, query);
  }
  for (const auto &[prefix, prefix_route] : prefix_routes_) {
    if (path.rfind(prefix, 0) == 0) return prefix_route.handler(request, path, query);
  }
  if (request.method() != http::verb::get) {
    return error_response(request, http::status::method_not_allowed,
                          "only GET is served on " + path);
  }
  if (path == "/healthz") {
    // Ready means subscribed, taking messages and committing them; otherwise 503 says why.
    const IngestHealth::View view = health_.view();
    boost::json::object body{{"mqtt_subscribed", view.subscribed}};
    if (view.healthy()) {
      body["status"] = "ok";
    } else if (view.backpressure) {
      body["status"] = "backpressure";
      body["reason"] = *view.backpressure;
    } else if (view.store_stall) {
      body["status"] = "store_stalled";
      body["reason"] = *view.store_stall;
    } else {
      body["status"] = "connecting";
      body["reason"] = "not subscribed to the broker yet";
    }
    return json_response(request,
                         view.healthy() ? http::status::ok : http::status::service_unavailable,
                         boost::json::serialize(body));
  }
  if (path == "/metrics") {
    Response response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.keep_alive(request.keep_alive());
    response.body() = metrics_.render();
    for (const auto &render : metrics_sources_) response.body() += render();
    response.prepare_payload();
    return response;
  }
  if (path == "/api/v1/fleet") {
    return json_response(request, http::status::ok,
                         boost::json::serialize(fleet_json(reader_.site_summaries(
                             settings_.low_battery_mv, settings_.aggregate_window_s))));
  }
  if (path == "/api/v1/devices") {
    boost::json::array devices;
    for (const DeviceRecord &device : reader_.devices(id_parameter(query, "site")))
      devices.push_back(device_json(device));
    return json_response(request, http::status::ok,
                         boost::json::serialize(boost::json::object{{"devices", devices}}));
  }
  const std::string device_prefix = "/api/v1/devices/";
  if (path.rfind(device_prefix, 0) == 0) {
    std::string id = path.substr(device_prefix.size());
    if (!is_valid_id(id))
      throw BadParameter("device: '" + id + "' is not an id [a-z0-9][a-z0-9-]{0,31}");
    auto device = reader_.device(id);
    if (!device)
      return error_response(request, http::status::not_found, "unknown device '" + id + "'");
    return json_response(request, http::status::ok, boost::json::serialize(device_json(*device)));
  }
  if (path == "/api/v1/events") {
    EventFilter filter;
    filter.device = id_parameter(query, "device");
    filter.site = id_parameter(query, "site");
    if (auto kind = query.find("kind"); kind != query.end()) {
      filter.kind = kind_from_name(kind->second);
      if (!filter.kind) {
        throw BadParameter("kind: expected anomaly, classification, threshold or heartbeat, got '" +
                           kind->second + "'");
      }
    }
    if (query.count("before_id"))
      filter.before_id = integer_parameter(query, "before_id", 1, INT64_MAX, 0);
    filter.limit = static_cast<int>(integer_parameter(query, "limit", 1, 1000, 100));
    return json_response(request, http::status::ok,
                         boost::json::serialize(event_page_json(reader_.events(filter))));
  }
  if (path == "/api/v1/aggregates") {
    auto scope = query.find("scope");
    std::string scope_name = scope == query.end() ? "site" : scope->second;
    if (scope_name != "site" && scope_name != "device") {
      throw BadParameter("scope: expected site or device, got '" + scope_name + "'");
    }
    auto id = id_parameter(query, "id");
    if (!id) throw BadParameter("id: required (the site or device to aggregate)");
    const AggregateScope scope_value =
        scope_name == "site" ? AggregateScope::kSite : AggregateScope::kDevice;
    return json_response(request, http::status::ok,
                         boost::json::serialize(aggregates_json(
                             scope_name, *id, settings_.aggregate_window_s,
                             reader_.aggregates(scope_value, *id, settings_.aggregate_window_s))));
  }
  if (path == "/api/v1/quarantine") {
    const int64_t limit = integer_parameter(query, "limit", 1, 1000, 100);
    return json_response(request, http::status::ok,
                         boost::json::serialize(quarantine_json(reader_.quarantine(limit),
                                                                reader_.quarantine_count())));
  }
  return error_response(request, http::status::not_found, "no such endpoint: " + path);
}

}  // namespace sotto::gw
