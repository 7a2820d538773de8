// The device's link to the broker: when it may publish, when to try again after a failure
// (exponential backoff with full jitter, sotto_reconnect_config_t), and, with a link control
// port, when to call connect.
#ifndef SOTTO_DEVICE_LINK_H
#define SOTTO_DEVICE_LINK_H

#include "sotto/device.h"

namespace sotto {

enum class LinkStep {
  kUp,             // publish
  kNewConnection,  // publish, on a connection that knows nothing of the last one
  kLost,           // the link just went down; the next attempt is scheduled
  kWaiting         // down or connecting: nothing can be published now
};

// Fills in the defaults; the first attempt is immediate.
void link_init(sotto_device_t *device, const sotto_reconnect_config_t &config, uint64_t now_ms);
// Where the link stands now. With a link control port it calls connect once the backoff delay
// has passed and notices a lost link; without one the link is up unless a publish failed less
// than the backoff delay ago.
LinkStep link_step(sotto_device_t *device, uint64_t now_ms);
// A publish failed: the next attempt waits the backoff delay.
void link_failed(sotto_device_t *device, uint64_t now_ms);
// A publish was acknowledged: the backoff starts again from its minimum.
void link_healthy(sotto_device_t *device);

}  // namespace sotto

#endif  // SOTTO_DEVICE_LINK_H
