// The device class names of the HTTP API, a prefix route on the Router:
//   GET  /api/v1/classes                     -> {"classes": [{"number": 3, "name": "soil-probe"}]}
//   POST /api/v1/classes?name=NAME&number=N  -> 201 the class; 200 when exactly that pair exists
// Errors are JSON {"error": ...}: 400 a bad name or number, 409 a name or number already given
// to another class, 405 another method. Devices report and bundles target the number; the name
// is for operators (sottoctl class, --class and --target-class).
#pragma once

#include <functional>

#include "router.h"
#include "store.h"

namespace sotto::gw {

// Writes one class name (StoreWriter::add_device_class), on whichever thread owns the store's
// writer; called on the router's thread and returns once it is written.
using AddDeviceClass = std::function<void(const DeviceClassRow &row)>;

// reader must outlive the router and is used on the router's thread only.
void add_device_class_routes(Router &router, StoreReader &reader, AddDeviceClass add_class);

}  // namespace sotto::gw
