// One queue interface over the RAM ring and the flash log (see queue.h).
#include "queue.h"

#include "event_queue_internal.h"
#include "flash_queue_internal.h"

namespace sotto {

sotto_err_t queue_push(sotto_device_t *device, const uint8_t *data, size_t len) {
  return device->queue_in_flash
             ? sotto_flash_queue_push(&device->flash_queue, data, len, device->boot_id)
             : sotto_event_queue_push(&device->queue, data, len);
}

uint32_t queue_depth(const sotto_device_t &device) {
  return device.queue_in_flash ? sotto_flash_queue_depth(&device.flash_queue)
                               : sotto_event_queue_depth(&device.queue);
}

uint32_t queue_dropped(const sotto_device_t &device) {
  return device.queue_in_flash ? sotto_flash_queue_dropped(&device.flash_queue)
                               : sotto_event_queue_dropped(&device.queue);
}

uint32_t queue_removed(const sotto_device_t &device) {
  return device.queue_in_flash ? device.flash_queue.removed : device.queue.removed;
}

void queue_head(const sotto_device_t &device, QueueCursor *cursor) {
  if (device.queue_in_flash) {
    flash_queue_head(device.flash_queue, cursor);
  } else {
    ram_queue_head(device.queue, cursor);
  }
}

sotto_err_t queue_read_at(const sotto_device_t &device, const QueueCursor &cursor, uint8_t *out,
                          size_t out_size, size_t *out_len, uint32_t *out_boot_id) {
  if (device.queue_in_flash) {
    return flash_queue_read_at(device.flash_queue, cursor, out, out_size, out_len, out_boot_id);
  }
  *out_boot_id = device.boot_id;  // the RAM queue does not outlive its boot
  return ram_queue_read_at(device.queue, cursor, out, out_size, out_len);
}

sotto_err_t queue_advance(const sotto_device_t &device, QueueCursor *cursor) {
  if (device.queue_in_flash) {
    return flash_queue_advance(device.flash_queue, cursor);
  }
  ram_queue_advance(device.queue, cursor);
  return SOTTO_OK;
}

sotto_err_t queue_pop(sotto_device_t *device) {
  return device->queue_in_flash ? sotto_flash_queue_pop(&device->flash_queue)
                                : sotto_event_queue_pop(&device->queue);
}

sotto_err_t queue_earlier_boot_uptime_s(const sotto_device_t &device, const QueueCursor &from,
                                        uint32_t now_uptime_s, uint32_t *out_uptime_s) {
  uint64_t total = now_uptime_s;
  QueueCursor cursor = from;
  bool in_group = false;
  uint32_t group_boot = 0;
  uint32_t group_uptime = 0;
  for (;;) {
    uint8_t bytes[SOTTO_EVENT_MAX_ENCODED_BYTES];
    size_t len = 0;
    uint32_t boot_id = 0;
    sotto_err_t err = queue_read_at(device, cursor, bytes, sizeof bytes, &len, &boot_id);
    if (err == SOTTO_ERR_QUEUE_EMPTY || (err == SOTTO_OK && boot_id == device.boot_id)) {
      break;  // this boot's own events follow the earlier ones
    }
    if (err != SOTTO_OK) {
      return err;
    }
    if (in_group && boot_id != group_boot) {
      total += group_uptime;
      group_uptime = 0;
    }
    in_group = true;
    group_boot = boot_id;
    sotto_event_t event;
    if (sotto_event_decode(bytes, len, &event) == SOTTO_OK) {
      group_uptime = event.uptime_s;  // an undecodable event keeps its neighbour's uptime
    }
    err = queue_advance(device, &cursor);
    if (err != SOTTO_OK) {
      return err;
    }
  }
  if (in_group) {
    total += group_uptime;
  }
  *out_uptime_s = total > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(total);
  return SOTTO_OK;
}

}  // namespace sotto
