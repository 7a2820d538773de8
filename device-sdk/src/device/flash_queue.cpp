// The flash queue's operations (sotto/device.h): open, append, peek, mark sent, and giving up
// the oldest sector when the ring is full. Writes happen in an order that leaves a readable log
// after a power cut at any of them: a record is one write; a sent mark clears one bit; a new
// sector is erased, then its header (which retires the oldest sector) written, and only then
// used; the sector being erased is never live.
#include <string.h>

#include "flash_queue_internal.h"

namespace sotto {
namespace {

using flash_log::Record;
using flash_log::RecordKind;

uint32_t sector_of_seq(const sotto_flash_queue_t &queue, uint32_t seq) {
  const uint32_t back = (queue.newest_seq - seq) % queue.sector_count;
  return (queue.tail_sector + queue.sector_count - back) % queue.sector_count;
}

uint32_t region_offset(const sotto_flash_queue_t &queue, uint32_t sector, uint32_t offset) {
  return sector * queue.sector_bytes + offset;
}

LogPosition head_of(const sotto_flash_queue_t &queue) {
  return {queue.head_sector, queue.head_offset, queue.head_boot_id};
}

void set_head(sotto_flash_queue_t *queue, const LogPosition &at) {
  queue->head_sector = at.sector;
  queue->head_offset = at.offset;
  queue->head_boot_id = at.boot_id;
}

void head_to_tail(sotto_flash_queue_t *queue) {
  set_head(queue, {queue->tail_sector, queue->tail_offset, queue->tail_boot_id});
}

// The log on flash no longer matches what was read back (a record failed its check): read it
// again; events that cannot be read any more count as dropped.
sotto_err_t reread_after_damage(sotto_flash_queue_t *queue) {
  const uint32_t before = queue->count;
  sotto_err_t err = flash_queue_recover(queue);
  if (err == SOTTO_OK && queue->count < before) {
    queue->dropped += before - queue->count;
  }
  return SOTTO_ERR_STORAGE;
}

// A write or erase failed: it may have done all, some or none of its work, so what is in RAM
// may no longer match flash. Read the log back, exactly as after a reboot.
sotto_err_t reread_after_failure(sotto_flash_queue_t *queue) {
  (void)flash_queue_recover(queue);
  return SOTTO_ERR_STORAGE;
}

// Waiting events from `from` to the end of its sector.
sotto_err_t count_to_sector_end(const sotto_flash_queue_t &queue, LogPosition from,
                                uint32_t *events) {
  uint8_t buffer[flash_log::kMaxRecordBytes];
  *events = 0;
  for (;;) {
    Record record;
    sotto_err_t err = flash_queue_read_record(queue, from, buffer, &record);
    if (err != SOTTO_OK) {
      return err;
    }
    if (record.kind == RecordKind::kErased || record.kind == RecordKind::kBad) {
      return SOTTO_OK;
    }
    *events += record.kind == RecordKind::kEvent ? 1u : 0u;
    from.offset += record.bytes;
  }
}

// Makes the sector after the tail the new tail. With the ring full (all but one sector live)
// the oldest live sector is given up: the new header says so before anything is erased, and
// its waiting events are dropped. The new sector itself is erased first, whatever it holds: it
// is the ring's spare (given up earlier, or never used, or interrupted in its own erase).
sotto_err_t open_sector(sotto_flash_queue_t *queue, uint32_t boot_id) {
  const uint32_t next = (queue->tail_sector + 1) % queue->sector_count;
  const uint32_t seq = queue->newest_seq + 1;
  uint32_t live_from = queue->newest_seq == 0 ? seq : queue->live_from;
  uint32_t dropped = 0;
  LogPosition head = head_of(*queue);
  if (seq - live_from + 1 > queue->sector_count - 1) {
    const uint32_t oldest = sector_of_seq(*queue, live_from);
    if (queue->count > 0 && queue->head_sector == oldest) {
      sotto_err_t err = count_to_sector_end(*queue, head, &dropped);
      if (err != SOTTO_OK) {
        return err;
      }
      // The next waiting event, if any, is in a newer live sector: restart the walk there.
      head.sector = oldest;
      head.offset = queue->sector_bytes;
      bool on_event = false;
      err = flash_queue_settle(*queue, &head, &on_event);
      if (err != SOTTO_OK) {
        return err;
      }
    }
    live_from += 1;
  }
  if (queue->storage.erase(queue->storage.ctx, SOTTO_REGION_QUEUE, region_offset(*queue, next, 0),
                           queue->sector_bytes) != SOTTO_OK) {
    return reread_after_failure(queue);
  }
  uint8_t header[flash_log::kHeaderBytes];
  flash_log::encode_header({seq, live_from, boot_id}, header);
  if (queue->storage.write(queue->storage.ctx, SOTTO_REGION_QUEUE, region_offset(*queue, next, 0),
                           header, sizeof header) != SOTTO_OK) {
    return reread_after_failure(queue);
  }
  queue->newest_seq = seq;
  queue->live_from = live_from;
  queue->tail_sector = next;
  queue->tail_offset = flash_log::kHeaderBytes;
  queue->tail_boot_id = boot_id;
  dropped = dropped < queue->count ? dropped : queue->count;
  queue->count -= dropped;
  queue->dropped += dropped;
  queue->removed += dropped;
  if (queue->count == 0) {
    head_to_tail(queue);
  } else {
    set_head(queue, head);
  }
  return SOTTO_OK;
}

sotto_err_t is_erased(const sotto_flash_queue_t &queue, uint32_t offset, uint32_t len,
                      bool *erased) {
  uint8_t bytes[flash_log::kBootMarkerBytes + flash_log::kMaxRecordBytes];
  if (queue.storage.read(queue.storage.ctx, SOTTO_REGION_QUEUE,
                         region_offset(queue, queue.tail_sector, offset), bytes, len) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  *erased = true;
  for (uint32_t i = 0; i < len; ++i) {
    *erased = *erased && bytes[i] == flash_log::kErasedByte;
  }
  return SOTTO_OK;
}

sotto_err_t append(sotto_flash_queue_t *queue, const uint8_t *data, uint32_t len,
                   uint32_t boot_id) {
  // Two rounds at most: a tail whose free space is not erased (a write torn at its end before a
  // reboot) is closed and the record goes to a freshly erased sector.
  for (int round = 0; round < 2; ++round) {
    bool marker = queue->tail_boot_id != boot_id;
    uint32_t need = (marker ? flash_log::kBootMarkerBytes : 0) + len + 3;
    if (queue->tail_offset > queue->sector_bytes - need) {
      sotto_err_t err = open_sector(queue, boot_id);
      if (err != SOTTO_OK) {
        return err;
      }
      marker = false;
      need = len + 3;
    }
    bool erased = false;
    sotto_err_t err = is_erased(*queue, queue->tail_offset, need, &erased);
    if (err != SOTTO_OK) {
      return err;
    }
    if (!erased) {
      queue->tail_offset = queue->sector_bytes;
      continue;
    }
    uint8_t bytes[flash_log::kBootMarkerBytes + flash_log::kMaxRecordBytes];
    const uint32_t marker_bytes = marker ? flash_log::encode_boot_marker(boot_id, bytes) : 0;
    flash_log::encode_event(data, len, bytes + marker_bytes);
    if (queue->storage.write(queue->storage.ctx, SOTTO_REGION_QUEUE,
                             region_offset(*queue, queue->tail_sector, queue->tail_offset), bytes,
                             need) != SOTTO_OK) {
      return reread_after_failure(queue);  // a torn record closes the sector, a whole one counts
    }
    if (queue->count == 0) {
      set_head(queue, {queue->tail_sector, queue->tail_offset + marker_bytes, boot_id});
    }
    queue->tail_offset += need;
    queue->tail_boot_id = boot_id;
    queue->count += 1;
    return SOTTO_OK;
  }
  return SOTTO_ERR_STORAGE;  // a sector just erased did not read back erased
}

// Marks the oldest event sent (or dropped) and moves the head past it.
sotto_err_t remove_head(sotto_flash_queue_t *queue) {
  uint8_t buffer[flash_log::kMaxRecordBytes];
  LogPosition head = head_of(*queue);
  Record record;
  sotto_err_t err = flash_queue_read_record(*queue, head, buffer, &record);
  if (err != SOTTO_OK) {
    return err;
  }
  if (record.kind != RecordKind::kEvent || record.sent) {
    return reread_after_damage(queue);
  }
  const uint8_t flags = static_cast<uint8_t>(buffer[0] & ~flash_log::kWaitingBit);
  if (queue->storage.write(queue->storage.ctx, SOTTO_REGION_QUEUE,
                           region_offset(*queue, head.sector, head.offset), &flags,
                           1) != SOTTO_OK) {
    return reread_after_failure(queue);  // the mark may have landed: then it was sent
  }
  head.offset += record.bytes;
  queue->count -= 1;
  queue->removed += 1;
  bool on_event = false;
  err = flash_queue_settle(*queue, &head, &on_event);
  if (err != SOTTO_OK) {
    return reread_after_damage(queue);
  }
  if (queue->count == 0 || !on_event) {
    head_to_tail(queue);
  } else {
    set_head(queue, head);
  }
  return SOTTO_OK;
}

}  // namespace
}  // namespace sotto

extern "C" sotto_err_t sotto_flash_queue_open(sotto_flash_queue_t *queue,
                                              const sotto_storage_port_t *storage,
                                              uint32_t max_events) {
  if (queue == nullptr || storage == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memset(queue, 0, sizeof *queue);
  if (storage->region_bytes == nullptr || storage->sector_bytes == nullptr ||
      storage->read == nullptr || storage->write == nullptr || storage->erase == nullptr) {
    return SOTTO_ERR_NOT_CONFIGURED;
  }
  const uint32_t sector_bytes = storage->sector_bytes(storage->ctx);
  const uint32_t region_bytes = storage->region_bytes(storage->ctx, SOTTO_REGION_QUEUE);
  constexpr uint32_t kSmallest = sotto::flash_log::kHeaderBytes +
                                 sotto::flash_log::kBootMarkerBytes +
                                 sotto::flash_log::kMaxRecordBytes;
  if (sector_bytes < kSmallest || region_bytes / sector_bytes < SOTTO_FLASH_QUEUE_MIN_SECTORS) {
    return SOTTO_ERR_NOT_CONFIGURED;
  }
  queue->storage = *storage;
  queue->sector_bytes = sector_bytes;
  queue->sector_count = region_bytes / sector_bytes;
  queue->max_events = max_events;
  return sotto::flash_queue_recover(queue);
}

extern "C" sotto_err_t sotto_flash_queue_push(sotto_flash_queue_t *queue, const uint8_t *data,
                                              size_t len, uint32_t boot_id) {
  if (queue == nullptr || queue->sector_count == 0 || data == nullptr || len == 0 ||
      len > SOTTO_EVENT_MAX_ENCODED_BYTES) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  while (queue->max_events != 0 && queue->count >= queue->max_events) {
    sotto_err_t err = sotto::remove_head(queue);
    if (err != SOTTO_OK) {
      return err;
    }
    queue->dropped += 1;
  }
  return sotto::append(queue, data, static_cast<uint32_t>(len), boot_id);
}

extern "C" sotto_err_t sotto_flash_queue_peek(sotto_flash_queue_t *queue, uint8_t *out,
                                              size_t out_size, size_t *out_len,
                                              uint32_t *out_boot_id) {
  if (queue == nullptr || out == nullptr || out_len == nullptr || out_boot_id == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (queue->count == 0) {
    return SOTTO_ERR_QUEUE_EMPTY;
  }
  sotto::QueueCursor head;
  sotto::flash_queue_head(*queue, &head);
  sotto_err_t err = sotto::flash_queue_read_at(*queue, head, out, out_size, out_len, out_boot_id);
  return err == SOTTO_ERR_STORAGE ? sotto::reread_after_damage(queue) : err;
}

extern "C" sotto_err_t sotto_flash_queue_pop(sotto_flash_queue_t *queue) {
  if (queue == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (queue->count == 0) {
    return SOTTO_ERR_QUEUE_EMPTY;
  }
  return sotto::remove_head(queue);
}

extern "C" uint32_t sotto_flash_queue_depth(const sotto_flash_queue_t *queue) {
  return queue == nullptr ? 0 : queue->count;
}

extern "C" uint32_t sotto_flash_queue_dropped(const sotto_flash_queue_t *queue) {
  return queue == nullptr ? 0 : queue->dropped;
}
