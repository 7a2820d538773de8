// Backend choice (see the header). SQLite is the only backend so far.
#include "open_store.h"

#include "sqlite_store.h"

namespace sotto::gw {

std::unique_ptr<Store> open_store(const StoreConfig &config) {
  return open_sqlite_store(SqliteStoreOptions{config.path, config.synchronous});
}

}  // namespace sotto::gw
