// What the device publishes next, in the order the gateway needs (see sotto_device_poll): a
// Health of an event's boot before the event, queued events oldest first, a bounded number in
// flight, each removed from the queue only once acknowledged.
#ifndef SOTTO_DEVICE_SENDER_H
#define SOTTO_DEVICE_SENDER_H

#include "sotto/device.h"

namespace sotto {

// The link failed or is new: nothing is announced or in flight on it any more. Events stay
// queued (those in flight may have arrived: the gateway drops the copies).
void sender_forget(sotto_device_t *device);
// Collects acknowledgements and starts publishes for one poll. OK, TRANSPORT (a publish failed:
// the link is marked failed) or STORAGE (the flash queue could not be read or marked).
sotto_err_t sender_run(sotto_device_t *device, uint64_t now_ms);

}  // namespace sotto

#endif  // SOTTO_DEVICE_SENDER_H
