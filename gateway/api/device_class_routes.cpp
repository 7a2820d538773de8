// HTTP → the store's device class names: parameter checks and status codes.
#include "device_class_routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "topic.h"

namespace sotto::gw {
namespace {

boost::json::object class_json(const DeviceClassRow &row) {
  return {{"number", row.number}, {"name", row.name}};
}

Response list(const Request &request, StoreReader &reader) {
  boost::json::array classes;
  for (const DeviceClassRow &row : reader.device_classes()) classes.push_back(class_json(row));
  return json_response(request, http::status::ok,
                       boost::json::serialize(boost::json::object{{"classes", classes}}));
}

Response add(const Request &request, const std::map<std::string, std::string> &query,
             StoreReader &reader, const AddDeviceClass &add_class) {
  auto bad = [&](const std::string &message) {
    return error_response(request, http::status::bad_request, message);
  };
  for (const auto &entry : query) {
    if (entry.first != "name" && entry.first != "number") {
      return bad("unknown parameter '" + entry.first + "' (name, number)");
    }
  }
  const auto name = query.find("name");
  const auto number = query.find("number");
  if (name == query.end() || number == query.end()) return bad("expected name and number");
  const std::string &text = number->second;
  const bool digits =
      !text.empty() && text.size() <= 3 &&
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  if (!digits || std::stoi(text) > 255) {
    return bad("number: expected 0..255, got '" + text + "'");
  }
  const std::string &label = name->second;
  const bool all_digits =
      std::all_of(label.begin(), label.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  if (!is_valid_id(label) || all_digits) {
    return bad("name: expected [a-z0-9][a-z0-9-]{0,31} with a letter, got '" + label + "'");
  }
  const DeviceClassRow wanted{std::stoi(text), label};
  for (const DeviceClassRow &row : reader.device_classes()) {
    if (row.number == wanted.number && row.name == wanted.name) {
      return json_response(request, http::status::ok, boost::json::serialize(class_json(row)));
    }
    if (row.number == wanted.number || row.name == wanted.name) {
      return error_response(
          request, http::status::conflict,
          "class " + std::to_string(row.number) + " is already named '" + row.name + "'");
    }
  }
  add_class(wanted);
  return json_response(request, http::status::created, boost::json::serialize(class_json(wanted)));
}

}  // namespace

void add_device_class_routes(Router &router, StoreReader &reader, AddDeviceClass add_class) {
  router.add_prefix_route(
      "/api/v1/classes",
      [&reader, add_class = std::move(add_class)](const Request &request, const std::string &path,
                                                  const std::map<std::string, std::string> &query) {
        if (path != "/api/v1/classes") {
          return error_response(request, http::status::not_found, "unknown path " + path);
        }
        if (request.method() == http::verb::get) return list(request, reader);
        if (request.method() == http::verb::post) return add(request, query, reader, add_class);
        return error_response(request, http::status::method_not_allowed,
                              "/api/v1/classes takes GET or POST");
      },
      // Naming a class changes what operators target rollouts by: an operator action, audited.
      [](const Request &request, const std::string &) {
        RouteAccess access;
        if (request.method() == http::verb::post) {
          access.role = Role::kOperator;
          access.action = "class.add";
        }
        return access;
      });
}

}  // namespace sotto::gw
