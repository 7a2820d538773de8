// The device's store-and-forward queue, whichever it is (RAM ring or flash log): one set of
// calls for the runtime, with cursors so publishes can be in flight beyond the oldest event.
#ifndef SOTTO_DEVICE_QUEUE_H
#define SOTTO_DEVICE_QUEUE_H

#include "queue_cursor.h"
#include "sotto/device.h"

namespace sotto {

// Queues an encoded event of the device's current boot.
sotto_err_t queue_push(sotto_device_t *device, const uint8_t *data, size_t len);
uint32_t queue_depth(const sotto_device_t &device);
uint32_t queue_dropped(const sotto_device_t &device);

// A cursor at the oldest event. Cursors are for one poll: a push, pop or drop may move what
// they point at.
void queue_head(const sotto_device_t &device, QueueCursor *cursor);
// The event at the cursor and its boot id; QUEUE_EMPTY past the newest event.
sotto_err_t queue_read_at(const sotto_device_t &device, const QueueCursor &cursor, uint8_t *out,
                          size_t out_size, size_t *out_len, uint32_t *out_boot_id);
sotto_err_t queue_advance(const sotto_device_t &device, QueueCursor *cursor);
// Removes the oldest event, which the transport acknowledged.
sotto_err_t queue_pop(sotto_device_t *device);
// Events removed from the head since init: the index of the oldest event.
uint32_t queue_removed(const sotto_device_t &device);

// The uptime a Health announcing the earlier boot of the event at `from` carries: the device's
// uptime now plus, for that boot and every later earlier boot still queued, the uptime its newest
// queued event was stamped with (as if each boot ended when the next began; the device cannot
// know how long it was off).
sotto_err_t queue_earlier_boot_uptime_s(const sotto_device_t &device, const QueueCursor &from,
                                        uint32_t now_uptime_s, uint32_t *out_uptime_s);

}  // namespace sotto

#endif  // SOTTO_DEVICE_QUEUE_H
