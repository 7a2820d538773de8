// Reading the flash queue's log: one record at a position, walking to the next event, reading
// the whole log back after a reboot, and the cursors the runtime sends from. Everything read is
// checked before it is used (flash after a power cut is outside bytes).
#include <string.h>

#include "flash_queue_internal.h"

namespace sotto {
namespace {

using flash_log::Record;
using flash_log::RecordKind;
using flash_log::SectorHeader;

bool at_tail(const sotto_flash_queue_t &queue, const LogPosition &at) {
  return at.sector == queue.tail_sector && at.offset >= queue.tail_offset;
}

uint32_t region_offset(const sotto_flash_queue_t &queue, uint32_t sector, uint32_t offset) {
  return sector * queue.sector_bytes + offset;
}

sotto_err_t read_header(const sotto_flash_queue_t &queue, uint32_t sector, SectorHeader *header,
                        bool *valid) {
  uint8_t bytes[flash_log::kHeaderBytes];
  if (queue.storage.read(queue.storage.ctx, SOTTO_REGION_QUEUE, region_offset(queue, sector, 0),
                         bytes, sizeof bytes) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  *valid = flash_log::decode_header(bytes, header);
  return SOTTO_OK;
}

// The first position of a live sector: just after its header, in the header's boot.
sotto_err_t sector_start(const sotto_flash_queue_t &queue, uint32_t sector, LogPosition *at) {
  SectorHeader header{};
  bool valid = false;
  sotto_err_t err = read_header(queue, sector, &header, &valid);
  if (err != SOTTO_OK) {
    return err;
  }
  if (!valid) {
    return SOTTO_ERR_STORAGE;  // a live sector lost its header: the log changed under us
  }
  *at = {sector, flash_log::kHeaderBytes, header.boot_id};
  return SOTTO_OK;
}

// The newest valid header (seq 0: none).
sotto_err_t find_newest(const sotto_flash_queue_t &queue, uint32_t *sector, SectorHeader *newest) {
  newest->seq = 0;
  for (uint32_t s = 0; s < queue.sector_count; ++s) {
    SectorHeader header{};
    bool valid = false;
    sotto_err_t err = read_header(queue, s, &header, &valid);
    if (err != SOTTO_OK) {
      return err;
    }
    if (valid && header.seq > newest->seq) {
      *newest = header;
      *sector = s;
    }
  }
  return SOTTO_OK;
}

// The oldest sequence of the live run ending at the newest sector: sectors just before it in
// the ring with consecutive sequence numbers, no older than the newest header's live_from, one
// sector short of the whole ring.
sotto_err_t oldest_live(const sotto_flash_queue_t &queue, uint32_t newest_sector,
                        const SectorHeader &newest, uint32_t *oldest_seq) {
  *oldest_seq = newest.seq;
  for (uint32_t back = 1; back + 1 < queue.sector_count; ++back) {
    const uint32_t expected = newest.seq - back;
    if (expected < newest.live_from) {
      break;
    }
    SectorHeader header{};
    bool valid = false;
    const uint32_t s = (newest_sector + queue.sector_count - back) % queue.sector_count;
    sotto_err_t err = read_header(queue, s, &header, &valid);
    if (err != SOTTO_OK) {
      return err;
    }
    if (!valid || header.seq != expected) {
      break;
    }
    *oldest_seq = expected;
  }
  return SOTTO_OK;
}

struct SectorScan {
  LogPosition end;         // where its records end
  bool ends_erased;        // at erased flash (room to append) rather than a bad record or the end
  bool saw_sent;           // some event in it is marked sent
  LogPosition after_sent;  // just after the last event marked sent
  uint32_t waiting_after_sent;  // events after that one (or all of them, without one)
};

sotto_err_t scan_sector(const sotto_flash_queue_t &queue, const LogPosition &start,
                        SectorScan *scan) {
  memset(scan, 0, sizeof *scan);
  LogPosition at = start;
  uint8_t buffer[flash_log::kMaxRecordBytes];
  for (;;) {
    Record record;
    sotto_err_t err = flash_queue_read_record(queue, at, buffer, &record);
    if (err != SOTTO_OK) {
      return err;
    }
    if (record.kind == RecordKind::kErased || record.kind == RecordKind::kBad) {
      scan->end = at;
      scan->ends_erased = record.kind == RecordKind::kErased && at.offset < queue.sector_bytes;
      return SOTTO_OK;
    }
    at.offset += record.bytes;
    if (record.kind == RecordKind::kBootMarker) {
      at.boot_id = record.boot_id;
    } else if (record.sent) {
      scan->saw_sent = true;
      scan->after_sent = at;
      scan->waiting_after_sent = 0;
    } else {
      scan->waiting_after_sent += 1;
    }
  }
}

}  // namespace

sotto_err_t flash_queue_read_record(const sotto_flash_queue_t &queue, const LogPosition &at,
                                    uint8_t buffer[flash_log::kMaxRecordBytes], Record *record) {
  const uint32_t available = at.offset < queue.sector_bytes ? queue.sector_bytes - at.offset : 0;
  const uint32_t n =
      available < flash_log::kMaxRecordBytes ? available : flash_log::kMaxRecordBytes;
  if (n > 0 &&
      queue.storage.read(queue.storage.ctx, SOTTO_REGION_QUEUE,
                         region_offset(queue, at.sector, at.offset), buffer, n) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  *record = flash_log::parse_record(buffer, n);
  return SOTTO_OK;
}

sotto_err_t flash_queue_settle(const sotto_flash_queue_t &queue, LogPosition *at, bool *on_event) {
  uint8_t buffer[flash_log::kMaxRecordBytes];
  // Each step moves forward by a record or a sector; the log holds fewer steps than bytes.
  const uint64_t max_steps = static_cast<uint64_t>(queue.sector_count) * queue.sector_bytes;
  for (uint64_t step = 0; step < max_steps; ++step) {
    if (at_tail(queue, *at)) {
      *on_event = false;
      return SOTTO_OK;
    }
    Record record;
    sotto_err_t err = flash_queue_read_record(queue, *at, buffer, &record);
    if (err != SOTTO_OK) {
      return err;
    }
    if (record.kind == RecordKind::kEvent) {
      *on_event = true;
      return SOTTO_OK;
    }
    if (record.kind == RecordKind::kBootMarker) {
      at->boot_id = record.boot_id;
      at->offset += record.bytes;
      continue;
    }
    if (at->sector == queue.tail_sector) {
      *on_event = false;  // the tail sector was closed at a torn record
      return SOTTO_OK;
    }
    err = sector_start(queue, (at->sector + 1) % queue.sector_count, at);
    if (err != SOTTO_OK) {
      return err;
    }
  }
  return SOTTO_ERR_STORAGE;
}

sotto_err_t flash_queue_recover(sotto_flash_queue_t *queue) {
  queue->recoveries += 1;
  queue->count = 0;
  uint32_t newest_sector = 0;
  SectorHeader newest{};
  sotto_err_t err = find_newest(*queue, &newest_sector, &newest);
  if (err != SOTTO_OK) {
    return err;
  }
  if (newest.seq == 0) {
    // Nothing was ever opened (or nothing readable is left): the first push opens sector 0.
    queue->newest_seq = 0;
    queue->live_from = 0;
    queue->tail_sector = queue->sector_count - 1;
    queue->tail_offset = queue->sector_bytes;
    queue->tail_boot_id = 0;
    queue->head_sector = queue->tail_sector;
    queue->head_offset = queue->tail_offset;
    queue->head_boot_id = 0;
    return SOTTO_OK;
  }
  uint32_t oldest_seq = 0;
  err = oldest_live(*queue, newest_sector, newest, &oldest_seq);
  if (err != SOTTO_OK) {
    return err;
  }
  queue->newest_seq = newest.seq;
  queue->live_from = oldest_seq;
  queue->tail_sector = newest_sector;
  const uint32_t live = newest.seq - oldest_seq + 1;
  LogPosition head{};
  uint32_t waiting = 0;
  for (uint32_t i = 0; i < live; ++i) {
    const uint32_t s = (newest_sector + queue->sector_count - (live - 1 - i)) % queue->sector_count;
    LogPosition start{};
    err = sector_start(*queue, s, &start);
    if (err != SOTTO_OK) {
      return err;
    }
    if (i == 0) {
      head = start;
    }
    SectorScan scan;
    err = scan_sector(*queue, start, &scan);
    if (err != SOTTO_OK) {
      return err;
    }
    // Events leave oldest first: whatever precedes the last one marked sent was sent (or
    // dropped) too, even where its own mark did not survive.
    if (scan.saw_sent) {
      head = scan.after_sent;
      waiting = 0;
    }
    waiting += scan.waiting_after_sent;
    if (s == newest_sector) {
      queue->tail_offset = scan.ends_erased ? scan.end.offset : queue->sector_bytes;
      queue->tail_boot_id = scan.end.boot_id;
    }
  }
  queue->count = waiting;
  bool on_event = false;
  err = flash_queue_settle(*queue, &head, &on_event);
  if (err != SOTTO_OK) {
    return err;
  }
  if (!on_event) {
    head = {queue->tail_sector, queue->tail_offset, queue->tail_boot_id};
    queue->count = 0;
  }
  queue->head_sector = head.sector;
  queue->head_offset = head.offset;
  queue->head_boot_id = head.boot_id;
  return SOTTO_OK;
}

void flash_queue_head(const sotto_flash_queue_t &queue, QueueCursor *cursor) {
  cursor->index = queue.removed;
  cursor->sector = queue.head_sector;
  cursor->offset = queue.head_offset;
  cursor->boot_id = queue.head_boot_id;
}

sotto_err_t flash_queue_read_at(const sotto_flash_queue_t &queue, const QueueCursor &cursor,
                                uint8_t *out, size_t out_size, size_t *out_len,
                                uint32_t *out_boot_id) {
  if (cursor.index - queue.removed >= queue.count) {
    return SOTTO_ERR_QUEUE_EMPTY;
  }
  uint8_t buffer[flash_log::kMaxRecordBytes];
  Record record;
  sotto_err_t err = flash_queue_read_record(queue, {cursor.sector, cursor.offset, cursor.boot_id},
                                            buffer, &record);
  if (err != SOTTO_OK) {
    return err;
  }
  if (record.kind != RecordKind::kEvent) {
    return SOTTO_ERR_STORAGE;  // the record changed since it was read back
  }
  if (out_size < record.payload_len) {
    return SOTTO_ERR_BUFFER_TOO_SMALL;
  }
  memcpy(out, buffer + 1, record.payload_len);
  *out_len = record.payload_len;
  *out_boot_id = cursor.boot_id;
  return SOTTO_OK;
}

sotto_err_t flash_queue_advance(const sotto_flash_queue_t &queue, QueueCursor *cursor) {
  uint8_t buffer[flash_log::kMaxRecordBytes];
  LogPosition at = {cursor->sector, cursor->offset, cursor->boot_id};
  Record record;
  sotto_err_t err = flash_queue_read_record(queue, at, buffer, &record);
  if (err != SOTTO_OK) {
    return err;
  }
  if (record.kind != RecordKind::kEvent) {
    return SOTTO_ERR_STORAGE;
  }
  at.offset += record.bytes;
  bool on_event = false;
  err = flash_queue_settle(queue, &at, &on_event);
  if (err != SOTTO_OK) {
    return err;
  }
  cursor->index += 1;
  cursor->sector = at.sector;
  cursor->offset = at.offset;
  cursor->boot_id = at.boot_id;
  return SOTTO_OK;
}

}  // namespace sotto
