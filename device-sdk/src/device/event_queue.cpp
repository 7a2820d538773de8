// The store-and-forward queue in RAM: a byte ring of length-prefixed encoded events in caller
// memory. Variable-length records keep a few KB of RAM worth many typical (15-25 byte) events;
// an optional event cap makes the capacity exact when the integrator wants "N events".
#include <string.h>

#include "event_queue_internal.h"

namespace {

uint32_t wrap(const sotto_event_queue_t &queue, uint32_t offset) {
  return offset >= queue.capacity_bytes ? offset - queue.capacity_bytes : offset;
}

uint8_t byte_at(const sotto_event_queue_t &queue, uint32_t offset) {
  return queue.buffer[wrap(queue, offset)];
}

// Copies len bytes starting at ring offset `from` into out, across the end of the buffer.
void copy_out(const sotto_event_queue_t &queue, uint32_t from, uint8_t *out, uint32_t len) {
  uint32_t first = queue.capacity_bytes - from;
  if (first >= len) {
    memcpy(out, queue.buffer + from, len);
  } else {
    memcpy(out, queue.buffer + from, first);
    memcpy(out + first, queue.buffer, len - first);
  }
}

void copy_in(sotto_event_queue_t *queue, uint32_t to, const uint8_t *data, uint32_t len) {
  uint32_t first = queue->capacity_bytes - to;
  if (first >= len) {
    memcpy(queue->buffer + to, data, len);
  } else {
    memcpy(queue->buffer + to, data, first);
    memcpy(queue->buffer, data + first, len - first);
  }
}

void remove_oldest(sotto_event_queue_t *queue) {
  uint32_t record_bytes = 1u + byte_at(*queue, queue->head);
  queue->head = wrap(*queue, queue->head + record_bytes);
  queue->used_bytes -= record_bytes;
  queue->count -= 1;
  queue->removed += 1;
}

}  // namespace

namespace sotto {

void ram_queue_head(const sotto_event_queue_t &queue, QueueCursor *cursor) {
  memset(cursor, 0, sizeof *cursor);
  cursor->index = queue.removed;
  cursor->offset = queue.head;
}

sotto_err_t ram_queue_read_at(const sotto_event_queue_t &queue, const QueueCursor &cursor,
                              uint8_t *out, size_t out_size, size_t *out_len) {
  if (cursor.index - queue.removed >= queue.count) {
    return SOTTO_ERR_QUEUE_EMPTY;
  }
  const uint32_t len = byte_at(queue, cursor.offset);
  if (out_size < len) {
    return SOTTO_ERR_BUFFER_TOO_SMALL;
  }
  copy_out(queue, wrap(queue, cursor.offset + 1), out, len);
  *out_len = len;
  return SOTTO_OK;
}

void ram_queue_advance(const sotto_event_queue_t &queue, QueueCursor *cursor) {
  cursor->offset = wrap(queue, cursor->offset + 1u + byte_at(queue, cursor->offset));
  cursor->index += 1;
}

}  // namespace sotto

extern "C" sotto_err_t sotto_event_queue_init(sotto_event_queue_t *queue, uint8_t *buffer,
                                              size_t buffer_bytes, uint32_t max_events) {
  if (queue == nullptr || buffer == nullptr || buffer_bytes < SOTTO_QUEUE_RECORD_MAX_BYTES ||
      buffer_bytes > UINT32_MAX) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memset(queue, 0, sizeof(*queue));
  queue->buffer = buffer;
  queue->capacity_bytes = static_cast<uint32_t>(buffer_bytes);
  queue->max_events = max_events;
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_event_queue_push(sotto_event_queue_t *queue, const uint8_t *data,
                                              size_t len) {
  if (queue == nullptr || queue->buffer == nullptr || data == nullptr || len == 0 ||
      len > SOTTO_EVENT_MAX_ENCODED_BYTES) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  const uint32_t record_bytes = 1u + static_cast<uint32_t>(len);
  while (queue->count > 0 && ((queue->max_events != 0 && queue->count >= queue->max_events) ||
                              queue->capacity_bytes - queue->used_bytes < record_bytes)) {
    remove_oldest(queue);
    queue->dropped += 1;
  }
  const uint32_t tail = wrap(*queue, queue->head + queue->used_bytes);
  const uint8_t length_byte = static_cast<uint8_t>(len);
  copy_in(queue, tail, &length_byte, 1);
  copy_in(queue, wrap(*queue, tail + 1), data, static_cast<uint32_t>(len));
  queue->used_bytes += record_bytes;
  queue->count += 1;
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_event_queue_peek(const sotto_event_queue_t *queue, uint8_t *out,
                                              size_t out_size, size_t *out_len) {
  if (queue == nullptr || out == nullptr || out_len == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto::QueueCursor head;
  sotto::ram_queue_head(*queue, &head);
  return sotto::ram_queue_read_at(*queue, head, out, out_size, out_len);
}

extern "C" sotto_err_t sotto_event_queue_pop(sotto_event_queue_t *queue) {
  if (queue == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (queue->count == 0) {
    return SOTTO_ERR_QUEUE_EMPTY;
  }
  remove_oldest(queue);
  return SOTTO_OK;
}

extern "C" uint32_t sotto_event_queue_depth(const sotto_event_queue_t *queue) {
  return queue == nullptr ? 0 : queue->count;
}

extern "C" uint32_t sotto_event_queue_dropped(const sotto_event_queue_t *queue) {
  return queue == nullptr ? 0 : queue->dropped;
}
