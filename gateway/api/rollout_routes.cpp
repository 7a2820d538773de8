// HTTP → RolloutEngine: parameter checks and status codes; the engine does the work.
#include "rollout_routes.h"

#include <boost/json.hpp>
#include <sstream>

#include "wave_plan.h"

namespace sotto::gw {
namespace {

constexpr const char *kPrefix = "/api/v1/rollouts";

Response json_ok(const Request &request, http::status status, const boost::json::value &body) {
  return json_response(request, status, boost::json::serialize(body));
}

}  // namespace

http::status rollout_error_status(RolloutRequestError::Kind kind) {
  switch (kind) {
    case RolloutRequestError::Kind::kNotFound:
      return http::status::not_found;
    case RolloutRequestError::Kind::kConflict:
      return http::status::conflict;
    case RolloutRequestError::Kind::kBadRequest:
      break;
  }
  return http::status::bad_request;
}

RolloutStartRequest rollout_start_request(const Request &request,
                                          const std::map<std::string, std::string> &query,
                                          RolloutKind kind) {
  using Error = RolloutRequestError;
  RolloutStartRequest start;
  start.kind = kind;
  const std::string &body = request.body();
  if (body.empty()) {
    throw Error(Error::Kind::kBadRequest,
                kind == RolloutKind::kKeys
                    ? "body: expected the signed key rotation's bytes, got nothing"
                    : "body: expected the bundle file's bytes, got nothing");
  }
  start.payload.assign(body.begin(), body.end());
  for (const auto &[name, value] : query) {
    if (name == "site") {
      start.site = value;
    } else if (name == "devices") {
      std::stringstream list(value);
      for (std::string device; std::getline(list, device, ',');) {
        if (!device.empty()) start.devices.push_back(device);
      }
      if (start.devices.empty()) {
        throw Error(Error::Kind::kBadRequest, "devices: expected ID,ID,..., got '" + value + "'");
      }
    } else if (name == "waves") {
      try {
        start.waves = parse_waves(value);
      } catch (const std::invalid_argument &error) {
        throw Error(Error::Kind::kBadRequest, std::string("waves: ") + error.what());
      }
    } else if (name == "max_failure_pct") {
      char *end = nullptr;
      start.max_failure_pct = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(start.max_failure_pct >= 0) ||
          start.max_failure_pct > 100) {
        throw Error(Error::Kind::kBadRequest,
                    "max_failure_pct: expected a number 0..100, got '" + value + "'");
      }
    } else {
      throw Error(Error::Kind::kBadRequest,
                  "unknown parameter '" + name + "' (site, devices, waves, max_failure_pct)");
    }
  }
  return start;
}

namespace {

int64_t rollout_id(const std::string &text) {
  char *end = nullptr;
  long long id = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || id <= 0) {
    throw RolloutRequestError(RolloutRequestError::Kind::kBadRequest,
                              "rollout id: expected a positive integer, got '" + text + "'");
  }
  return id;
}

Response handle(RolloutEngine &engine, const Request &request, const std::string &path,
                const std::map<std::string, std::string> &query) {
  using Error = RolloutRequestError;
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;
  std::string rest = path.substr(std::string(kPrefix).size());
  if (rest.empty() || rest == "/") {
    if (get) return json_ok(request, http::status::ok, {{"rollouts", engine.list()}});
    if (post) {
      const int64_t id =
          engine.start_rollout(rollout_start_request(request, query, RolloutKind::kModel));
      return json_ok(request, http::status::created, engine.describe(id, false));
    }
    return error_response(request, http::status::method_not_allowed,
                          std::string(kPrefix) + ": GET lists rollouts, POST starts one");
  }
  if (rest[0] != '/')
    return error_response(request, http::status::not_found, "no such endpoint: " + path);
  rest = rest.substr(1);
  const size_t slash = rest.find('/');
  const int64_t id = rollout_id(rest.substr(0, slash));
  if (slash == std::string::npos) {
    if (!get) {
      return error_response(request, http::status::method_not_allowed,
                            "only GET is served on " + path);
    }
    return json_ok(request, http::status::ok, engine.describe(id, true));
  }
  const std::string action = rest.substr(slash + 1);
  if (action != "pause" && action != "resume" && action != "abort") {
    throw Error(Error::Kind::kNotFound,
                "no such rollout action '" + action + "' (pause, resume, abort)");
  }
  if (!post) {
    return error_response(request, http::status::method_not_allowed,
                          action + " takes POST, not " + std::string(request.method_string()));
  }
  if (action == "pause") engine.pause(id);
  if (action == "resume") engine.resume(id);
  if (action == "abort") engine.abort(id);
  return json_ok(request, http::status::ok, engine.describe(id, false));
}

// Reads are for viewers; anything else changes a rollout: operators only, audited by name.
RouteAccess access_of(const Request &request, const std::string &path) {
  RouteAccess access;
  if (request.method() == http::verb::get) return access;
  access.role = Role::kOperator;
  const std::string rest = path.substr(std::string(kPrefix).size());
  const size_t slash = rest.rfind('/');
  const std::string last = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (rest.empty() || rest == "/") {
    access.action = "rollout.start";
  } else if (last == "pause" || last == "resume" || last == "abort") {
    access.action = "rollout." + last;
  } else {
    access.action = "rollout.other";
  }
  return access;
}

}  // namespace

void add_rollout_routes(Router &router, RolloutEngine &engine) {
  router.add_prefix_route(
      kPrefix,
      [&engine](const Request &request, const std::string &path,
                const std::map<std::string, std::string> &query) {
        try {
          return handle(engine, request, path, query);
        } catch (const RolloutRequestError &error) {
          return error_response(request, rollout_error_status(error.kind()), error.what(),
                                error.code());
        }
      },
      access_of);
}

}  // namespace sotto::gw
