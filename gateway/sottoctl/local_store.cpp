// See local_store.h.
#include "local_store.h"

#include <filesystem>
#include <stdexcept>
#include <string>

namespace sotto::gw::ctl {
namespace {

constexpr const char *kInstalledConfig = "/etc/sotto/sottod.toml";

}  // namespace

StoreConfig local_store_config(const Arguments &arguments) {
  const auto db = arguments.value("--db");
  const auto config_path = arguments.value("--config");
  if (db && config_path) throw UsageError("give --db or --config, not both");
  StoreConfig store;
  if (db) {
    store.path = *db;
  } else {
    const std::string path = config_path.value_or(kInstalledConfig);
    if (!config_path && !std::filesystem::exists(path)) {
      throw UsageError(std::string("no ") + kInstalledConfig +
                       ": name the gateway's database with --db PATH or its config with "
                       "--config FILE");
    }
    store = load_config(path).store;
  }
  const std::filesystem::path folder = std::filesystem::path(store.path).parent_path();
  if (!folder.empty() && !std::filesystem::is_directory(folder)) {
    throw std::runtime_error("store " + store.path + ": folder " + folder.string() +
                             " does not exist (is this the gateway machine, and the right path?)");
  }
  return store;
}

}  // namespace sotto::gw::ctl
