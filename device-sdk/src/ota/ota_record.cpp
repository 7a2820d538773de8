// State records: the one place that switches the active model. Two sectors hold alternating
// records, each with a magic, a sequence number and a CRC-32. A new record always goes to the
// sector that does NOT hold the current one (erase, then a single write), so a power cut during
// the erase or the write damages only the record being written: its CRC fails and the previous
// record, untouched, stays the newest valid one. The switch of the active slot, the
// anti-rollback counter and the end of an update are one record, so they change together.
#include "ota_record.h"

#include <string.h>

#include "ota_layout.h"

namespace sotto {
namespace {

constexpr uint32_t kMagic = 0x41544f53u;  // "SOTA"
constexpr uint32_t kManifestBytes = 88;
constexpr uint32_t kCrcOffset = kRecordBytes - 4;

uint32_t crc32(const uint8_t *data, size_t len) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

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

void encode(const sotto_ota_record_t &r, uint8_t *p) {
  memset(p, 0, kRecordBytes);
  put_u32(p, kMagic);
  put_u32(p + 4, r.seq);
  p[8] = r.active_slot;
  p[9] = r.pending_slot;
  p[10] = static_cast<uint8_t>(r.last_failure);
  put_u32(p + 12, r.rollback_version);
  put_u32(p + 16, r.last_rollout_id);
  put_u32(p + 20, r.pending_rollout_id);
  put_u32(p + 24, r.pending_chunk_bytes);
  put_manifest(p + 28, r.active);
  put_manifest(p + 28 + kManifestBytes, r.pending);
  put_u32(p + kCrcOffset, crc32(p, kCrcOffset));
}

bool decode(const uint8_t *p, sotto_ota_record_t *r) {
  if (get_u32(p) != kMagic || get_u32(p + kCrcOffset) != crc32(p, kCrcOffset)) {
    return false;
  }
  if (p[8] > SOTTO_OTA_SLOT_B || p[9] > SOTTO_OTA_SLOT_B) {
    return false;
  }
  memset(r, 0, sizeof *r);
  r->seq = get_u32(p + 4);
  r->active_slot = p[8];
  r->pending_slot = p[9];
  r->last_failure = static_cast<int8_t>(p[10]);
  r->rollback_version = get_u32(p + 12);
  r->last_rollout_id = get_u32(p + 16);
  r->pending_rollout_id = get_u32(p + 20);
  r->pending_chunk_bytes = get_u32(p + 24);
  get_manifest(p + 28, &r->active);
  get_manifest(p + 28 + kManifestBytes, &r->pending);
  return true;
}

}  // namespace

static_assert(28 + 2 * kManifestBytes + 4 == kRecordBytes, "record layout");

sotto_err_t record_load(const sotto_storage_port_t &storage, sotto_ota_record_t *out,
                        uint32_t *out_sector, uint8_t *out_valid) {
  memset(out, 0, sizeof *out);
  *out_sector = 0;
  *out_valid = 0;
  for (uint32_t i = 0; i < 2; ++i) {
    uint8_t bytes[kRecordBytes];
    if (storage.read(storage.ctx, SOTTO_REGION_STATE,
                     state_sector_offset(storage, kRecordSectorFirst + i), bytes,
                     sizeof bytes) != SOTTO_OK) {
      return SOTTO_ERR_STORAGE;
    }
    sotto_ota_record_t candidate;
    // seq is compared with wrap-around so the counter may roll over after 2^32 records.
    if (decode(bytes, &candidate) &&
        (*out_valid == 0 || static_cast<int32_t>(candidate.seq - out->seq) > 0)) {
      *out = candidate;
      *out_sector = i;
      *out_valid = 1;
    }
  }
  return SOTTO_OK;
}

sotto_err_t record_store(const sotto_storage_port_t &storage, sotto_ota_record_t *next,
                         uint32_t current_seq, uint32_t *sector, uint8_t current_valid) {
  const uint32_t target = current_valid ? 1 - *sector : 0;
  next->seq = current_valid ? current_seq + 1 : 1;
  uint8_t bytes[kRecordBytes];
  encode(*next, bytes);
  const uint32_t offset = state_sector_offset(storage, kRecordSectorFirst + target);
  if (storage.erase(storage.ctx, SOTTO_REGION_STATE, offset, storage.sector_bytes(storage.ctx)) !=
          SOTTO_OK ||
      storage.write(storage.ctx, SOTTO_REGION_STATE, offset, bytes, sizeof bytes) != SOTTO_OK) {
    return SOTTO_ERR_STORAGE;
  }
  *sector = target;
  return SOTTO_OK;
}

}  // namespace sotto
