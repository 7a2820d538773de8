// Cursors over the RAM queue for the device runtime: read the events after the oldest without
// removing them (publishes in flight). A cursor's index counts events from the first since init;
// it is stale once the event it points at was removed (index < queue.removed).
#ifndef SOTTO_DEVICE_EVENT_QUEUE_INTERNAL_H
#define SOTTO_DEVICE_EVENT_QUEUE_INTERNAL_H

#include "queue_cursor.h"
#include "sotto/device.h"

namespace sotto {

void ram_queue_head(const sotto_event_queue_t &queue, QueueCursor *cursor);
// Copies the event at the cursor; QUEUE_EMPTY at the end; BUFFER_TOO_SMALL.
sotto_err_t ram_queue_read_at(const sotto_event_queue_t &queue, const QueueCursor &cursor,
                              uint8_t *out, size_t out_size, size_t *out_len);
// Moves a cursor that points at an event to the next one.
void ram_queue_advance(const sotto_event_queue_t &queue, QueueCursor *cursor);

}  // namespace sotto

#endif  // SOTTO_DEVICE_EVENT_QUEUE_INTERNAL_H
