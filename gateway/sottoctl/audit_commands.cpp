// `sottoctl audit`: one API call, a table (or --json).
#include "audit_commands.h"

#include <boost/json.hpp>

#include "cli_arguments.h"
#include "json_output.h"
#include "text_table.h"

namespace sotto::gw::ctl {

int audit_command(CliContext &context, const std::vector<std::string> &args) {
  const Arguments arguments(args, {"--limit", "--before"});
  arguments.positionals({});
  std::string target =
      "/api/v1/audit?limit=" + std::to_string(arguments.integer("--limit", 1, 1000, 50));
  if (arguments.value("--before")) {
    target += "&before_id=" + std::to_string(arguments.integer("--before", 1, INT64_MAX, 1));
  }
  std::string raw;
  const boost::json::object reply = fetch_object(context, target, &raw);
  TextTable table({"ID", "TIME", "WHO", "FROM", "ACTION", "TARGET", "STATUS", "OUTCOME", "DETAIL"});
  if (const auto *entries = reply.if_contains("entries"); entries && entries->is_array()) {
    for (const auto &item : entries->as_array()) {
      if (!item.is_object()) continue;
      const auto &entry = item.as_object();
      table.add_row({cell(entry, "id"), cell(entry, "time"), cell(entry, "who"),
                     cell(entry, "remote"), cell(entry, "action"), cell(entry, "target"),
                     cell(entry, "status"), cell(entry, "outcome"), cell(entry, "detail")});
    }
  }
  emit(context, raw, table, "the audit log is empty");
  return kExitOk;
}

}  // namespace sotto::gw::ctl
