// HTTP → fleet keys (store) and key rotations (RolloutEngine); see the header.
#include "key_routes.h"

#include <boost/json.hpp>
#include <cstdlib>

#include "fleet_key.h"
#include "rollout_routes.h"
#include "rollout_signatures.h"
#include "time_format.h"

namespace sotto::gw {
namespace {

constexpr const char *kPrefix = "/api/v1/keys";

// The key rotations adding and retiring each key, by key id.
struct KeyRotations {
  std::map<uint32_t, boost::json::array> added_by, retired_by;
};

std::vector<std::string> all_devices(StoreReader &reader) {
  std::vector<std::string> devices;
  for (const DeviceRecord &device : reader.devices(std::nullopt)) {
    devices.push_back(device.device_id);
  }
  return devices;
}

KeyRotations key_rotations(StoreReader &reader) {
  KeyRotations out;
  for (int64_t id : reader.rollout_ids()) {
    const std::optional<RolloutRow> row = reader.rollout(id);
    if (!row || row->spec.kind != RolloutKind::kKeys) continue;
    const boost::json::object entry{{"rollout", id}, {"state", row->state}};
    if (row->spec.adds_key_id) out.added_by[*row->spec.adds_key_id].push_back(entry);
    if (row->spec.retires_key_id) out.retired_by[*row->spec.retires_key_id].push_back(entry);
  }
  return out;
}

boost::json::object key_json(const FleetKeyRow &key, const KeyRotations &rotations,
                             const std::vector<std::string> &devices, StoreReader &reader) {
  const auto id = static_cast<uint32_t>(key.key_id);
  const auto list = [&](const std::map<uint32_t, boost::json::array> &by) {
    const auto found = by.find(id);
    return found == by.end() ? boost::json::array() : found->second;
  };
  const size_t refusing = reader.devices_not_trusting(key.key_id, devices).size();
  boost::json::value distrusted = nullptr;
  if (key.distrusted_ms) distrusted = iso8601_utc(*key.distrusted_ms);
  return boost::json::object{{"key_id", key_id_text(id)},
                             {"provisioned", key.provisioned},
                             {"first_seen", iso8601_utc(key.first_seen_ms)},
                             {"distrusted", distrusted},
                             {"added_by", list(rotations.added_by)},
                             {"retired_by", list(rotations.retired_by)},
                             {"devices_trusting", devices.size() - refusing}};
}

Response list_keys(const Request &request, StoreReader &reader) {
  const KeyRotations rotations = key_rotations(reader);
  const std::vector<std::string> devices = all_devices(reader);
  boost::json::array keys;
  for (const FleetKeyRow &key : reader.fleet_keys()) {
    keys.push_back(key_json(key, rotations, devices, reader));
  }
  return json_response(request, http::status::ok,
                       boost::json::serialize(boost::json::object{
                           {"keys", std::move(keys)},
                           {"next_key_list_version", reader.last_key_list_version() + 1},
                           {"devices", devices.size()}}));
}

Response trust_key(const Request &request, StoreReader &reader, TrustWriter &writer) {
  std::array<uint8_t, kPublicKeyBytes> point{};
  try {
    point = public_key_from_pem(request.body(), "in the request body");
  } catch (const std::runtime_error &error) {
    return error_response(request, http::status::bad_request, error.what(), "bad_key");
  }
  FleetKeyRow key;
  key.public_key.assign(point.begin(), point.end());
  key.key_id = public_key_id(key.public_key);
  key.first_seen_ms = now_ms();
  const bool added = writer.add_provisioned_key(key);
  const std::optional<FleetKeyRow> stored = reader.fleet_key(key.key_id);
  if (stored && stored->distrusted_ms) {
    return error_response(request, http::status::conflict,
                          "key " + key_id_text(static_cast<uint32_t>(key.key_id)) +
                              " was retired at the gateway on " +
                              iso8601_utc(*stored->distrusted_ms) + "; it stays retired",
                          "key_retired");
  }
  const std::vector<std::string> devices = all_devices(reader);
  boost::json::object body = key_json(*stored, key_rotations(reader), devices, reader);
  body["id"] = key_id_text(static_cast<uint32_t>(key.key_id));
  return json_response(request, added ? http::status::created : http::status::ok,
                       boost::json::serialize(body));
}

Response retire_key(const Request &request, const std::string &id_text, StoreReader &reader,
                    TrustWriter &writer) {
  char *end = nullptr;
  const unsigned long long id = std::strtoull(id_text.c_str(), &end, 16);
  if (id_text.size() != 8 || *end != '\0') {
    throw BadParameter("key id: expected 8 hex digits, got '" + id_text + "'");
  }
  if (!reader.fleet_key(static_cast<int64_t>(id))) {
    return error_response(request, http::status::not_found, "unknown key " + id_text);
  }
  writer.distrust_fleet_key(static_cast<int64_t>(id), now_ms());
  const std::vector<std::string> devices = all_devices(reader);
  boost::json::object body =
      key_json(*reader.fleet_key(static_cast<int64_t>(id)), key_rotations(reader), devices, reader);
  body["id"] = id_text;
  return json_response(request, http::status::ok, boost::json::serialize(body));
}

Response handle(RolloutEngine &engine, StoreReader &reader, TrustWriter &writer,
                const Request &request, const std::string &path,
                const std::map<std::string, std::string> &query) {
  const bool get = request.method() == http::verb::get;
  const bool post = request.method() == http::verb::post;
  const std::string rest = path.substr(std::string(kPrefix).size());
  if (rest.empty() || rest == "/") {
    if (get) return list_keys(request, reader);
    if (post) return trust_key(request, reader, writer);
    return error_response(request, http::status::method_not_allowed,
                          std::string(kPrefix) + ": GET lists keys, POST registers one");
  }
  if (rest == "/rotations") {
    if (!post) {
      return error_response(request, http::status::method_not_allowed,
                            "key rotations start with POST; follow them under /api/v1/rollouts");
    }
    const int64_t id =
        engine.start_rollout(rollout_start_request(request, query, RolloutKind::kKeys));
    return json_response(request, http::status::created,
                         boost::json::serialize(engine.describe(id, false)));
  }
  const std::string suffix = "/retire";
  if (rest.size() > suffix.size() &&
      rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) == 0) {
    if (!post) {
      return error_response(request, http::status::method_not_allowed, "retire takes POST");
    }
    return retire_key(request, rest.substr(1, rest.size() - 1 - suffix.size()), reader, writer);
  }
  return error_response(request, http::status::not_found, "no such endpoint: " + path);
}

RouteAccess access_of(const Request &request, const std::string &path) {
  RouteAccess access;
  if (request.method() == http::verb::get) return access;
  access.role = Role::kOperator;
  const std::string rest = path.substr(std::string(kPrefix).size());
  if (rest.empty() || rest == "/") {
    access.action = "keys.trust";
  } else if (rest == "/rotations") {
    access.action = "keys.rotate";
  } else if (rest.size() > 7 && rest.compare(rest.size() - 7, 7, "/retire") == 0) {
    access.action = "keys.retire";
  } else {
    access.action = "keys.other";
  }
  return access;
}

}  // namespace

void add_key_routes(Router &router, RolloutEngine &engine, StoreReader &reader,
                    TrustWriter &writer) {
  router.add_prefix_route(
      kPrefix,
      [&engine, &reader, &writer](const Request &request, const std::string &path,
                                  const std::map<std::string, std::string> &query) {
        try {
          return handle(engine, reader, writer, request, path, query);
        } catch (const RolloutRequestError &error) {
          return error_response(request, rollout_error_status(error.kind()), error.what(),
                                error.code());
        }
      },
      access_of);
}

}  // namespace sotto::gw
