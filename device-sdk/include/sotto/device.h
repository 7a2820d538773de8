/* sotto device SDK: the device runtime. It stamps events with per-boot sequence numbers, keeps
 * them in a bounded store-and-forward queue in caller memory, and publishes Health and events
 * through the transport port, Health first after every boot and every reconnect.
 *
 * Typical firmware loop:
 *   static uint8_t queue_memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(32)];
 *   static sotto_device_t device;
 *   sotto_device_config_t config = {0};
 *   config.device_id = "pump-7"; config.site = "plant-1"; config.ports = my_ports;
 *   config.queue_buffer = queue_memory; config.queue_buffer_bytes = sizeof queue_memory;
 *   config.health_interval_s = 3600;
 *   sotto_device_init(&device, &config);
 *   for (;;) { ... sotto_device_emit(&device, &event); ... sotto_device_poll(&device); }
 *
 * Not thread-safe: call every function for one device from one thread (or under one lock). */
#ifndef SOTTO_DEVICE_H
#define SOTTO_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"
#include "sotto/messages.h"
#include "sotto/port.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SOTTO_SDK_VERSION_MAJOR 0
#define SOTTO_SDK_VERSION_MINOR 1
#define SOTTO_SDK_VERSION_PATCH 0
/* As sent in Health.sdk_version: major * 10000 + minor * 100 + patch. */
#define SOTTO_SDK_VERSION \
  (SOTTO_SDK_VERSION_MAJOR * 10000 + SOTTO_SDK_VERSION_MINOR * 100 + SOTTO_SDK_VERSION_PATCH)

/* Device and site ids match [a-z0-9][a-z0-9-]{0,31}. */
#define SOTTO_ID_MAX_CHARS 32
/* "sotto/v1/<site>/<device>/<suffix>" with both ids at their maximum and a short suffix. */
#define SOTTO_TOPIC_MAX_CHARS 95

/* The STATE storage region's first two sectors belong to the runtime (the boot counter, written
 * as a wear-levelled log that alternates between them so a power cut never loses it). Other
 * areas (OTA) use the STATE region from sector SOTTO_DEVICE_STATE_RESERVED_SECTORS on. */
#define SOTTO_DEVICE_STATE_RESERVED_SECTORS 2

/* ---- Store-and-forward queue ------------------------------------------------------------ */

/* Each queued event costs its encoded length plus one length byte. */
#define SOTTO_QUEUE_RECORD_MAX_BYTES (SOTTO_EVENT_MAX_ENCODED_BYTES + 1)
/* A buffer of this size holds at least n events of any size. */
#define SOTTO_QUEUE_BYTES_FOR_EVENTS(n) ((size_t)(n)*SOTTO_QUEUE_RECORD_MAX_BYTES)

/* A ring of encoded events in caller memory. Fields are private: use the functions below. */
typedef struct sotto_event_queue {
  uint8_t *buffer;
  uint32_t capacity_bytes;
  uint32_t max_events; /* 0 = as many as fit in the buffer */
  uint32_t head;       /* offset of the oldest record */
  uint32_t used_bytes;
  uint32_t count;
  uint32_t dropped; /* oldest events discarded to make room, since init */
} sotto_event_queue_t;

/* max_events bounds the count (0 = only the buffer bounds it); capacity is exact when
 * buffer_bytes >= SOTTO_QUEUE_BYTES_FOR_EVENTS(max_events). INVALID_ARGUMENT for a NULL or a
 * buffer smaller than one record. */
sotto_err_t sotto_event_queue_init(sotto_event_queue_t *queue, uint8_t *buffer, size_t buffer_bytes,
                                   uint32_t max_events);
/* Appends; when full, drops the oldest events (counted) until the new one fits.
 * INVALID_ARGUMENT for len 0 or len > SOTTO_EVENT_MAX_ENCODED_BYTES. */
sotto_err_t sotto_event_queue_push(sotto_event_queue_t *queue, const uint8_t *data, size_t len);
/* Copies the oldest event out without removing it. QUEUE_EMPTY when there is none;
 * BUFFER_TOO_SMALL when out_size cannot hold it. */
sotto_err_t sotto_event_queue_peek(const sotto_event_queue_t *queue, uint8_t *out, size_t out_size,
                                   size_t *out_len);
/* Removes the oldest event. QUEUE_EMPTY when there is none. */
sotto_err_t sotto_event_queue_pop(sotto_event_queue_t *queue);
uint32_t sotto_event_queue_depth(const sotto_event_queue_t *queue);
uint32_t sotto_event_queue_dropped(const sotto_event_queue_t *queue);

/* ---- Device runtime --------------------------------------------------------------------- */

typedef struct sotto_device_config {
  const char *device_id; /* copied; [a-z0-9][a-z0-9-]{0,31} */
  const char *site;      /* copied; same rule */
  uint8_t device_class;  /* hardware/model family, matched against OTA manifests */
  /* clock, storage and transport are required; log and random are optional (NULL functions).
   * The STATE region must hold at least SOTTO_DEVICE_STATE_RESERVED_SECTORS sectors. */
  sotto_ports_t ports;
  uint32_t health_interval_s; /* 0 = Health only at boot and after reconnects */
  uint8_t *queue_buffer;      /* caller memory for the queue, kept for the device's lifetime */
  size_t queue_buffer_bytes;
  uint32_t queue_max_events;       /* 0 = as many as fit */
  uint32_t max_publishes_per_poll; /* 0 = drain everything in one poll */
} sotto_device_config_t;

/* Allocated by the caller (static, stack or inside another struct). Every field is private. */
typedef struct sotto_device {
  char device_id[SOTTO_ID_MAX_CHARS + 1];
  char site[SOTTO_ID_MAX_CHARS + 1];
  char event_topic[SOTTO_TOPIC_MAX_CHARS + 1];
  char health_topic[SOTTO_TOPIC_MAX_CHARS + 1];
  sotto_ports_t ports;
  sotto_event_queue_t queue;
  uint64_t boot_ms;
  uint64_t next_health_ms;
  uint32_t health_interval_s;
  uint32_t max_publishes_per_poll;
  uint32_t boot_counter;
  uint32_t boot_id;
  uint32_t next_seq;
  uint32_t emitted;
  uint32_t delivered;
  uint32_t health_published;
  uint32_t model_version;
  uint16_t model_id;
  uint16_t battery_mv;
  uint8_t device_class;
  uint8_t health_due; /* boot or reconnect: Health goes out before anything else */
  uint8_t initialized;
} sotto_device_t;

typedef struct sotto_device_stats {
  uint32_t emitted;          /* events accepted by sotto_device_emit this boot */
  uint32_t delivered;        /* events acknowledged by the transport */
  uint32_t dropped;          /* events the full queue discarded, oldest first */
  uint32_t queued;           /* events waiting now */
  uint32_t health_published; /* Health messages acknowledged */
  uint32_t boot_id;
  uint32_t boot_counter;
} sotto_device_stats_t;

/* Validates the config, increments and persists the boot counter (STATE region) and derives the
 * boot id (the counter alone, or its low 16 bits under 16 random bits when a random port is
 * given). INVALID_ARGUMENT for bad ids or a NULL; NOT_CONFIGURED for a missing required port or
 * a STATE region smaller than the reserved sectors; STORAGE when the counter cannot be saved. */
sotto_err_t sotto_device_init(sotto_device_t *device, const sotto_device_config_t *config);

/* Stamps event->seq (next per-boot number, from 0) and event->uptime_s (seconds since init),
 * encodes it and queues it; the caller's struct is not modified. INVALID_ARGUMENT when the
 * event cannot be encoded (unknown kind or quantity, too many readings). */
sotto_err_t sotto_device_emit(sotto_device_t *device, const sotto_event_t *event);

/* Call from the main loop. Publishes Health first when it is due (boot, after any transport
 * failure, every health interval), then queued events oldest first, removing each only once the
 * transport acknowledged it. Stops at the first failure (TRANSPORT) and keeps the message; the
 * next successful poll starts with Health again. OK when nothing was left or the per-poll
 * budget was used. */
sotto_err_t sotto_device_poll(sotto_device_t *device);

/* Hands an incoming message to the runtime (called by the transport port, on the device's
 * thread). INVALID_ARGUMENT for a topic outside sotto/v1/<site>/<device>/; UNHANDLED_TOPIC for
 * a suffix no area handles. */
sotto_err_t sotto_device_on_message(sotto_device_t *device, const char *topic,
                                    const uint8_t *payload, size_t len);

/* Values reported in the next Health. */
void sotto_device_set_battery_mv(sotto_device_t *device, uint16_t battery_mv);
void sotto_device_set_model(sotto_device_t *device, uint16_t model_id, uint32_t model_version);

sotto_err_t sotto_device_get_stats(const sotto_device_t *device, sotto_device_stats_t *out);

/* The topics this device publishes on, for ports and tests. */
const char *sotto_device_event_topic(const sotto_device_t *device);
const char *sotto_device_health_topic(const sotto_device_t *device);

/* True when id matches [a-z0-9][a-z0-9-]{0,31}. */
int sotto_id_is_valid(const char *id);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_DEVICE_H */
