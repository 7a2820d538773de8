// Backend choice (see the header). SQLite is the only backend so far.
#include "open_store.h"

#include "sqlite_store.h"

namespace sotto::gw {

std::unique_ptr<Store> open_store(const StoreConfig &config) {
  return open_sqlite_store(SqliteStoreOptions{config.path, config.synchronous});
}

std::unique_ptr<StoreReader> open_existing_store_reader(const StoreConfig &config) {
  return open_existing_sqlite_reader(config.path);
}

}  // namespace sotto::gw
