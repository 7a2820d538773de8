// Routing of incoming messages (already checked to be addressed to this device) by topic suffix.
#ifndef SOTTO_DEVICE_MESSAGE_DISPATCH_H
#define SOTTO_DEVICE_MESSAGE_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/device.h"

namespace sotto {

// suffix is what follows "sotto/v1/<site>/<device>/". UNHANDLED_TOPIC when no area claims it.
sotto_err_t dispatch_message(sotto_device_t *device, const char *suffix, const uint8_t *payload,
                             size_t len);

}  // namespace sotto

#endif  // SOTTO_DEVICE_MESSAGE_DISPATCH_H
