/* sotto device SDK: the platform seam. One small struct per concern, filled in by the integrator
 * (or by a ready port under device-sdk/ports/). Each carries a context pointer so one process
 * can host many devices (sotto-sim) and firmware can keep state without globals. Every function
 * pointer is required unless its comment says otherwise. */
#ifndef SOTTO_PORT_H
#define SOTTO_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Monotonic time since boot. */
typedef struct sotto_clock_port {
  void *ctx;
  uint64_t (*now_ms)(void *ctx);
} sotto_clock_port_t;

/* Persistent storage as a few named regions of NOR-flash-like memory: erase sets bytes to 0xFF
 * in whole sectors; write clears bits (programs bytes of erased memory, and may program a byte
 * again to clear more of its bits: the OTA progress log does).
 * Flash whose ECC forbids a second program of a word needs a port that gives each such byte a
 * word of its own. A power cut can interrupt any erase or write part way: the SDK's records
 * carry checks, and the host and QEMU ports inject such cuts at every operation (tests/ota,
 * tests/device enumerate them). */
typedef enum sotto_storage_region {
  SOTTO_REGION_STATE = 0,  /* SDK bookkeeping: boot counter, anti-rollback, update progress */
  SOTTO_REGION_SLOT_A = 1, /* model slot A */
  SOTTO_REGION_SLOT_B = 2, /* model slot B */
  /* Optional: the store-and-forward queue's flash log (0 bytes when the port has none). */
  SOTTO_REGION_QUEUE = 3
} sotto_storage_region_t;

typedef struct sotto_storage_port {
  void *ctx;
  /* 0 for a region the port does not have. */
  uint32_t (*region_bytes)(void *ctx, sotto_storage_region_t region);
  uint32_t (*sector_bytes)(void *ctx);
  sotto_err_t (*read)(void *ctx, sotto_storage_region_t region, uint32_t offset, void *out,
                      size_t len);
  sotto_err_t (*write)(void *ctx, sotto_storage_region_t region, uint32_t offset, const void *data,
                       size_t len);
  sotto_err_t (*erase)(void *ctx, sotto_storage_region_t region, uint32_t offset, size_t len);
  /* Optional: the region's bytes mapped for reading in place (execute-in-place flash), or NULL. */
  const uint8_t *(*map)(void *ctx, sotto_storage_region_t region);
} sotto_storage_port_t;

typedef enum sotto_link_state {
  SOTTO_LINK_DOWN = 0,       /* no connection and no attempt running */
  SOTTO_LINK_CONNECTING = 1, /* an attempt started by connect is running */
  SOTTO_LINK_UP = 2
} sotto_link_state_t;

/* Message transport (MQTT on the host port). publish returns SOTTO_OK only once the broker has
 * acknowledged the message (QoS 1), SOTTO_ERR_TRANSPORT otherwise; the SDK keeps unacknowledged
 * events queued and retries later. Incoming messages are handed to the SDK by the port through
 * sotto_device_on_message(). Messages published on one connection reach the broker in order.
 *
 * TLS: a transport that leaves the device's board must be TLS 1.2 or newer to the broker,
 * because events are the fleet's data and the broker trusts a device by its certificate. What
 * the port must do (the Cortex-M port's sotto/port_tls.h does it over any byte link):
 *   - verify the broker's certificate against the fleet CA (never skip verification) and its
 *     name against the broker's host name, and send that name as SNI;
 *   - present the device's certificate (its key from the identity port below, or a key the
 *     port keeps) when the broker requires one, as sotto's broker config does;
 *   - offer TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 with P-256 (what the fleet's PKI issues
 *     and what the benchmark measures: about 105 M instructions of handshake on a Cortex-M4,
 *     under 16 KB of RAM with the mbedTLS pool, deploy/bench.sh tls);
 *   - seed its DRBG from a hardware random source;
 *   - return SOTTO_OK from publish only after the PUBACK arrived through the TLS session, as
 *     without TLS, and report a failed handshake as SOTTO_ERR_TRANSPORT (the SDK retries). */
typedef struct sotto_transport_port {
  void *ctx;
  sotto_err_t (*publish)(void *ctx, const char *topic, const uint8_t *payload, size_t len);
  /* Optional: subscribe to a topic filter (needed for over-the-air updates). */
  sotto_err_t (*subscribe)(void *ctx, const char *topic_filter);
  /* Optional link control (give both or neither). With them the SDK decides when to connect,
   * with backoff and jitter (sotto_reconnect_config_t), so the port must not reconnect by
   * itself. connect starts one attempt and returns at once (OK: started, or already up; any
   * error counts as a failed attempt); link_state says where the link stands. Without them the
   * port keeps its own link and the SDK paces its publish attempts with the same backoff. */
  sotto_err_t (*connect)(void *ctx);
  sotto_link_state_t (*link_state)(void *ctx);
  /* Optional pipelining (give both or neither): several publishes in flight at once
   * (sotto_device_config_t.max_in_flight). publish_begin copies topic and payload, sends a QoS 1
   * message without waiting and returns a ticket for it (TRANSPORT when it cannot be sent now).
   * publish_result(ticket) answers OK once the broker acknowledged it, SOTTO_ERR_PENDING while
   * it waits, TRANSPORT when it never will be (the link dropped, or no acknowledgement came in
   * the port's timeout); after OK or TRANSPORT the ticket is forgotten. */
  sotto_err_t (*publish_begin)(void *ctx, const char *topic, const uint8_t *payload, size_t len,
                               uint32_t *out_ticket);
  sotto_err_t (*publish_result)(void *ctx, uint32_t ticket);
} sotto_transport_port_t;

typedef enum sotto_log_level {
  SOTTO_LOG_ERROR = 0,
  SOTTO_LOG_WARN = 1,
  SOTTO_LOG_INFO = 2,
  SOTTO_LOG_DEBUG = 3
} sotto_log_level_t;

/* Optional: where the SDK's few log lines go. */
typedef struct sotto_log_port {
  void *ctx;
  void (*write)(void *ctx, sotto_log_level_t level, const char *message);
} sotto_log_port_t;

/* Optional: a source of randomness for the boot id (the boot counter is used without it). */
typedef struct sotto_random_port {
  void *ctx;
  uint32_t (*next_u32)(void *ctx);
} sotto_random_port_t;

/* Optional: the device's identity key, an ECDSA P-256 key pair the port holds, so that the
 * private key can stay in a secure element (or a protected flash page) and never passes through
 * the SDK. The SDK asks only for the public key and for signatures over SHA-256 digests: for
 * the certificate signing request of sotto/identity.h, and whatever else the integrator signs
 * with it (a TLS client's CertificateVerify). Generate the key on the device, once, and keep it
 * across firmware updates: the certificate the gateway's CA issues for it is the device's
 * identity. */
typedef struct sotto_identity_port {
  void *ctx;
  /* The public key as an uncompressed point: 0x04 || X || Y (65 bytes, big-endian). */
  sotto_err_t (*public_key)(void *ctx, uint8_t out_public_key[65]);
  /* ECDSA over a SHA-256 digest with the private key: raw r || s (32 + 32 bytes, big-endian). */
  sotto_err_t (*sign_digest)(void *ctx, const uint8_t digest[32], uint8_t out_signature[64]);
} sotto_identity_port_t;

typedef struct sotto_ports {
  sotto_clock_port_t clock;
  sotto_storage_port_t storage;
  sotto_transport_port_t transport;
  sotto_log_port_t log;
  sotto_random_port_t random;
  sotto_identity_port_t identity; /* optional; only sotto/identity.h uses it */
} sotto_ports_t;

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_PORT_H */
