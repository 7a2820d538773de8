/* sotto device SDK: the messages a device sends (events and health) and their wire codec.
 * The gateway links the same codec, so both ends agree on every bit. */
#ifndef SOTTO_MESSAGES_H
#define SOTTO_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Mirrors sotto.v1.EventKind. */
typedef enum sotto_event_kind {
  SOTTO_EVENT_ANOMALY = 1,
  SOTTO_EVENT_CLASSIFICATION = 2,
  SOTTO_EVENT_THRESHOLD = 3,
  SOTTO_EVENT_HEARTBEAT = 4
} sotto_event_kind_t;

/* Mirrors sotto.v1.Quantity; the unit is part of the name. */
typedef enum sotto_quantity {
  SOTTO_QUANTITY_TEMPERATURE_CENTI_C = 1,
  SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE = 2,
  SOTTO_QUANTITY_VIBRATION_RMS_MILLI_G = 3,
  SOTTO_QUANTITY_RELATIVE_HUMIDITY_PERMILLE = 4,
  SOTTO_QUANTITY_ZONE = 5
} sotto_quantity_t;

#define SOTTO_EVENT_MAX_READINGS 3
#define SOTTO_EVENT_WIRE_SEQ_BITS 24 /* seq and uptime travel as their low 24 bits */
#define SOTTO_EVENT_MAX_ENCODED_BYTES 41
#define SOTTO_EVENT_CORE_MAX_ENCODED_BYTES 11
#define SOTTO_HEALTH_MAX_ENCODED_BYTES 49

typedef struct sotto_reading {
  sotto_quantity_t quantity;
  int32_t value;
} sotto_reading_t;

typedef struct sotto_event {
  sotto_event_kind_t kind;
  uint8_t class_id;  /* label, anomaly type or threshold index */
  uint8_t score;     /* 0..255 meaning 0.0..1.0 */
  uint32_t seq;      /* per-boot sequence number; decode yields the 24-bit wire value */
  uint32_t uptime_s; /* seconds since boot; decode yields the 24-bit wire value */
  uint8_t reading_count;
  sotto_reading_t readings[SOTTO_EVENT_MAX_READINGS];
} sotto_event_t;

typedef struct sotto_health {
  uint32_t boot_id;
  uint32_t uptime_s;
  uint16_t battery_mv;
  uint16_t model_id;
  uint32_t model_version;
  uint32_t sdk_version;
  uint32_t events_dropped;
  uint16_t events_queued;
  uint32_t device_tag; /* sotto_device_tag(device id) */
  uint8_t device_class;
} sotto_health_t;

/* Encodes into buf (at least SOTTO_EVENT_MAX_ENCODED_BYTES always suffices).
 * SOTTO_ERR_INVALID_ARGUMENT for an unknown kind or quantity or more than 3 readings. */
sotto_err_t sotto_event_encode(const sotto_event_t *event, uint8_t *buf, size_t buf_size,
                               size_t *out_len);
/* Decodes bytes from outside. SOTTO_ERR_DECODE when they are not an Event (including more than
 * 3 readings); SOTTO_ERR_INVALID_ARGUMENT when they decode but name an unknown kind or quantity. */
sotto_err_t sotto_event_decode(const uint8_t *buf, size_t len, sotto_event_t *out);

sotto_err_t sotto_health_encode(const sotto_health_t *health, uint8_t *buf, size_t buf_size,
                                size_t *out_len);
sotto_err_t sotto_health_decode(const uint8_t *buf, size_t len, sotto_health_t *out);

/* CRC-32 (IEEE) of a NUL-terminated device id: the Health.device_tag a device must send. */
uint32_t sotto_device_tag(const char *device_id);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_MESSAGES_H */
