// The SQLite backend of the storage seam (store.h): one database file in WAL mode, so readers
// never wait for the writer. The schema is owned by sqlite_schema.cpp.
#pragma once

#include <memory>
#include <string>

#include "store.h"

namespace sotto::gw {

struct SqliteStoreOptions {
  std::string path;
  // "normal": every commit survives a process kill; "full": also a power loss (an fsync per
  // commit, which the writer's batches amortise).
  std::string synchronous = "normal";
};

// Opens (creating or migrating) the database; throws StoreError naming the file.
std::unique_ptr<Store> open_sqlite_store(const SqliteStoreOptions &options);

// A read-only connection to an existing database file, without touching its schema; throws
// StoreError naming the file (and store.path) when it does not exist.
std::unique_ptr<StoreReader> open_existing_sqlite_reader(const std::string &path);

}  // namespace sotto::gw
