// The OTA wire messages: OtaOffer, OtaChunk and KeyRotationOffer in (decoded into fixed structs,
// every length bounded by ota.options and key_rotation.options), OtaStatus out.
#include <pb_decode.h>
#include <pb_encode.h>

#include "ota_steps.h"
#include "sotto/ota.h"
#include "sotto/v1/key_rotation.pb.h"
#include "sotto/v1/ota.pb.h"

namespace {

// strcmp is outside the SDK's freestanding allowance.
bool text_equal(const char *a, const char *b) {
  for (; *a != '\0' && *a == *b; ++a, ++b) {
  }
  return *a == *b;
}

// An OtaChunk read in place: data points into the payload, so a chunk costs no RAM copy (the
// generated struct would put its 1 KB data array on the stack). Same wire format and bounds.
struct ChunkView {
  uint32_t rollout_id = 0;
  uint32_t offset = 0;
  const uint8_t *data = nullptr;
  size_t data_len = 0;
};

bool decode_chunk_view(const uint8_t *payload, size_t len, ChunkView *out) {
  pb_istream_t stream = pb_istream_from_buffer(payload, len);
  while (stream.bytes_left > 0) {
    pb_wire_type_t wire_type;
    uint32_t field = 0;
    bool eof = false;
    if (!pb_decode_tag(&stream, &wire_type, &field, &eof)) {
      return false;
    }
    if (eof) {
      break;
    }
    if ((field == sotto_v1_OtaChunk_rollout_id_tag || field == sotto_v1_OtaChunk_offset_tag) &&
        wire_type == PB_WT_VARINT) {
      uint64_t value = 0;
      if (!pb_decode_varint(&stream, &value) || value > UINT32_MAX) {
        return false;
      }
      (field == sotto_v1_OtaChunk_rollout_id_tag ? out->rollout_id : out->offset) =
          static_cast<uint32_t>(value);
    } else if (field == sotto_v1_OtaChunk_data_tag && wire_type == PB_WT_STRING) {
      uint64_t data_len = 0;
      if (!pb_decode_varint(&stream, &data_len) || data_len > stream.bytes_left ||
          data_len > SOTTO_OTA_CHUNK_MAX_BYTES) {
        return false;
      }
      out->data = payload + (len - stream.bytes_left);
      out->data_len = static_cast<size_t>(data_len);
      if (!pb_read(&stream, nullptr, out->data_len)) {
        return false;
      }
    } else if (!pb_skip_field(&stream, wire_type)) {
      return false;
    }
  }
  return true;
}

static_assert(sizeof(sotto_v1_OtaChunk{}.data.bytes) == SOTTO_OTA_CHUNK_MAX_BYTES, "chunk bound");

sotto_v1_OtaFailure failure_code(sotto_err_t err) {
  switch (err) {
    case SOTTO_OK:
      return sotto_v1_OtaFailure_OTA_FAILURE_NONE;
    case SOTTO_ERR_OTA_BAD_SIGNATURE:
      return sotto_v1_OtaFailure_OTA_FAILURE_BAD_SIGNATURE;
    case SOTTO_ERR_OTA_WRONG_KEY:
      return sotto_v1_OtaFailure_OTA_FAILURE_WRONG_KEY;
    case SOTTO_ERR_OTA_DIGEST_MISMATCH:
      return sotto_v1_OtaFailure_OTA_FAILURE_DIGEST_MISMATCH;
    case SOTTO_ERR_OTA_VERSION_NOT_NEWER:
      return sotto_v1_OtaFailure_OTA_FAILURE_VERSION_NOT_NEWER;
    case SOTTO_ERR_OTA_WRONG_DEVICE_CLASS:
      return sotto_v1_OtaFailure_OTA_FAILURE_WRONG_DEVICE_CLASS;
    case SOTTO_ERR_OTA_SELF_TEST_FAILED:
      return sotto_v1_OtaFailure_OTA_FAILURE_SELF_TEST_FAILED;
    case SOTTO_ERR_OTA_TOO_LARGE:
      return sotto_v1_OtaFailure_OTA_FAILURE_TOO_LARGE;
    case SOTTO_ERR_OTA_SDK_TOO_OLD:
      return sotto_v1_OtaFailure_OTA_FAILURE_SDK_TOO_OLD;
    case SOTTO_ERR_OTA_STORAGE:
    case SOTTO_ERR_STORAGE:
      return sotto_v1_OtaFailure_OTA_FAILURE_STORAGE_ERROR;
    case SOTTO_ERR_OTA_KEY_REVOKED:
      return sotto_v1_OtaFailure_OTA_FAILURE_KEY_REVOKED;
    case SOTTO_ERR_OTA_KEY_LIST_FULL:
      return sotto_v1_OtaFailure_OTA_FAILURE_KEY_LIST_FULL;
    default:
      return sotto_v1_OtaFailure_OTA_FAILURE_BAD_MANIFEST;
  }
}

}  // namespace

extern "C" sotto_err_t sotto_ota_handle_offer(sotto_ota_t *ota, const uint8_t *payload,
                                              size_t len) {
  if (ota == nullptr || (payload == nullptr && len > 0)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto_v1_OtaOffer offer = sotto_v1_OtaOffer_init_zero;
  pb_istream_t stream = pb_istream_from_buffer(payload, len);
  if (!pb_decode(&stream, sotto_v1_OtaOffer_fields, &offer) || !offer.has_envelope) {
    return SOTTO_ERR_DECODE;
  }
  sotto_ota_manifest_t manifest;
  sotto_err_t err = sotto::verify_signed_manifest(*ota, offer.envelope, &manifest);
  if (err != SOTTO_OK) {
    ota->rollout_id = offer.rollout_id;
    ota->state = SOTTO_OTA_FAILED;
    ota->failure = static_cast<int8_t>(err);
    return err;
  }
  return sotto::apply_offer(ota, offer.rollout_id, manifest, offer.envelope.key_id,
                            offer.chunk_bytes);
}

extern "C" sotto_err_t sotto_ota_handle_key_rotation(sotto_ota_t *ota, const uint8_t *payload,
                                                     size_t len) {
  if (ota == nullptr || (payload == nullptr && len > 0)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto_v1_KeyRotationOffer offer = sotto_v1_KeyRotationOffer_init_zero;
  pb_istream_t stream = pb_istream_from_buffer(payload, len);
  if (!pb_decode(&stream, sotto_v1_KeyRotationOffer_fields, &offer) || !offer.has_envelope) {
    return SOTTO_ERR_DECODE;
  }
  return sotto::rotate_keys(ota, offer.rollout_id, offer.envelope);
}

extern "C" sotto_err_t sotto_ota_handle_chunk(sotto_ota_t *ota, const uint8_t *payload,
                                              size_t len) {
  if (ota == nullptr || (payload == nullptr && len > 0)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  ChunkView chunk;
  if (!decode_chunk_view(payload, len, &chunk)) {
    return SOTTO_ERR_DECODE;
  }
  if (chunk.rollout_id != ota->record.pending_rollout_id) {
    return SOTTO_ERR_OTA_NO_UPDATE;  // a late chunk of an update this device no longer runs
  }
  return sotto_ota_write_chunk(ota, chunk.offset, chunk.data, chunk.data_len);
}

extern "C" sotto_err_t sotto_ota_handle_message(sotto_ota_t *ota, const char *suffix,
                                                const uint8_t *payload, size_t len) {
  if (ota == nullptr || suffix == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (text_equal(suffix, "ota/offer")) {
    return sotto_ota_handle_offer(ota, payload, len);
  }
  if (text_equal(suffix, "ota/chunk")) {
    return sotto_ota_handle_chunk(ota, payload, len);
  }
  if (text_equal(suffix, "ota/keys")) {
    return sotto_ota_handle_key_rotation(ota, payload, len);
  }
  return SOTTO_ERR_UNHANDLED_TOPIC;
}

extern "C" sotto_err_t sotto_ota_encode_status(const sotto_ota_t *ota, uint8_t *out,
                                               size_t out_size, size_t *out_len) {
  sotto_ota_status_t status;
  if (out == nullptr || out_len == nullptr || sotto_ota_get_status(ota, &status) != SOTTO_OK) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto_v1_OtaStatus message = sotto_v1_OtaStatus_init_zero;
  message.rollout_id = status.rollout_id;
  message.state = static_cast<sotto_v1_OtaState>(status.state);
  message.next_offset = status.next_offset;
  message.failure = failure_code(status.failure);
  message.model_id = status.model_id;
  message.model_version = status.model_version;
  message.offered_version = status.offered_version;
  message.key_list_version = status.key_list_version;
  pb_ostream_t stream = pb_ostream_from_buffer(out, out_size);
  if (!pb_encode(&stream, sotto_v1_OtaStatus_fields, &message)) {
    return out_size < SOTTO_OTA_STATUS_MAX_BYTES ? SOTTO_ERR_BUFFER_TOO_SMALL : SOTTO_ERR_ENCODE;
  }
  *out_len = stream.bytes_written;
  return SOTTO_OK;
}
