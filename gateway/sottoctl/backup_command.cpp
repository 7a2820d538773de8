// See backup_command.h. The store does the copying (StoreReader::backup_to); this command finds
// the store, opens it as it is (never creating or migrating it) and reports what the copy holds.
#include "backup_command.h"

#include <boost/json.hpp>

#include "local_store.h"
#include "open_store.h"

namespace sotto::gw::ctl {

int backup_command(CliContext &context, const std::vector<std::string> &args) {
  Arguments arguments(args, {"--config", "--db"});
  const std::string path = arguments.positionals({"PATH"})[0];
  const StoreConfig store = local_store_config(arguments);
  const BackupSummary summary = open_existing_store_reader(store)->backup_to(path);
  if (context.json) {
    context.out << boost::json::serialize(boost::json::object{{"source", store.path},
                                                              {"backup", path},
                                                              {"events", summary.events},
                                                              {"devices", summary.devices},
                                                              {"bytes", summary.bytes}})
                << '\n';
  } else {
    context.out << "backed up " << store.path << " to " << path << ": " << summary.events
                << " events, " << summary.devices << " devices, " << summary.bytes
                << " bytes; integrity_check ok\n";
  }
  return kExitOk;
}

}  // namespace sotto::gw::ctl
