/* sotto device SDK: the device runtime. It stamps events with per-boot sequence numbers, keeps
 * them in a bounded store-and-forward queue (caller RAM, or a flash log that survives reboots),
 * and publishes Health and events through the transport port, Health first after every boot and
 * every reconnect, reconnecting with exponential backoff and full jitter and pacing a backlog.
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
#define SOTTO_SDK_VERSION_MINOR 2
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

/* ---- Store-and-forward queue in RAM ------------------------------------------------------ */

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
  uint32_t removed; /* events taken from the head (popped or dropped), since init */
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

/* ---- Store-and-forward queue in flash ---------------------------------------------------- */

/* The same queue as a power-safe, wear-levelled log in the storage port's SOTTO_REGION_QUEUE, so
 * queued events survive a reboot, a brown-out or a watchdog reset. Same order (oldest first) and
 * counting rules as the RAM queue; each event also keeps the boot id it was stamped in.
 *
 * Layout: the region's sectors form a ring. Each sector in use starts with a header (its open
 * sequence number, the oldest sequence still live, the boot in effect); records follow, each a
 * flags/length byte, the encoded event and a 16-bit check. Appending writes one record; sending
 * clears one bit of its flags byte (a write that clears bits, no erase); a new boot adds one
 * 7-byte boot marker before its first event. When the ring is full, the oldest sector is given
 * up: its unsent events are dropped (counted) and it is erased when the ring comes round to it.
 * One sector always stays out of use, so an erase never touches a live record. A power cut at any
 * write or erase loses no event whose push returned OK and sends none whose pop returned OK
 * again (tests/device/flash_queue_power_cut_test.cpp cuts at every one).
 *
 * Wear per event of n encoded bytes: n + 3 bytes programmed by one write, one more write of one
 * byte when it is sent, and 1 / (events per sector) erases (a 4 KiB sector holds 194 events of
 * 18 bytes: 0.0052 erases per event, spread evenly over the ring). */

/* A sector's header and a record's overhead (flags byte + 16-bit check), in bytes. */
#define SOTTO_FLASH_QUEUE_SECTOR_HEADER_BYTES 18
#define SOTTO_FLASH_QUEUE_RECORD_OVERHEAD_BYTES 3
#define SOTTO_FLASH_QUEUE_BOOT_MARKER_BYTES 7
#define SOTTO_FLASH_QUEUE_MIN_SECTORS 3
/* Events of the largest size one sector holds, with room for one boot marker. */
#define SOTTO_FLASH_QUEUE_EVENTS_PER_SECTOR(sector_bytes)                                         \
  (((sector_bytes)-SOTTO_FLASH_QUEUE_SECTOR_HEADER_BYTES - SOTTO_FLASH_QUEUE_BOOT_MARKER_BYTES) / \
   (SOTTO_EVENT_MAX_ENCODED_BYTES + SOTTO_FLASH_QUEUE_RECORD_OVERHEAD_BYTES))
/* Sectors that hold at least n events of the largest size without dropping any (one sector is
 * the ring's spare, one is the slack of a partly sent oldest sector). */
#define SOTTO_FLASH_QUEUE_SECTORS_FOR_EVENTS(n, sector_bytes)      \
  (((n) + SOTTO_FLASH_QUEUE_EVENTS_PER_SECTOR(sector_bytes) - 1) / \
       SOTTO_FLASH_QUEUE_EVENTS_PER_SECTOR(sector_bytes) +         \
   2)

/* Fields are private. Positions are (sector index, byte offset in the sector). */
typedef struct sotto_flash_queue {
  sotto_storage_port_t storage;
  uint32_t sector_bytes;
  uint32_t sector_count;
  uint32_t max_events;   /* 0 = as many as the region holds */
  uint32_t newest_seq;   /* open sequence of the tail sector; 0: no sector open yet */
  uint32_t live_from;    /* oldest open sequence still live */
  uint32_t tail_sector;  /* where the next record goes */
  uint32_t tail_offset;  /* == sector_bytes: closed, the next record opens a sector */
  uint32_t tail_boot_id; /* boot of the last record appended */
  uint32_t head_sector;  /* the oldest unsent event (or the tail when empty) */
  uint32_t head_offset;
  uint32_t head_boot_id;
  uint32_t count;
  uint32_t dropped;    /* events dropped since open: the ring was full or max_events reached */
  uint32_t removed;    /* events taken from the head (sent or dropped), since open */
  uint32_t recoveries; /* times the log was read back from flash (open, or a record that failed
                          its check), since open */
} sotto_flash_queue_t;

/* Reads the log back from the storage port's SOTTO_REGION_QUEUE (writes nothing). Every header
 * and record is checked before it is trusted: a record torn by a power cut ends its sector's
 * records, a sector without a valid header is free. NOT_CONFIGURED when the region is missing,
 * has fewer than SOTTO_FLASH_QUEUE_MIN_SECTORS sectors or sectors too small for one record;
 * STORAGE when it cannot be read. */
sotto_err_t sotto_flash_queue_open(sotto_flash_queue_t *queue, const sotto_storage_port_t *storage,
                                   uint32_t max_events);
/* Appends an encoded event of boot boot_id (a boot marker first when the boot changed); when
 * full, drops the oldest (counted). INVALID_ARGUMENT for len 0 or above
 * SOTTO_EVENT_MAX_ENCODED_BYTES; STORAGE when a write or erase failed: it may have done all,
 * part or none of its work, so the queue reads itself back from flash, as after a reboot (the
 * depth then says whether the event got in; a torn record is never written over). */
sotto_err_t sotto_flash_queue_push(sotto_flash_queue_t *queue, const uint8_t *data, size_t len,
                                   uint32_t boot_id);
/* Copies the oldest event and its boot id out. QUEUE_EMPTY, BUFFER_TOO_SMALL as the RAM queue;
 * STORAGE when the flash cannot be read. */
sotto_err_t sotto_flash_queue_peek(sotto_flash_queue_t *queue, uint8_t *out, size_t out_size,
                                   size_t *out_len, uint32_t *out_boot_id);
/* Marks the oldest event sent. QUEUE_EMPTY; STORAGE when the mark failed (read back from flash
 * as after push: the event stays the oldest unless the mark landed after all). */
sotto_err_t sotto_flash_queue_pop(sotto_flash_queue_t *queue);
uint32_t sotto_flash_queue_depth(const sotto_flash_queue_t *queue);
uint32_t sotto_flash_queue_dropped(const sotto_flash_queue_t *queue);

/* ---- Reconnecting and pacing ------------------------------------------------------------- */

/* After the n-th consecutive failure (a lost link or a failed attempt, n >= 1) the device waits
 * before its next attempt: ceiling = min(max_delay_ms, min_delay_ms * 2^(n-1)); with full jitter
 * (the default, AWS's "full jitter") a uniformly random delay in [0, ceiling], without jitter
 * exactly the ceiling. A thousand devices that lost their broker together thus come back spread
 * over the window instead of all at once. The first attempt after boot is immediate; the count
 * starts again when a publish is acknowledged. Randomness comes from the random port, or without
 * one from a generator seeded with the device tag and the boot id. */
#define SOTTO_RECONNECT_MIN_DELAY_MS_DEFAULT 1000u
#define SOTTO_RECONNECT_MAX_DELAY_MS_DEFAULT 120000u

typedef enum sotto_jitter {
  SOTTO_JITTER_FULL = 0, /* default */
  SOTTO_JITTER_NONE = 1  /* exact exponential backoff (for comparisons; not for fleets) */
} sotto_jitter_t;

typedef struct sotto_reconnect_config {
  uint32_t min_delay_ms; /* 0 = SOTTO_RECONNECT_MIN_DELAY_MS_DEFAULT */
  uint32_t max_delay_ms; /* 0 = SOTTO_RECONNECT_MAX_DELAY_MS_DEFAULT; raised to min if below */
  sotto_jitter_t jitter;
} sotto_reconnect_config_t;

/* Publishes the device keeps unacknowledged at once when the transport can pipeline
 * (publish_begin/publish_result); without it each publish waits for its acknowledgement. */
#define SOTTO_MAX_IN_FLIGHT_DEFAULT 4u
#define SOTTO_MAX_IN_FLIGHT 16u

/* Private bookkeeping of the runtime, in the device struct so the caller owns all memory. */
typedef struct sotto_in_flight {
  uint32_t ticket;
  uint32_t event_index; /* for an event: its place, counted from the first event since init */
  uint32_t boot_id;     /* for a Health: the boot it announces */
  uint8_t is_health;
} sotto_in_flight_t;

/* ---- Device runtime --------------------------------------------------------------------- */

typedef struct sotto_device_config {
  const char *device_id; /* copied; [a-z0-9][a-z0-9-]{0,31} */
  const char *site;      /* copied; same rule */
  uint8_t device_class;  /* hardware/model family, matched against OTA manifests */
  /* clock, storage and transport are required; log and random are optional (NULL functions).
   * The STATE region must hold at least SOTTO_DEVICE_STATE_RESERVED_SECTORS sectors. */
  sotto_ports_t ports;
  uint32_t health_interval_s; /* 0 = Health only at boot and after reconnects */
  /* The queue: in caller RAM (queue_buffer), or with queue_in_flash in the storage port's
   * SOTTO_REGION_QUEUE, where it survives reboots (queue_buffer is then not used). Flash is
   * opt-in because a port written before the region existed may not expect it. */
  uint8_t *queue_buffer; /* caller memory for the queue, kept for the device's lifetime */
  size_t queue_buffer_bytes;
  uint32_t queue_max_events; /* 0 = as many as fit */
  uint8_t queue_in_flash;
  /* Publishes started in one poll, Health included (0 = no limit): bounds how long a poll runs
   * and how fast a backlog leaves. */
  uint32_t max_publishes_per_poll;
  uint32_t max_in_flight; /* 0 = SOTTO_MAX_IN_FLIGHT_DEFAULT, at most SOTTO_MAX_IN_FLIGHT */
  sotto_reconnect_config_t reconnect;
} sotto_device_config_t;

/* Allocated by the caller (static, stack or inside another struct). Every field is private. */
typedef struct sotto_device {
  char device_id[SOTTO_ID_MAX_CHARS + 1];
  char site[SOTTO_ID_MAX_CHARS + 1];
  char event_topic[SOTTO_TOPIC_MAX_CHARS + 1];
  char health_topic[SOTTO_TOPIC_MAX_CHARS + 1];
  sotto_ports_t ports;
  sotto_event_queue_t queue;
  sotto_flash_queue_t flash_queue;
  uint64_t boot_ms;
  uint64_t next_health_ms;
  uint32_t health_interval_s;
  uint32_t max_publishes_per_poll;
  uint32_t max_in_flight;
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
  uint8_t queue_in_flash;
  uint8_t initialized;
  /* Link: see sotto_reconnect_config_t. */
  sotto_reconnect_config_t reconnect;
  uint64_t next_attempt_ms;
  uint32_t link_failures; /* consecutive, since the last acknowledged publish */
  uint32_t connect_attempts;
  uint32_t publish_failures;
  uint32_t jitter_state;
  uint32_t seen_recoveries; /* flash queue recoveries the sender has accounted for */
  uint8_t link_phase;
  /* Sending: the Health last announced on this link, the publishes in flight, oldest first. */
  uint8_t announced;
  uint32_t announced_boot_id;
  uint32_t next_send_index; /* the next event to publish: removed events + those in flight */
  sotto_in_flight_t in_flight[SOTTO_MAX_IN_FLIGHT + 1];
  uint32_t in_flight_first;
  uint32_t in_flight_count;
} sotto_device_t;

typedef struct sotto_device_stats {
  uint32_t emitted;          /* events accepted by sotto_device_emit this boot */
  uint32_t delivered;        /* events acknowledged by the transport */
  uint32_t dropped;          /* events the full queue discarded, oldest first */
  uint32_t queued;           /* events waiting now (with a flash queue: earlier boots' too) */
  uint32_t health_published; /* Health messages acknowledged */
  uint32_t boot_id;
  uint32_t boot_counter;
  uint32_t connect_attempts; /* transport connect() calls (link control ports only) */
  uint32_t publish_failures; /* publishes that were not acknowledged */
  uint32_t in_flight;        /* publishes begun and not yet acknowledged */
} sotto_device_stats_t;

/* Validates the config, increments and persists the boot counter (STATE region) and derives the
 * boot id (the counter alone, or its low 16 bits under 16 random bits when a random port is
 * given), and with queue_in_flash reads the queue back from flash. INVALID_ARGUMENT for bad ids
 * or a NULL; NOT_CONFIGURED for a missing required port, a STATE region smaller than the
 * reserved sectors or an unusable QUEUE region; STORAGE when the counter cannot be saved. */
sotto_err_t sotto_device_init(sotto_device_t *device, const sotto_device_config_t *config);

/* Stamps event->seq (next per-boot number, from 0) and event->uptime_s (seconds since init),
 * encodes it and queues it; the caller's struct is not modified. INVALID_ARGUMENT when the
 * event cannot be encoded (unknown kind or quantity, too many readings), which uses no sequence
 * number; STORAGE when the flash queue could not store it (its sequence number is used up: the
 * event may be in flash and be sent after a reboot, and no other event may carry its number). */
sotto_err_t sotto_device_emit(sotto_device_t *device, const sotto_event_t *event);

/* Call from the main loop. It keeps the link (with link control ports: connects after the
 * backoff delay of sotto_reconnect_config_t), then publishes in this order:
 *   - before any event, a Health of that event's boot unless the last Health on this link was
 *     for that boot: the gateway attributes events to the boot of the latest Health it got. A
 *     flash queue can hold events of earlier boots: they go out after a Health carrying their
 *     boot id (uptime: the current uptime plus the uptimes the queued earlier boots had reached,
 *     as if each boot ended when the next began), then a Health of this boot precedes its own;
 *   - a Health of this boot after (re)connecting and every health interval, once no earlier
 *     boot's event waits;
 *   - queued events oldest first, each removed only once the transport acknowledged it, at most
 *     max_in_flight unacknowledged at once and max_publishes_per_poll started per poll. Nothing
 *     is sent behind a Health until it is acknowledged.
 * OK when nothing was left, the budget was used or acknowledgements are awaited; TRANSPORT when
 * the link failed or the device is waiting to reconnect (messages stay queued; the next link
 * starts with Health again); STORAGE when the flash queue could not be read or marked. */
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
