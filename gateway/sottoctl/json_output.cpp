// See json_output.h.
#include "json_output.h"

#include <boost/json.hpp>
#include <cstdio>

namespace sotto::gw::ctl {

boost::json::object parse_object(const std::string &raw, const std::string &problem) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(raw, ec);
  if (ec || !parsed.is_object()) throw GatewayError(200, problem);
  return std::move(parsed.as_object());
}

boost::json::object fetch_object(CliContext &context, const std::string &target, std::string *raw) {
  *raw = context.gateway.get(target);
  return parse_object(*raw, "gateway: " + target + " did not return a JSON object");
}

std::string cell(const boost::json::object &object, const char *key) {
  const boost::json::value *value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return "-";
  if (value->is_string()) return std::string(value->as_string());
  if (value->is_int64()) return std::to_string(value->as_int64());
  if (value->is_uint64()) return std::to_string(value->as_uint64());
  if (value->is_double()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value->as_double());
    return text;
  }
  return boost::json::serialize(*value);
}

void emit(CliContext &context, const std::string &raw, const TextTable &table,
          const char *empty_note) {
  if (context.json) {
    context.out << raw << '\n';
  } else if (table.rows() == 0) {
    context.out << empty_note << '\n';
  } else {
    table.print(context.out);
  }
}

}  // namespace sotto::gw::ctl
