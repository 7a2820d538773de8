// What the flash queue's two files share, and what the device runtime needs beyond the public
// API: cursors that walk the queued events without removing them (for publishes in flight).
#ifndef SOTTO_DEVICE_FLASH_QUEUE_INTERNAL_H
#define SOTTO_DEVICE_FLASH_QUEUE_INTERNAL_H

#include "flash_log.h"
#include "queue_cursor.h"
#include "sotto/device.h"

namespace sotto {

// A place in the log: a sector, a byte offset in it and the boot in effect there.
struct LogPosition {
  uint32_t sector;
  uint32_t offset;
  uint32_t boot_id;
};

// Reads the record at `at` (at most kMaxRecordBytes into buffer) and parses it.
sotto_err_t flash_queue_read_record(const sotto_flash_queue_t &queue, const LogPosition &at,
                                    uint8_t buffer[flash_log::kMaxRecordBytes],
                                    flash_log::Record *record);
// Moves `at` forward over boot markers and sector ends until it rests on an event (true) or
// reaches the tail (false).
sotto_err_t flash_queue_settle(const sotto_flash_queue_t &queue, LogPosition *at, bool *on_event);
// Reads the whole log back from flash and sets every field but storage, max_events and dropped
// (see sotto_flash_queue_open). Counts one recovery.
sotto_err_t flash_queue_recover(sotto_flash_queue_t *queue);

// Cursors for the device runtime (cursor->index counts from the first event since open).
void flash_queue_head(const sotto_flash_queue_t &queue, QueueCursor *cursor);
// Copies the event at the cursor; QUEUE_EMPTY at the end of the queue.
sotto_err_t flash_queue_read_at(const sotto_flash_queue_t &queue, const QueueCursor &cursor,
                                uint8_t *out, size_t out_size, size_t *out_len,
                                uint32_t *out_boot_id);
sotto_err_t flash_queue_advance(const sotto_flash_queue_t &queue, QueueCursor *cursor);

}  // namespace sotto

#endif  // SOTTO_DEVICE_FLASH_QUEUE_INTERNAL_H
