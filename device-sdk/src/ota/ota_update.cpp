// The update engine: boot recovery, offers, chunk writes, and the verify-then-switch at the end.
// Order of writes (each a possible cut point, see tests/ota/ota_power_cut_test.cpp):
//   offer:  erase progress sector, erase slot sectors, write record "pending" (erase + write)
//   chunk:  write data to the slot, then mark the chunk in the progress log
//   finish: signer still trusted, digest, self-test (no writes), then write record
//           "active = new" (erase + write); any failure writes record "no update" instead
// Only a record write changes what runs, and it is atomic (see record_pair.h).
#include <string.h>

#include "key_list.h"
#include "ota_layout.h"
#include "ota_progress.h"
#include "ota_record.h"
#include "ota_slot.h"
#include "ota_steps.h"
#include "sotto/ota.h"

namespace sotto {
namespace {

// Field by field: struct padding is not guaranteed to be copied.
bool same_manifest(const sotto_ota_manifest_t &a, const sotto_ota_manifest_t &b) {
  return a.model_id == b.model_id && a.device_class == b.device_class && a.version == b.version &&
         a.model_bytes == b.model_bytes && a.min_sdk_version == b.min_sdk_version &&
         a.self_test_input_seed == b.self_test_input_seed &&
         bytes_equal(a.model_sha256, b.model_sha256, SOTTO_OTA_SHA256_BYTES) &&
         bytes_equal(a.self_test_output_sha256, b.self_test_output_sha256, SOTTO_OTA_SHA256_BYTES);
}

// Same manifest, chunk size and signer (a manifest signed again by another key starts over, so
// the signer checked at the switch is the one that signed what was stored).
bool same_update(const sotto_ota_record_t &record, const sotto_ota_manifest_t &manifest,
                 uint32_t key_id, uint32_t chunk_bytes) {
  return record.pending_slot != SOTTO_OTA_SLOT_NONE && record.pending_chunk_bytes == chunk_bytes &&
         record.pending_key_id == key_id && same_manifest(record.pending, manifest);
}

void fail(sotto_ota_t *ota, sotto_err_t reason) {
  ota->state = SOTTO_OTA_FAILED;
  ota->failure = static_cast<int8_t>(reason);
}

// Writes record; on success it becomes the RAM mirror.
sotto_err_t commit(sotto_ota_t *ota, sotto_ota_record_t next) {
  RecordPlace place{ota->record.seq, ota->record_sector, ota->record_valid};
  if (record_store(ota->config.storage, &next, &place) != SOTTO_OK) {
    return SOTTO_ERR_OTA_STORAGE;
  }
  ota->record = next;
  ota->record_sector = place.sector;
  ota->record_valid = 1;
  return SOTTO_OK;
}

// Ends the pending update with a named failure; the active model is untouched.
sotto_err_t abandon(sotto_ota_t *ota, sotto_err_t reason) {
  sotto_ota_record_t next = ota->record;
  next.pending_slot = SOTTO_OTA_SLOT_NONE;
  next.last_failure = static_cast<int8_t>(reason);
  next.last_rollout_id = ota->record.pending_rollout_id;
  next.pending_key_id = 0;
  memset(&next.pending, 0, sizeof next.pending);
  sotto_err_t err = commit(ota, next);
  fail(ota, err == SOTTO_OK ? reason : err);
  return err == SOTTO_OK ? reason : err;
}

sotto_err_t run_self_test(const sotto_ota_t &ota, uint8_t slot,
                          const sotto_ota_manifest_t &manifest) {
  const sotto_storage_port_t &storage = ota.config.storage;
  sotto_ota_candidate_t candidate;
  candidate.storage = &storage;
  candidate.region = slot_region(slot);
  candidate.model = storage.map != nullptr ? storage.map(storage.ctx, candidate.region) : nullptr;
  candidate.manifest = &manifest;
  uint8_t output_sha256[SOTTO_OTA_SHA256_BYTES];
  if (ota.config.self_test(ota.config.self_test_ctx, &candidate, output_sha256) != SOTTO_OK ||
      !bytes_equal(output_sha256, manifest.self_test_output_sha256, SOTTO_OTA_SHA256_BYTES)) {
    return SOTTO_ERR_OTA_SELF_TEST_FAILED;
  }
  return SOTTO_OK;
}

// Every byte is stored: verify, then switch in one record write.
sotto_err_t finish(sotto_ota_t *ota) {
  const sotto_ota_record_t &record = ota->record;
  const sotto_ota_manifest_t &manifest = record.pending;
  if (key_list_find(ota->keys, record.pending_key_id) < 0) {
    return abandon(ota, SOTTO_ERR_OTA_KEY_REVOKED);  // a rotation retired its signer meanwhile
  }
  if (!slot_matches(ota->config.storage, record.pending_slot, manifest)) {
    return abandon(ota, SOTTO_ERR_OTA_DIGEST_MISMATCH);
  }
  if (manifest.version <= record.rollback_version) {
    return abandon(ota, SOTTO_ERR_OTA_VERSION_NOT_NEWER);
  }
  if (run_self_test(*ota, record.pending_slot, manifest) != SOTTO_OK) {
    return abandon(ota, SOTTO_ERR_OTA_SELF_TEST_FAILED);
  }
  sotto_ota_record_t next = record;
  next.active_slot = record.pending_slot;
  next.active = manifest;
  next.rollback_version = manifest.version;
  next.last_failure = SOTTO_OK;
  next.last_rollout_id = record.pending_rollout_id;
  next.pending_slot = SOTTO_OTA_SLOT_NONE;
  next.pending_key_id = 0;
  memset(&next.pending, 0, sizeof next.pending);
  if (commit(ota, next) != SOTTO_OK) {
    fail(ota, SOTTO_ERR_OTA_STORAGE);  // the pending update stays; an offer retries the switch
    return SOTTO_ERR_OTA_STORAGE;
  }
  ota->active_verified = 1;
  ota->state = SOTTO_OTA_ACTIVATED;
  ota->failure = SOTTO_OK;
  return SOTTO_OK;
}

bool config_usable(const sotto_ota_config_t &config) {
  const sotto_storage_port_t &s = config.storage;
  if (s.region_bytes == nullptr || s.sector_bytes == nullptr || s.read == nullptr ||
      s.write == nullptr || s.erase == nullptr || config.public_key == nullptr ||
      config.self_test == nullptr) {
    return false;
  }
  const uint32_t sector_bytes = s.sector_bytes(s.ctx);
  return sector_bytes >= SOTTO_OTA_MIN_SECTOR_BYTES &&
         s.region_bytes(s.ctx, SOTTO_REGION_STATE) >=
             (kKeyListSectorFirst + 2) * static_cast<uint64_t>(sector_bytes) &&
         s.region_bytes(s.ctx, SOTTO_REGION_SLOT_A) > 0 &&
         s.region_bytes(s.ctx, SOTTO_REGION_SLOT_B) > 0;
}

}  // namespace
}  // namespace sotto

using namespace sotto;

extern "C" sotto_err_t sotto_ota_init(sotto_ota_t *ota, const sotto_ota_config_t *config) {
  if (ota == nullptr || config == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memset(ota, 0, sizeof *ota);
  if (!config_usable(*config)) {
    return SOTTO_ERR_NOT_CONFIGURED;
  }
  ota->config = *config;
  if (ota->config.sdk_version == 0) {
    ota->config.sdk_version = SOTTO_SDK_VERSION;
  }
  const sotto_storage_port_t &storage = ota->config.storage;
  RecordPlace record_place;
  RecordPlace keys_place;
  if (record_load(storage, &ota->record, &record_place) != SOTTO_OK ||
      key_list_load(storage, config->public_key, &ota->keys, &keys_place) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  ota->record_sector = record_place.sector;
  ota->record_valid = record_place.valid;
  ota->keys_sector = keys_place.sector;
  ota->keys_valid = keys_place.valid;
  const sotto_ota_record_t &record = ota->record;
  ota->state = SOTTO_OTA_IDLE;
  ota->failure = record.last_failure;
  ota->rollout_id = record.last_rollout_id;
  if (record.last_failure != SOTTO_OK) {
    ota->state = SOTTO_OTA_FAILED;
  }
  const uint32_t chunk_bytes = record.pending_chunk_bytes;
  if (record.pending_slot != SOTTO_OTA_SLOT_NONE &&
      (chunk_bytes < SOTTO_OTA_CHUNK_MIN_BYTES || chunk_bytes > SOTTO_OTA_CHUNK_MAX_BYTES)) {
    ota->record.pending_slot = SOTTO_OTA_SLOT_NONE;  // never written so; ignore, offers restart
  }
  if (record.pending_slot != SOTTO_OTA_SLOT_NONE) {
    uint32_t chunks = 0;
    if (progress_count(storage, &chunks) != SOTTO_OK) {
      return SOTTO_ERR_STORAGE;
    }
    const uint64_t stored = static_cast<uint64_t>(chunks) * record.pending_chunk_bytes;
    ota->next_offset = stored > record.pending.model_bytes ? record.pending.model_bytes
                                                           : static_cast<uint32_t>(stored);
    ota->state = SOTTO_OTA_RECEIVING;
    ota->failure = SOTTO_OK;
    ota->rollout_id = record.pending_rollout_id;
    ota->offered_version = record.pending.version;
  }
  if (record.active_slot != SOTTO_OTA_SLOT_NONE) {
    if (!slot_matches(storage, record.active_slot, record.active)) {
      return SOTTO_ERR_OTA_DIGEST_MISMATCH;  // never run it; the caller sees no active model
    }
    ota->active_verified = 1;
  }
  return SOTTO_OK;
}

// The offer after the envelope was verified (also used by the offer message handler).
sotto_err_t sotto::apply_offer(sotto_ota_t *ota, uint32_t rollout_id,
                               const sotto_ota_manifest_t &manifest, uint32_t key_id,
                               uint32_t chunk_bytes) {
  const sotto_storage_port_t &storage = ota->config.storage;
  ota->rollout_id = rollout_id;
  ota->offered_version = manifest.version;
  const uint64_t chunks = (static_cast<uint64_t>(manifest.model_bytes) + chunk_bytes - 1) /
                          (chunk_bytes == 0 ? 1 : chunk_bytes);
  if (chunk_bytes < SOTTO_OTA_CHUNK_MIN_BYTES || chunk_bytes > SOTTO_OTA_CHUNK_MAX_BYTES) {
    fail(ota, SOTTO_ERR_OTA_BAD_MANIFEST);
    return SOTTO_ERR_OTA_BAD_MANIFEST;
  }
  if (chunks > progress_capacity_chunks(storage)) {
    fail(ota, SOTTO_ERR_OTA_TOO_LARGE);
    return SOTTO_ERR_OTA_TOO_LARGE;
  }
  if (same_update(ota->record, manifest, key_id, chunk_bytes)) {
    ota->state = SOTTO_OTA_RECEIVING;
    ota->failure = SOTTO_OK;
    return ota->next_offset == manifest.model_bytes ? finish(ota) : SOTTO_OK;
  }
  const uint8_t target =
      ota->record.active_slot == SOTTO_OTA_SLOT_A ? SOTTO_OTA_SLOT_B : SOTTO_OTA_SLOT_A;
  // Progress first: a cut after it leaves any older pending update at 0 chunks, never claiming
  // chunks of a slot that is being erased.
  if (progress_reset(storage) != SOTTO_OK ||
      slot_erase_for(storage, target, manifest.model_bytes) != SOTTO_OK) {
    fail(ota, SOTTO_ERR_OTA_STORAGE);
    return SOTTO_ERR_OTA_STORAGE;
  }
  sotto_ota_record_t next = ota->record;
  next.pending_slot = target;
  next.pending = manifest;
  next.pending_rollout_id = rollout_id;
  next.pending_chunk_bytes = chunk_bytes;
  next.pending_key_id = key_id;
  next.last_failure = SOTTO_OK;
  if (commit(ota, next) != SOTTO_OK) {
    fail(ota, SOTTO_ERR_OTA_STORAGE);
    return SOTTO_ERR_OTA_STORAGE;
  }
  ota->next_offset = 0;
  ota->state = SOTTO_OTA_RECEIVING;
  ota->failure = SOTTO_OK;
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_ota_offer(sotto_ota_t *ota, uint32_t rollout_id,
                                       const uint8_t *envelope, size_t envelope_len,
                                       uint32_t chunk_bytes) {
  if (ota == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto_v1_SignedManifest signed_manifest = sotto_v1_SignedManifest_init_zero;
  sotto_ota_manifest_t manifest;
  sotto_err_t err = envelope == nullptr && envelope_len > 0 ? SOTTO_ERR_INVALID_ARGUMENT
                    : decode_signed_manifest(envelope, envelope_len, &signed_manifest)
                        ? verify_signed_manifest(*ota, signed_manifest, &manifest)
                        : SOTTO_ERR_OTA_BAD_MANIFEST;
  if (err != SOTTO_OK) {
    ota->rollout_id = rollout_id;
    fail(ota, err);
    return err;
  }
  return apply_offer(ota, rollout_id, manifest, signed_manifest.key_id, chunk_bytes);
}

extern "C" sotto_err_t sotto_ota_write_chunk(sotto_ota_t *ota, uint32_t offset, const uint8_t *data,
                                             size_t len) {
  if (ota == nullptr || (data == nullptr && len > 0)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  const sotto_ota_record_t &record = ota->record;
  if (record.pending_slot == SOTTO_OTA_SLOT_NONE) {
    return SOTTO_ERR_OTA_NO_UPDATE;
  }
  const uint32_t chunk_bytes = record.pending_chunk_bytes;
  const uint32_t model_bytes = record.pending.model_bytes;
  if (offset % chunk_bytes != 0 || offset >= model_bytes) {
    return SOTTO_ERR_OTA_BAD_MANIFEST;
  }
  const uint32_t expected_len =
      model_bytes - offset < chunk_bytes ? model_bytes - offset : chunk_bytes;
  if (len != expected_len) {
    return SOTTO_ERR_OTA_BAD_MANIFEST;
  }
  if (offset < ota->next_offset) {
    return SOTTO_OK;  // a redelivered chunk (QoS 1) or a resend after reconnect
  }
  if (offset > ota->next_offset) {
    return SOTTO_ERR_OTA_OUT_OF_ORDER;
  }
  const sotto_storage_port_t &storage = ota->config.storage;
  if (storage.write(storage.ctx, slot_region(record.pending_slot), offset, data, len) != SOTTO_OK) {
    // The slot may hold other bytes here (a cut write of different content) that NOR cannot
    // turn back: resuming would fail the same way forever, so the update ends and the next
    // offer starts over from an erase. Under a power cut this write fails too, and the update
    // resumes after the reboot as before.
    return abandon(ota, SOTTO_ERR_OTA_STORAGE);
  }
  if (progress_mark(storage, offset / chunk_bytes) != SOTTO_OK) {
    fail(ota, SOTTO_ERR_OTA_STORAGE);
    return SOTTO_ERR_OTA_STORAGE;
  }
  ota->next_offset = offset + static_cast<uint32_t>(len);
  ota->state = SOTTO_OTA_RECEIVING;
  ota->failure = SOTTO_OK;
  ota->rollout_id = record.pending_rollout_id;  // a key rotation's status may have come between
  ota->offered_version = record.pending.version;
  return ota->next_offset == model_bytes ? finish(ota) : SOTTO_OK;
}

extern "C" sotto_err_t sotto_ota_get_active(const sotto_ota_t *ota, sotto_ota_slot_t *out_slot,
                                            sotto_ota_manifest_t *out_manifest) {
  if (ota == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (!ota->active_verified) {
    return SOTTO_ERR_OTA_NO_UPDATE;
  }
  if (out_slot != nullptr) {
    *out_slot = static_cast<sotto_ota_slot_t>(ota->record.active_slot);
  }
  if (out_manifest != nullptr) {
    *out_manifest = ota->record.active;
  }
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_ota_get_status(const sotto_ota_t *ota, sotto_ota_status_t *out) {
  if (ota == nullptr || out == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memset(out, 0, sizeof *out);
  out->state = static_cast<sotto_ota_state_t>(ota->state);
  out->failure = static_cast<sotto_err_t>(ota->failure);
  out->rollout_id = ota->rollout_id;
  out->next_offset = ota->next_offset;
  out->offered_version = ota->offered_version;
  out->key_list_version = ota->keys.version;
  if (ota->active_verified) {
    out->model_id = ota->record.active.model_id;
    out->model_version = ota->record.active.version;
  }
  return SOTTO_OK;
}
