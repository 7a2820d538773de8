/* sotto host port: the platform seam for Linux (sotto-sim, host tests). Clock (real, scaled or
 * manually driven), NOR-flash storage in RAM or a file with power-cut injection, an MQTT
 * transport on the Paho C client, an OS or seeded random source, and a stderr log.
 * Unlike the SDK core this code may allocate and use threads; it is never built for a device. */
#ifndef SOTTO_PORT_HOST_H
#define SOTTO_PORT_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/device.h"
#include "sotto/port.h"
#include "sotto/port_ram_storage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Clock ------------------------------------------------------------------------------ */

/* Time since the clock was created. A real clock follows CLOCK_MONOTONIC multiplied by
 * time_scale (1.0 = real time; sotto-sim runs simulated days in seconds). A manual clock only
 * moves when told to; tests and simulators drive it. Many devices may share one clock, from
 * any thread. */
typedef struct sotto_host_clock sotto_host_clock_t;

sotto_host_clock_t *sotto_host_clock_create_real(double time_scale);
sotto_host_clock_t *sotto_host_clock_create_manual(uint64_t start_ms);
void sotto_host_clock_destroy(sotto_host_clock_t *clock);
uint64_t sotto_host_clock_now_ms(sotto_host_clock_t *clock);
/* Manual clocks only (no effect on real ones); time never goes backwards. */
void sotto_host_clock_set_ms(sotto_host_clock_t *clock, uint64_t now_ms);
void sotto_host_clock_advance_ms(sotto_host_clock_t *clock, uint64_t delta_ms);
sotto_clock_port_t sotto_host_clock_port(sotto_host_clock_t *clock);

/* ---- Storage: NOR flash model with power-cut injection ------------------------------------ */

/* The same NOR model and fault model as the QEMU ports' RAM storage (sotto/port_ram_storage.h),
 * over host memory or a file. */
typedef struct sotto_host_storage_config {
  uint32_t sector_bytes;      /* erase unit; every region size must be a multiple of it */
  uint32_t state_bytes;       /* SOTTO_REGION_STATE */
  uint32_t slot_bytes;        /* SOTTO_REGION_SLOT_A and SOTTO_REGION_SLOT_B each (may be 0) */
  const char *file_path;      /* NULL: RAM. Otherwise regions live in this file (created erased,
                                 reopened as is when its size matches), so state survives runs. */
  int tear_interrupted_write; /* nonzero: the op a power cut interrupts does half its work */
  uint32_t queue_bytes;       /* SOTTO_REGION_QUEUE (0 = no such region) */
} sotto_host_storage_config_t;

typedef struct sotto_host_storage sotto_host_storage_t;

/* INVALID_ARGUMENT for sizes that are zero or not sector multiples; STORAGE when the file cannot
 * be created or mapped. */
sotto_err_t sotto_host_storage_create(const sotto_host_storage_config_t *config,
                                      sotto_host_storage_t **out);
void sotto_host_storage_destroy(sotto_host_storage_t *storage);
/* The port functions follow NOR rules: erase takes sector-aligned ranges and sets 0xFF; write
 * may only clear bits (a write that would turn a 0 bit into 1 fails with STORAGE and changes
 * nothing); out-of-range offsets fail with INVALID_ARGUMENT. map returns the region's bytes. */
sotto_storage_port_t sotto_host_storage_port(sotto_host_storage_t *storage);

/* Power-cut injection (MCUboot-style): count the writes and erases of a clean run with
 * op_count, then replay it cutting power during each op 1..N.
 *   cut_power_after(s, n): from this call, n more writes/erases succeed; the next one is
 *     interrupted (with tear_interrupted_write it does half its work, else none) and reports
 *     SOTTO_ERR_STORAGE, as does every later one, untouched. Reads keep working.
 *   cut_power_during(s, n, tear): the same, the interrupted op getting exactly as far as tear
 *     says (any bit of a write or an erase, from the start or the end of its range; see
 *     sotto_ram_storage_tear_t).
 *   restore_power(s): ends the cut ("reboot"); memory keeps whatever was written.
 *   op_count(s): writes and erases that succeeded since creation.
 *   power_is_cut(s): nonzero once an operation has been refused. */
void sotto_host_storage_cut_power_after(sotto_host_storage_t *storage, uint64_t ops);
void sotto_host_storage_cut_power_during(sotto_host_storage_t *storage, uint64_t ops,
                                         sotto_ram_storage_tear_t tear);
void sotto_host_storage_restore_power(sotto_host_storage_t *storage);
uint64_t sotto_host_storage_op_count(const sotto_host_storage_t *storage);
int sotto_host_storage_power_is_cut(const sotto_host_storage_t *storage);

/* ---- Transport: MQTT 3.1.1 over the Paho C asynchronous client ---------------------------- */

typedef struct sotto_host_transport_config {
  const char *broker_url;      /* "tcp://127.0.0.1:1883" */
  const char *client_id;       /* unique per connection; sotto-sim uses "sotto-sim-<device>" */
  uint32_t publish_timeout_ms; /* wait for PUBACK; 0 = 5000 */
  uint32_t keepalive_s;        /* 0 = 30 */
  uint32_t retry_interval_s;   /* between Paho's reconnect attempts; 0 = 1 (not with
                                  sdk_reconnects) */
  size_t incoming_max;         /* incoming messages held for deliver_incoming; 0 = 64 */
  /* Nonzero: the device SDK decides when to reconnect (the port offers connect/link_state, so
   * the SDK's backoff with jitter applies) and Paho's automatic reconnect is off. Zero: Paho
   * reconnects on its own every retry_interval_s, and publishing starts a connect if none runs. */
  int sdk_reconnects;
} sotto_host_transport_config_t;

typedef struct sotto_host_transport sotto_host_transport_t;

typedef struct sotto_host_transport_stats {
  uint64_t connects; /* successful connections, reconnects included */
  uint64_t connection_losses;
  uint64_t publish_acked;
  uint64_t publish_failed; /* not connected, refused, or no PUBACK within the timeout */
  uint64_t incoming_received;
  uint64_t incoming_dropped; /* arrived while incoming_max were already waiting */
  uint64_t connect_attempts; /* connects started (Paho's automatic ones not counted) */
  uint64_t connect_failures; /* of those, refused or timed out */
} sotto_host_transport_stats_t;

/* Creates the client; does not connect. INVALID_ARGUMENT for a missing or malformed URL/id. */
sotto_err_t sotto_host_transport_create(const sotto_host_transport_config_t *config,
                                        sotto_host_transport_t **out);
/* Disconnects (bounded) and frees; no callback runs afterwards. */
void sotto_host_transport_destroy(sotto_host_transport_t *transport);
/* Starts connecting (QoS 1, clean session) and waits up to timeout_ms for the CONNACK. OK once
 * connected; TRANSPORT otherwise, while (without sdk_reconnects) attempts continue in the
 * background every retry_interval_s. */
sotto_err_t sotto_host_transport_connect(sotto_host_transport_t *transport, uint32_t timeout_ms);
int sotto_host_transport_is_connected(sotto_host_transport_t *transport);
/* Why the last connect or publish failed (for messages to the user); never NULL. */
const char *sotto_host_transport_last_error(sotto_host_transport_t *transport);
sotto_host_transport_stats_t sotto_host_transport_get_stats(sotto_host_transport_t *transport);
/* publish: QoS 1, returns OK only after PUBACK, TRANSPORT on disconnect or timeout.
 * publish_begin/publish_result: the same without waiting (tickets; publish_timeout_ms applies).
 * connect/link_state: only with sdk_reconnects.
 * subscribe: QoS 1, waits for SUBACK; the filter is re-subscribed after every reconnect. */
sotto_transport_port_t sotto_host_transport_port(sotto_host_transport_t *transport);
/* Paho receives on its own thread; this hands the messages that arrived since the last call to
 * sotto_device_on_message on the caller's (the device's) thread. Returns how many were handed
 * over; the runtime's verdict on each goes to the optional on_result callback. */
size_t sotto_host_transport_deliver_incoming(
    sotto_host_transport_t *transport, sotto_device_t *device,
    void (*on_result)(void *ctx, const char *topic, sotto_err_t result), void *ctx);
/* The same messages as raw bytes, for tools and tests that are not a device (a subscriber that
 * checks what the fleet published). Returns how many were handed over. */
size_t sotto_host_transport_take_incoming(sotto_host_transport_t *transport,
                                          void (*handle)(void *ctx, const char *topic,
                                                         const uint8_t *payload, size_t len),
                                          void *ctx);

/* ---- Random and log ----------------------------------------------------------------------- */

/* Seeded (deterministic, splitmix64) or the OS's getrandom(). Caller-allocated. */
typedef struct sotto_host_random {
  uint64_t state;
  int use_os;
} sotto_host_random_t;

void sotto_host_random_init_os(sotto_host_random_t *random);
void sotto_host_random_init_seeded(sotto_host_random_t *random, uint64_t seed);
sotto_random_port_t sotto_host_random_port(sotto_host_random_t *random);

/* Lines at or below max_level go to stderr as "<prefix>: <message>". Caller-allocated. */
typedef struct sotto_host_log {
  const char *prefix;
  sotto_log_level_t max_level;
} sotto_host_log_t;

sotto_log_port_t sotto_host_log_port(sotto_host_log_t *log);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_PORT_HOST_H */
