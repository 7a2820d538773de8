// The one place that picks a storage backend from the configuration ([store] in sottod.toml).
// A new backend is one more branch here plus its implementation of store.h.
#pragma once

#include <memory>

#include "config.h"
#include "store.h"

namespace sotto::gw {

std::unique_ptr<Store> open_store(const StoreConfig &config);

}  // namespace sotto::gw
