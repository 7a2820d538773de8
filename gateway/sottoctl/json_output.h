// Gateway replies as sottoctl commands print them: parsed when a table needs their fields, as
// they came for --json.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "cli.h"
#include "text_table.h"

namespace sotto::gw::ctl {

// RAW as a JSON object; throws GatewayError(200, PROBLEM) when it is anything else.
boost::json::object parse_object(const std::string &raw, const std::string &problem);

// GETs TARGET, keeps the reply in *RAW (for --json) and returns it parsed; throws GatewayError
// naming TARGET when the reply is not a JSON object.
boost::json::object fetch_object(CliContext &context, const std::string &target, std::string *raw);

// A JSON field as a table cell: "-" for null or missing, numbers without JSON quoting.
std::string cell(const boost::json::object &object, const char *key);

// Prints the raw JSON for --json, else the table; an empty table says so in words.
void emit(CliContext &context, const std::string &raw, const TextTable &table,
          const char *empty_note);

}  // namespace sotto::gw::ctl
