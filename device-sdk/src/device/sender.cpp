// The publish order and the window of publishes in flight. Every event goes out behind a Health
// of its own boot on the same link, because the gateway attributes an event to the boot of the
// latest Health it received from the device and dedupes by (device, boot, sequence): a flash
// queue's events from an earlier boot are announced with that boot's id before they are sent,
// and a resent event (acknowledged, but power went before it was marked sent) carries the same
// boot and sequence as its first copy.
#include "sender.h"

#include <string.h>

#include "link.h"
#include "queue.h"

namespace sotto {
namespace {

uint32_t uptime_at(const sotto_device_t &device, uint64_t now_ms) {
  return static_cast<uint32_t>((now_ms > device.boot_ms ? now_ms - device.boot_ms : 0) / 1000u);
}

bool pipelined(const sotto_device_t &device) {
  return device.ports.transport.publish_begin != nullptr &&
         device.ports.transport.publish_result != nullptr;
}

sotto_in_flight_t &in_flight_at(sotto_device_t *device, uint32_t i) {
  return device->in_flight[(device->in_flight_first + i) % (SOTTO_MAX_IN_FLIGHT + 1)];
}

bool health_in_flight(sotto_device_t *device) {
  for (uint32_t i = 0; i < device->in_flight_count; ++i) {
    if (in_flight_at(device, i).is_health != 0) {
      return true;
    }
  }
  return false;
}

sotto_err_t fail(sotto_device_t *device, uint64_t now_ms) {
  device->publish_failures += 1;
  link_failed(device, now_ms);
  sender_forget(device);
  return SOTTO_ERR_TRANSPORT;
}

// The broker has the message.
sotto_err_t acknowledged(sotto_device_t *device, const sotto_in_flight_t &entry, uint64_t now_ms) {
  link_healthy(device);
  if (entry.is_health != 0) {
    device->announced = 1;
    device->announced_boot_id = entry.boot_id;
    device->health_published += 1;
    if (entry.boot_id == device->boot_id) {
      device->next_health_ms = now_ms + static_cast<uint64_t>(device->health_interval_s) * 1000u;
    }
    return SOTTO_OK;
  }
  if (entry.event_index != queue_removed(*device)) {
    return SOTTO_OK;  // dropped from the full queue while in flight
  }
  sotto_err_t err = queue_pop(device);
  if (err != SOTTO_OK) {
    sender_forget(device);  // it stays queued and goes out again: the gateway drops the copy
    return err;
  }
  device->delivered += 1;
  return SOTTO_OK;
}

sotto_err_t collect(sotto_device_t *device, uint64_t now_ms) {
  const sotto_transport_port_t &transport = device->ports.transport;
  while (device->in_flight_count > 0) {
    const sotto_in_flight_t entry = in_flight_at(device, 0);
    const sotto_err_t result = transport.publish_result(transport.ctx, entry.ticket);
    if (result == SOTTO_ERR_PENDING) {
      return SOTTO_OK;
    }
    device->in_flight_first = (device->in_flight_first + 1) % (SOTTO_MAX_IN_FLIGHT + 1);
    device->in_flight_count -= 1;
    if (result != SOTTO_OK) {
      return fail(device, now_ms);
    }
    sotto_err_t err = acknowledged(device, entry, now_ms);
    if (err != SOTTO_OK) {
      return err;
    }
  }
  return SOTTO_OK;
}

sotto_err_t start(sotto_device_t *device, const char *topic, const uint8_t *payload, size_t len,
                  sotto_in_flight_t entry, uint64_t now_ms) {
  const sotto_transport_port_t &transport = device->ports.transport;
  if (!pipelined(*device)) {
    if (transport.publish(transport.ctx, topic, payload, len) != SOTTO_OK) {
      return fail(device, now_ms);
    }
    return acknowledged(device, entry, now_ms);
  }
  if (transport.publish_begin(transport.ctx, topic, payload, len, &entry.ticket) != SOTTO_OK) {
    return fail(device, now_ms);
  }
  in_flight_at(device, device->in_flight_count) = entry;
  device->in_flight_count += 1;
  return SOTTO_OK;
}

sotto_err_t start_health(sotto_device_t *device, const QueueCursor &next_event, uint32_t boot_id,
                         uint64_t now_ms) {
  sotto_health_t health;
  memset(&health, 0, sizeof health);
  health.boot_id = boot_id;
  health.uptime_s = uptime_at(*device, now_ms);
  if (boot_id != device->boot_id) {
    sotto_err_t err =
        queue_earlier_boot_uptime_s(*device, next_event, health.uptime_s, &health.uptime_s);
    if (err != SOTTO_OK) {
      return err;
    }
  }
  health.battery_mv = device->battery_mv;
  health.model_id = device->model_id;
  health.model_version = device->model_version;
  health.sdk_version = SOTTO_SDK_VERSION;
  health.events_dropped = queue_dropped(*device);
  const uint32_t depth = queue_depth(*device);
  health.events_queued = static_cast<uint16_t>(depth > 0xffffu ? 0xffffu : depth);
  health.device_tag = sotto_device_tag(device->device_id);
  health.device_class = device->device_class;
  uint8_t buffer[SOTTO_HEALTH_MAX_ENCODED_BYTES];
  size_t len = 0;
  sotto_err_t err = sotto_health_encode(&health, buffer, sizeof buffer, &len);
  if (err != SOTTO_OK) {
    return err;
  }
  sotto_in_flight_t entry;
  memset(&entry, 0, sizeof entry);
  entry.is_health = 1;
  entry.boot_id = boot_id;
  return start(device, device->health_topic, buffer, len, entry, now_ms);
}

bool periodic_health_due(const sotto_device_t &device, uint64_t now_ms) {
  return device.health_interval_s != 0 && now_ms >= device.next_health_ms;
}

// The next event to publish: the oldest queued one after those in flight. Found by walking from
// the oldest (at most a window's worth), so it is right whatever pushes and drops did since.
sotto_err_t next_to_send(sotto_device_t *device, QueueCursor *cursor) {
  const uint32_t removed = queue_removed(*device);
  if (device->next_send_index - removed > queue_depth(*device)) {
    device->next_send_index = removed;  // what was in flight was dropped from the full queue
  }
  queue_head(*device, cursor);
  for (uint32_t skip = device->next_send_index - removed; skip > 0; --skip) {
    sotto_err_t err = queue_advance(*device, cursor);
    if (err != SOTTO_OK) {
      return err;
    }
  }
  return SOTTO_OK;
}

}  // namespace

void sender_forget(sotto_device_t *device) {
  device->announced = 0;
  device->in_flight_count = 0;
  device->in_flight_first = 0;
  device->next_send_index = queue_removed(*device);
  device->seen_recoveries = device->flash_queue.recoveries;
}

sotto_err_t sender_run(sotto_device_t *device, uint64_t now_ms) {
  if (device->flash_queue.recoveries != device->seen_recoveries) {
    sender_forget(device);  // the flash log was read back: what is in flight is void
  }
  if (device->in_flight_count > 0) {
    sotto_err_t err = collect(device, now_ms);
    if (err != SOTTO_OK) {
      return err;
    }
  }
  QueueCursor cursor;
  sotto_err_t err = next_to_send(device, &cursor);
  if (err != SOTTO_OK) {
    return err;
  }
  const uint32_t window = pipelined(*device) ? device->max_in_flight : 1;
  for (uint32_t started = 0;
       device->max_publishes_per_poll == 0 || started < device->max_publishes_per_poll; ++started) {
    if (device->in_flight_count >= window || health_in_flight(device)) {
      break;  // nothing goes out behind a Health before it is acknowledged
    }
    uint8_t event[SOTTO_EVENT_MAX_ENCODED_BYTES];
    size_t len = 0;
    uint32_t boot_id = 0;
    err = queue_read_at(*device, cursor, event, sizeof event, &len, &boot_id);
    if (err != SOTTO_OK && err != SOTTO_ERR_QUEUE_EMPTY) {
      return err;
    }
    const bool have_event = err == SOTTO_OK;
    const uint32_t next_boot = have_event ? boot_id : device->boot_id;
    if (device->announced == 0 || device->announced_boot_id != next_boot ||
        (next_boot == device->boot_id && periodic_health_due(*device, now_ms))) {
      err = start_health(device, cursor, next_boot, now_ms);
    } else if (have_event) {
      sotto_in_flight_t entry;
      memset(&entry, 0, sizeof entry);
      entry.event_index = cursor.index;
      err = queue_advance(*device, &cursor);
      if (err == SOTTO_OK) {
        device->next_send_index += 1;
        err = start(device, device->event_topic, event, len, entry, now_ms);
      }
    } else {
      break;
    }
    if (err != SOTTO_OK) {
      return err;
    }
  }
  return SOTTO_OK;
}

}  // namespace sotto
