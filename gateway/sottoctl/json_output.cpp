// See json_output.h.
#include "json_output.h"

#include <boost/json.hpp>

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
