// State records: the one place that switches the active model. They live in a record pair
// (record_pair.h), so a power cut during a write leaves the previous record in force. The switch
// of the active slot, the anti-rollback counter and the end of an update are one record, so
// they change together.
#include "ota_record.h"

#include <string.h>

#include "ota_layout.h"

namespace sotto {
namespace {

constexpr RecordPair kStatePair = {kRecordSectorFirst, 0x41544f53u /* "SOTA" */, kRecordBytes};
constexpr uint32_t kManifestBytes = 88;
constexpr uint32_t kActiveOffset = 32;
constexpr uint32_t kPendingOffset = kActiveOffset + kManifestBytes;
static_assert(kPendingOffset + kManifestBytes + 4 == kRecordBytes, "record layout");
static_assert(kRecordBytes <= kRecordMaxBytes, "record fits a sector");

void put_manifest(uint8_t *p, const sotto_ota_manifest_t &m) {
  memset(p, 0, kManifestBytes);
  put_u16(p, m.model_id);
  p[2] = m.device_class;
  put_u32(p + 4, m.version);
  put_u32(p + 8, m.model_bytes);
  memcpy(p + 12, m.model_sha256, SOTTO_OTA_SHA256_BYTES);
  put_u32(p + 44, m.min_sdk_version);
  put_u64(p + 48, m.self_test_input_seed);
  memcpy(p + 56, m.self_test_output_sha256, SOTTO_OTA_SHA256_BYTES);
}

void get_manifest(const uint8_t *p, sotto_ota_manifest_t *m) {
  m->model_id = get_u16(p);
  m->device_class = p[2];
  m->version = get_u32(p + 4);
  m->model_bytes = get_u32(p + 8);
  memcpy(m->model_sha256, p + 12, SOTTO_OTA_SHA256_BYTES);
  m->min_sdk_version = get_u32(p + 44);
  m->self_test_input_seed = get_u64(p + 48);
  memcpy(m->self_test_output_sha256, p + 56, SOTTO_OTA_SHA256_BYTES);
}

// Content after the pair's header (magic, seq).
void encode(const sotto_ota_record_t &r, uint8_t *p) {
  memset(p, 0, kRecordBytes);
  p[8] = r.active_slot;
  p[9] = r.pending_slot;
  p[10] = static_cast<uint8_t>(r.last_failure);
  put_u32(p + 12, r.rollback_version);
  put_u32(p + 16, r.last_rollout_id);
  put_u32(p + 20, r.pending_rollout_id);
  put_u32(p + 24, r.pending_chunk_bytes);
  put_u32(p + 28, r.pending_key_id);
  put_manifest(p + kActiveOffset, r.active);
  put_manifest(p + kPendingOffset, r.pending);
}

bool slots_known(const uint8_t *p) {
  return p[8] <= SOTTO_OTA_SLOT_B && p[9] <= SOTTO_OTA_SLOT_B;
}

void decode(const uint8_t *p, sotto_ota_record_t *r) {
  memset(r, 0, sizeof *r);
  r->seq = get_u32(p + 4);
  r->active_slot = p[8];
  r->pending_slot = p[9];
  r->last_failure = static_cast<int8_t>(p[10]);
  r->rollback_version = get_u32(p + 12);
  r->last_rollout_id = get_u32(p + 16);
  r->pending_rollout_id = get_u32(p + 20);
  r->pending_chunk_bytes = get_u32(p + 24);
  r->pending_key_id = get_u32(p + 28);
  get_manifest(p + kActiveOffset, &r->active);
  get_manifest(p + kPendingOffset, &r->pending);
}

}  // namespace

sotto_err_t record_load(const sotto_storage_port_t &storage, sotto_ota_record_t *out,
                        RecordPlace *place) {
  memset(out, 0, sizeof *out);
  uint8_t bytes[kRecordBytes];
  if (record_pair_load(storage, kStatePair, slots_known, bytes, place) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  if (place->valid) {
    decode(bytes, out);
  }
  return SOTTO_OK;
}

sotto_err_t record_store(const sotto_storage_port_t &storage, sotto_ota_record_t *next,
                         RecordPlace *place) {
  uint8_t bytes[kRecordBytes];
  encode(*next, bytes);
  if (record_pair_store(storage, kStatePair, bytes, place) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  next->seq = place->seq;
  return SOTTO_OK;
}

}  // namespace sotto
