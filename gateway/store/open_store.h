// The one place that picks a storage backend from the configuration ([store] in sottod.toml).
// A new backend is one more branch here plus its implementation of store.h.
#pragma once

#include <memory>

#include "config.h"
#include "store.h"

namespace sotto::gw {

std::unique_ptr<Store> open_store(const StoreConfig &config);

// A reader of an existing store exactly as it is: nothing is created or migrated, so a tool
// (sottoctl backup) can run beside a sottod of another version. Throws StoreError naming
// store.path when there is no store there.
std::unique_ptr<StoreReader> open_existing_store_reader(const StoreConfig &config);

}  // namespace sotto::gw
