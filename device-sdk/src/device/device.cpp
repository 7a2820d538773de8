// The device runtime: boot, event stamping, and each poll's step: the link (link.cpp), then the
// publishes in the order the gateway relies on (sender.cpp).
#include <string.h>

#include "boot_counter.h"
#include "link.h"
#include "message_dispatch.h"
#include "queue.h"
#include "sender.h"
#include "sotto/device.h"

namespace {

constexpr const char kTopicRoot[] = "sotto/v1/";

// Appends text to a NUL-terminated string inside a buffer of capacity bytes; false if it does
// not fit (the caller's sizes make that impossible for valid ids, but never trust it).
bool append(char *buffer, size_t capacity, const char *text) {
  size_t used = strlen(buffer);
  size_t add = strlen(text);
  if (used + add + 1 > capacity) {
    return false;
  }
  memcpy(buffer + used, text, add + 1);
  return true;
}

bool build_topic(char *buffer, size_t capacity, const char *site, const char *device_id,
                 const char *suffix) {
  buffer[0] = '\0';
  return append(buffer, capacity, kTopicRoot) && append(buffer, capacity, site) &&
         append(buffer, capacity, "/") && append(buffer, capacity, device_id) &&
         append(buffer, capacity, "/") && append(buffer, capacity, suffix);
}

// Matches "<expected>" at text; returns the position after it, or nullptr.
const char *skip_prefix(const char *text, const char *expected) {
  for (; *expected != '\0'; ++text, ++expected) {
    if (*text != *expected) {
      return nullptr;
    }
  }
  return text;
}

// Required functions present, and optional ones in their pairs (both or neither).
bool ports_complete(const sotto_ports_t &ports) {
  const sotto_transport_port_t &transport = ports.transport;
  return ports.clock.now_ms != nullptr && ports.storage.region_bytes != nullptr &&
         ports.storage.sector_bytes != nullptr && ports.storage.read != nullptr &&
         ports.storage.write != nullptr && ports.storage.erase != nullptr &&
         transport.publish != nullptr &&
         (transport.connect == nullptr) == (transport.link_state == nullptr) &&
         (transport.publish_begin == nullptr) == (transport.publish_result == nullptr);
}

void log_line(const sotto_device_t &device, sotto_log_level_t level, const char *message) {
  if (device.ports.log.write != nullptr) {
    device.ports.log.write(device.ports.log.ctx, level, message);
  }
}

uint64_t now_ms(const sotto_device_t &device) {
  return device.ports.clock.now_ms(device.ports.clock.ctx);
}

uint32_t uptime_s(const sotto_device_t &device) {
  uint64_t now = now_ms(device);
  uint64_t since_boot = now > device.boot_ms ? now - device.boot_ms : 0;
  return static_cast<uint32_t>(since_boot / 1000u);
}

// Without randomness the counter alone never repeats while the storage lives; with it, 16 random
// bits guard against a wiped STATE region restarting the counter (a repeated boot id would make
// the gateway discard the new boot's events as duplicates).
uint32_t derive_boot_id(const sotto_device_t &device, uint32_t counter) {
  if (device.ports.random.next_u32 == nullptr) {
    return counter;
  }
  uint32_t random = device.ports.random.next_u32(device.ports.random.ctx);
  uint32_t boot_id = (random & 0xffff0000u) | (counter & 0xffffu);
  return boot_id == 0 ? 1u : boot_id;
}

}  // namespace

extern "C" int sotto_id_is_valid(const char *id) {
  if (id == nullptr) {
    return 0;
  }
  size_t length = 0;
  for (const char *p = id; *p != '\0'; ++p, ++length) {
    char c = *p;
    bool lower_or_digit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!lower_or_digit && !(c == '-' && length > 0)) {
      return 0;
    }
    if (length >= SOTTO_ID_MAX_CHARS) {
      return 0;
    }
  }
  return length > 0 ? 1 : 0;
}

extern "C" sotto_err_t sotto_device_init(sotto_device_t *device,
                                         const sotto_device_config_t *config) {
  if (device == nullptr || config == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memset(device, 0, sizeof(*device));
  if (!sotto_id_is_valid(config->device_id) || !sotto_id_is_valid(config->site)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (!ports_complete(config->ports)) {
    return SOTTO_ERR_NOT_CONFIGURED;
  }
  sotto_err_t err =
      config->queue_in_flash != 0
          ? sotto_flash_queue_open(&device->flash_queue, &config->ports.storage,
                                   config->queue_max_events)
          : sotto_event_queue_init(&device->queue, config->queue_buffer, config->queue_buffer_bytes,
                                   config->queue_max_events);
  if (err != SOTTO_OK) {
    return err;
  }
  device->queue_in_flash = config->queue_in_flash != 0 ? 1 : 0;

  memcpy(device->device_id, config->device_id, strlen(config->device_id) + 1);
  memcpy(device->site, config->site, strlen(config->site) + 1);
  if (!build_topic(device->event_topic, sizeof device->event_topic, device->site, device->device_id,
                   "event") ||
      !build_topic(device->health_topic, sizeof device->health_topic, device->site,
                   device->device_id, "health")) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  device->ports = config->ports;
  device->device_class = config->device_class;
  device->health_interval_s = config->health_interval_s;
  device->max_publishes_per_poll = config->max_publishes_per_poll;
  device->max_in_flight =
      config->max_in_flight == 0 ? SOTTO_MAX_IN_FLIGHT_DEFAULT : config->max_in_flight;
  if (device->max_in_flight > SOTTO_MAX_IN_FLIGHT) {
    device->max_in_flight = SOTTO_MAX_IN_FLIGHT;
  }

  err = sotto::boot_counter_advance(device->ports.storage, &device->boot_counter);
  if (err != SOTTO_OK) {
    log_line(*device, SOTTO_LOG_ERROR, "sotto: boot counter could not be saved");
    return err;
  }
  device->boot_id = derive_boot_id(*device, device->boot_counter);
  device->boot_ms = now_ms(*device);
  sotto::link_init(device, config->reconnect, device->boot_ms);
  sotto::sender_forget(device);
  device->initialized = 1;
  log_line(*device, SOTTO_LOG_INFO, "sotto: device runtime started");
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_device_emit(sotto_device_t *device, const sotto_event_t *event) {
  if (device == nullptr || event == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (!device->initialized) {
    return SOTTO_ERR_NOT_CONFIGURED;
  }
  sotto_event_t stamped = *event;
  stamped.seq = device->next_seq;
  stamped.uptime_s = uptime_s(*device);
  uint8_t buffer[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  sotto_err_t err = sotto_event_encode(&stamped, buffer, sizeof buffer, &len);
  if (err != SOTTO_OK) {
    return err;
  }
  err = sotto::queue_push(device, buffer, len);
  if (err == SOTTO_ERR_STORAGE) {
    device->next_seq += 1;  // the record may be in flash: its number is never given again
  }
  if (err != SOTTO_OK) {
    return err;
  }
  device->next_seq += 1;
  device->emitted += 1;
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_device_poll(sotto_device_t *device) {
  if (device == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (!device->initialized) {
    return SOTTO_ERR_NOT_CONFIGURED;
  }
  const uint64_t now = now_ms(*device);
  switch (sotto::link_step(device, now)) {
    case sotto::LinkStep::kLost:
      sotto::sender_forget(device);
      return SOTTO_ERR_TRANSPORT;
    case sotto::LinkStep::kWaiting:
      return SOTTO_ERR_TRANSPORT;
    case sotto::LinkStep::kNewConnection:
      sotto::sender_forget(device);
      break;
    case sotto::LinkStep::kUp:
      break;
  }
  return sotto::sender_run(device, now);
}

extern "C" sotto_err_t sotto_device_on_message(sotto_device_t *device, const char *topic,
                                               const uint8_t *payload, size_t len) {
  if (device == nullptr || topic == nullptr || (payload == nullptr && len != 0)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (!device->initialized) {
    return SOTTO_ERR_NOT_CONFIGURED;
  }
  const char *rest = skip_prefix(topic, kTopicRoot);
  if (rest != nullptr) {
    rest = skip_prefix(rest, device->site);
  }
  if (rest != nullptr) {
    rest = skip_prefix(rest, "/");
  }
  if (rest != nullptr) {
    rest = skip_prefix(rest, device->device_id);
  }
  if (rest != nullptr) {
    rest = skip_prefix(rest, "/");
  }
  if (rest == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;  // addressed to someone else
  }
  return sotto::dispatch_message(device, rest, payload, len);
}

extern "C" void sotto_device_set_battery_mv(sotto_device_t *device, uint16_t battery_mv) {
  if (device != nullptr) {
    device->battery_mv = battery_mv;
  }
}

extern "C" void sotto_device_set_model(sotto_device_t *device, uint16_t model_id,
                                       uint32_t model_version) {
  if (device == nullptr) {
    return;
  }
  device->model_id = model_id;
  device->model_version = model_version;
}

extern "C" sotto_err_t sotto_device_get_stats(const sotto_device_t *device,
                                              sotto_device_stats_t *out) {
  if (device == nullptr || out == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memset(out, 0, sizeof(*out));
  out->emitted = device->emitted;
  out->delivered = device->delivered;
  out->dropped = sotto::queue_dropped(*device);
  out->queued = sotto::queue_depth(*device);
  out->health_published = device->health_published;
  out->boot_id = device->boot_id;
  out->boot_counter = device->boot_counter;
  out->connect_attempts = device->connect_attempts;
  out->publish_failures = device->publish_failures;
  out->in_flight = device->in_flight_count;
  return SOTTO_OK;
}

extern "C" const char *sotto_device_event_topic(const sotto_device_t *device) {
  return device == nullptr ? "" : device->event_topic;
}

extern "C" const char *sotto_device_health_topic(const sotto_device_t *device) {
  return device == nullptr ? "" : device->health_topic;
}
