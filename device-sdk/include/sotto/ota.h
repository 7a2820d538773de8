/* sotto device SDK: over-the-air model updates with two model slots (A/B).
 *
 * An update is offered as a signed manifest (ECDSA P-256 over SHA-256); the device checks the
 * signature, key, device class, version against its anti-rollback counter, size and SDK version
 * before it stores anything. Chunks are written in order to the inactive slot, each one recorded
 * in a progress log so that after a reboot the update resumes from the last stored chunk. When
 * the last byte is stored the device checks the slot's SHA-256 and runs the self-test vector;
 * only then one record write switches the active slot. A cut of power at any storage write
 * leaves either the old or the new model active, both fully verified.
 *
 * Trusted keys: the device trusts up to SOTTO_OTA_MAX_TRUSTED_KEYS fleet signing keys. Until
 * the first key rotation it trusts only the key it was provisioned with (config.public_key). A
 * key rotation (proto/sotto/v1/key_rotation.proto), signed by a trusted key and by the key it
 * adds, adds one key and can retire one; it applies only when its key_list_version exceeds the
 * list's counter, so an old rotation cannot be replayed. Manifests signed by a retired key are
 * refused with OTA_KEY_REVOKED (the device remembers the last SOTTO_OTA_MAX_RETIRED_KEYS retired
 * ids; an older one is refused as OTA_WRONG_KEY), and so is an update in progress whose signer
 * was retired before it finished. The model running now keeps running. The list is stored as
 * two alternating records like the state record: a power cut leaves the old or the new list.
 *
 * Storage: the STATE region's sectors SOTTO_DEVICE_STATE_RESERVED_SECTORS .. +4 (two alternating
 * state records, one progress sector, two alternating key-list records) and both slot regions.
 * Sectors must hold at least 256 bytes.
 * Not thread-safe: call every function for one updater from one thread. */
#ifndef SOTTO_OTA_H
#define SOTTO_OTA_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/device.h"
#include "sotto/error.h"
#include "sotto/port.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SOTTO_OTA_PUBLIC_KEY_BYTES 65 /* uncompressed P-256 point: 0x04 || X || Y */
#define SOTTO_OTA_SHA256_BYTES 32
#define SOTTO_OTA_CHUNK_MIN_BYTES 16
#define SOTTO_OTA_CHUNK_MAX_BYTES 1024 /* OtaChunk.data max_size */
#define SOTTO_OTA_STATE_SECTORS 5      /* after the runtime's reserved sectors */
#define SOTTO_OTA_MIN_SECTOR_BYTES 256 /* the largest record (the key list) fits one sector */
/* Worst-case encoded OtaStatus (nanopb sotto_v1_OtaStatus_size), within the 51-byte uplink. */
#define SOTTO_OTA_STATUS_MAX_BYTES 38
#define SOTTO_OTA_MAX_TRUSTED_KEYS 3
#define SOTTO_OTA_MAX_RETIRED_KEYS 4

typedef enum sotto_ota_slot {
  SOTTO_OTA_SLOT_NONE = 0,
  SOTTO_OTA_SLOT_A = 1,
  SOTTO_OTA_SLOT_B = 2
} sotto_ota_slot_t;

typedef enum sotto_ota_state {
  SOTTO_OTA_IDLE = 0,
  SOTTO_OTA_RECEIVING = 1,
  SOTTO_OTA_ACTIVATED = 2,
  SOTTO_OTA_FAILED = 3
} sotto_ota_state_t;

/* A verified manifest's content. */
typedef struct sotto_ota_manifest {
  uint16_t model_id;
  uint8_t device_class;
  uint32_t version;
  uint32_t model_bytes;
  uint8_t model_sha256[SOTTO_OTA_SHA256_BYTES];
  uint32_t min_sdk_version;
  uint64_t self_test_input_seed;
  uint8_t self_test_output_sha256[SOTTO_OTA_SHA256_BYTES];
} sotto_ota_manifest_t;

/* What the self-test hook runs: the candidate model in a slot region. model is the slot's bytes
 * when the storage port maps them, else NULL (read through storage). */
typedef struct sotto_ota_candidate {
  const sotto_storage_port_t *storage;
  sotto_storage_region_t region;
  const uint8_t *model;
  const sotto_ota_manifest_t *manifest;
} sotto_ota_candidate_t;

/* Runs the candidate on the input sotto_ota_self_test_input(manifest->self_test_input_seed)
 * and writes the SHA-256 of its output. Any error counts as a failed self-test.
 * sotto/ota_model_self_test.h has the ready-made one that runs a .smdl on the SDK's engine. */
typedef sotto_err_t (*sotto_ota_self_test_fn)(void *ctx, const sotto_ota_candidate_t *candidate,
                                              uint8_t out_output_sha256[SOTTO_OTA_SHA256_BYTES]);

typedef struct sotto_ota_config {
  sotto_storage_port_t storage;
  /* The provisioned fleet key, trusted until the first key rotation is stored (the stored list
   * rules from then on). SOTTO_OTA_PUBLIC_KEY_BYTES, kept by pointer (flash constant). */
  const uint8_t *public_key;
  uint8_t device_class;
  uint32_t sdk_version; /* 0 = SOTTO_SDK_VERSION */
  sotto_ota_self_test_fn self_test;
  void *self_test_ctx;
} sotto_ota_config_t;

/* The persisted state record, mirrored in RAM. Private. */
typedef struct sotto_ota_record {
  uint32_t seq;
  uint8_t active_slot;
  uint8_t pending_slot; /* SOTTO_OTA_SLOT_NONE: no update in progress */
  int8_t last_failure;  /* sotto_err_t of the last failed update (SOTTO_OK: none) */
  uint32_t rollback_version;
  uint32_t last_rollout_id;
  uint32_t pending_rollout_id;
  uint32_t pending_chunk_bytes;
  uint32_t pending_key_id; /* who signed the pending manifest: checked again before the switch */
  sotto_ota_manifest_t active;
  sotto_ota_manifest_t pending;
} sotto_ota_record_t;

/* The trusted keys (sotto_ota_get_keys), persisted as a record of its own. */
typedef struct sotto_ota_key_list {
  uint32_t seq;     /* private: the record's sequence number */
  uint32_t version; /* anti-rollback counter of rotations; 0 = the provisioned key only */
  uint8_t key_count;
  uint8_t retired_count;
  uint32_t key_ids[SOTTO_OTA_MAX_TRUSTED_KEYS];
  uint8_t public_keys[SOTTO_OTA_MAX_TRUSTED_KEYS][SOTTO_OTA_PUBLIC_KEY_BYTES];
  uint32_t retired_key_ids[SOTTO_OTA_MAX_RETIRED_KEYS]; /* oldest first */
} sotto_ota_key_list_t;

/* Allocated by the caller. Every field is private. */
typedef struct sotto_ota {
  sotto_ota_config_t config;
  sotto_ota_record_t record;
  uint32_t record_sector; /* which of the two record sectors holds record (0 or 1) */
  uint8_t record_valid;
  sotto_ota_key_list_t keys;
  uint32_t keys_sector; /* which of the two key-list sectors holds keys (0 or 1) */
  uint8_t keys_valid;   /* 0: no stored list yet (keys holds the provisioned key) */
  uint8_t active_verified;
  uint8_t state; /* sotto_ota_state_t of the latest update */
  int8_t failure;
  uint32_t next_offset;
  uint32_t rollout_id;
  uint32_t offered_version;
} sotto_ota_t;

typedef struct sotto_ota_status {
  sotto_ota_state_t state;
  sotto_err_t failure; /* SOTTO_OK unless state is FAILED */
  uint32_t rollout_id;
  uint32_t next_offset;
  uint32_t offered_version;
  uint16_t model_id; /* running model, 0 = none */
  uint32_t model_version;
  uint32_t key_list_version; /* the trusted keys' counter (0: the provisioned key only) */
} sotto_ota_status_t;

/* Boot: loads the newest valid state record and key list, verifies the active slot's SHA-256
 * against its manifest and finds how much of an update in progress is stored. NOT_CONFIGURED for
 * missing ports/key/hook or too small regions; STORAGE when reads fail; OTA_DIGEST_MISMATCH when
 * the active slot no longer matches (no model is then reported active, but the updater stays usable
 * so that a new model can be installed). */
sotto_err_t sotto_ota_init(sotto_ota_t *ota, const sotto_ota_config_t *config);

/* An offer: envelope is an encoded SignedManifest. Checks it completely before storing anything
 * (OTA_BAD_MANIFEST, OTA_KEY_REVOKED, OTA_WRONG_KEY, OTA_BAD_SIGNATURE, OTA_WRONG_DEVICE_CLASS,
 * OTA_VERSION_NOT_NEWER, OTA_TOO_LARGE, OTA_SDK_TOO_OLD). The same update as the one in
 * progress resumes (and completes when every byte is already stored); another one restarts.
 * OTA_STORAGE when the slot cannot be prepared. */
sotto_err_t sotto_ota_offer(sotto_ota_t *ota, uint32_t rollout_id, const uint8_t *envelope,
                            size_t envelope_len, uint32_t chunk_bytes);

/* Stores a chunk. offset must be a multiple of the offer's chunk_bytes and len exactly
 * chunk_bytes (less for the last one): OTA_BAD_MANIFEST otherwise. A chunk already stored is
 * acknowledged and ignored (OK); one beyond the next offset gives OTA_OUT_OF_ORDER; no update:
 * OTA_NO_UPDATE. After the last chunk the update is verified and activated: OK, or
 * OTA_DIGEST_MISMATCH / OTA_SELF_TEST_FAILED / OTA_KEY_REVOKED (its signer was retired
 * meanwhile) / OTA_STORAGE with the old model still active. A chunk the slot cannot take
 * (OTA_STORAGE with power on: NOR cannot set bits a cut write of other bytes cleared) ends the
 * update, so the next offer starts over from an erase instead of failing the same way again. */
sotto_err_t sotto_ota_write_chunk(sotto_ota_t *ota, uint32_t offset, const uint8_t *data,
                                  size_t len);

/* The verified active model: its slot and manifest. OTA_NO_UPDATE when none is active. */
sotto_err_t sotto_ota_get_active(const sotto_ota_t *ota, sotto_ota_slot_t *out_slot,
                                 sotto_ota_manifest_t *out_manifest);

sotto_err_t sotto_ota_get_status(const sotto_ota_t *ota, sotto_ota_status_t *out);

/* A key rotation: envelope is an encoded SignedKeyRotation. Checks the signer (OTA_KEY_REVOKED,
 * OTA_WRONG_KEY), both signatures (OTA_BAD_SIGNATURE), the content (OTA_BAD_MANIFEST: undecodable,
 * an invalid new key, one already trusted, or retiring a key not trusted), the counter
 * (OTA_VERSION_NOT_NEWER) and room (OTA_KEY_LIST_FULL, also OTA_KEY_REVOKED when the new key
 * was retired before), then stores the new list in one record write (OTA_STORAGE when it
 * fails, the old list still in force). A rotation whose effect is the list in force (a
 * redelivery) is answered OK without a write. The outcome is the status's state and failure. */
sotto_err_t sotto_ota_rotate_keys(sotto_ota_t *ota, uint32_t rollout_id, const uint8_t *envelope,
                                  size_t envelope_len);

/* The trusted keys now. */
sotto_err_t sotto_ota_get_keys(const sotto_ota_t *ota, sotto_ota_key_list_t *out);

/* Message level (topics sotto/v1/<site>/<device>/ota/offer, ota/chunk and ota/keys): decode an
 * OtaOffer, OtaChunk or KeyRotationOffer and apply it (DECODE for undecodable bytes). */
sotto_err_t sotto_ota_handle_offer(sotto_ota_t *ota, const uint8_t *payload, size_t len);
sotto_err_t sotto_ota_handle_chunk(sotto_ota_t *ota, const uint8_t *payload, size_t len);
sotto_err_t sotto_ota_handle_key_rotation(sotto_ota_t *ota, const uint8_t *payload, size_t len);
/* For the runtime's topic table: suffix is what follows "sotto/v1/<site>/<device>/"; routes
 * "ota/offer", "ota/chunk" and "ota/keys" to the functions above, UNHANDLED_TOPIC for anything
 * else. */
sotto_err_t sotto_ota_handle_message(sotto_ota_t *ota, const char *suffix, const uint8_t *payload,
                                     size_t len);
/* The uplink suffix for sotto_ota_encode_status's bytes. */
#define SOTTO_OTA_STATUS_TOPIC_SUFFIX "ota/status"
/* Encodes the current OtaStatus for .../ota/status (at most SOTTO_OTA_STATUS_MAX_BYTES). */
sotto_err_t sotto_ota_encode_status(const sotto_ota_t *ota, uint8_t *out, size_t out_size,
                                    size_t *out_len);

/* Decodes and checks a SignedManifest without storing anything (the offer's first step; also
 * the fuzzing entry point). */
sotto_err_t sotto_ota_verify_envelope(const sotto_ota_t *ota, const uint8_t *envelope,
                                      size_t envelope_len, sotto_ota_manifest_t *out_manifest);

/* The self-test input stream: len bytes from splitmix64(seed), 8 bytes per step, little-endian.
 * Signer and device must produce the same bytes. */
void sotto_ota_self_test_input(uint64_t seed, uint8_t *out, size_t len);

/* The key id a manifest names: first four bytes (big-endian) of SHA-256(public key). */
uint32_t sotto_ota_key_id(const uint8_t public_key[SOTTO_OTA_PUBLIC_KEY_BYTES]);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_OTA_H */
