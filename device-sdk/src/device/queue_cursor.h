// A place in the device's queue, for reading events after the oldest without removing them.
#ifndef SOTTO_DEVICE_QUEUE_CURSOR_H
#define SOTTO_DEVICE_QUEUE_CURSOR_H

#include <stdint.h>

namespace sotto {

struct QueueCursor {
  uint32_t index;    // the event's place, counted from the first event since init
  uint32_t sector;   // flash: the sector and byte offset of its record
  uint32_t offset;   // RAM: the ring offset of its length byte
  uint32_t boot_id;  // flash: the boot in effect there
};

}  // namespace sotto

#endif  // SOTTO_DEVICE_QUEUE_CURSOR_H
