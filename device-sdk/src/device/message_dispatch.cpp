// The one table that maps an incoming topic suffix to the area that handles it. Areas that take
// downlink messages (OTA: manifests and chunks) add a row here; nothing else in the runtime
// needs to change.
#include "message_dispatch.h"

namespace sotto {
namespace {

using MessageHandler = sotto_err_t (*)(sotto_device_t *device, const char *suffix,
                                       const uint8_t *payload, size_t len);

struct Route {
  const char *suffix_prefix;  // matches suffixes that start with it
  MessageHandler handle;
};

// Terminated by a null row; constant-initialized, so no static constructor runs.
constexpr Route kRoutes[] = {
    {nullptr, nullptr},
};

// Hand-written rather than strncmp: device code keeps its libc use to memcpy/memset/strlen.
bool starts_with(const char *text, const char *prefix) {
  for (; *prefix != '\0'; ++text, ++prefix) {
    if (*text != *prefix) {
      return false;
    }
  }
  return true;
}

}  // namespace

sotto_err_t dispatch_message(sotto_device_t *device, const char *suffix, const uint8_t *payload,
                             size_t len) {
  for (const Route *route = kRoutes; route->suffix_prefix != nullptr; ++route) {
    if (starts_with(suffix, route->suffix_prefix)) {
      return route->handle(device, suffix, payload, len);
    }
  }
  return SOTTO_ERR_UNHANDLED_TOPIC;
}

}  // namespace sotto
