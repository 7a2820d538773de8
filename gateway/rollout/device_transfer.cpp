// Offer and windowed chunks for one device, resumed from the device's own progress report.
#include "device_transfer.h"

#include <pb_decode.h>
#include <pb_encode.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace sotto::gw {

DeviceTransfer::DeviceTransfer(const Bundle &bundle, uint32_t rollout_id, uint32_t chunk_bytes,
                               uint32_t window_chunks)
    : bundle_(bundle),
      rollout_id_(rollout_id),
      chunk_bytes_(chunk_bytes),
      window_chunks_(std::max<uint32_t>(window_chunks, 1)) {
  if (chunk_bytes == 0 || chunk_bytes > sizeof(sotto_v1_OtaChunk{}.data.bytes)) {
    throw std::invalid_argument("transfer: chunk size " + std::to_string(chunk_bytes) +
                                " outside 1.." +
                                std::to_string(sizeof(sotto_v1_OtaChunk{}.data.bytes)));
  }
}

std::vector<uint8_t> DeviceTransfer::offer_message() {
  sotto_v1_OtaOffer offer = sotto_v1_OtaOffer_init_zero;
  offer.rollout_id = rollout_id_;
  offer.chunk_bytes = static_cast<uint16_t>(chunk_bytes_);  // checked in the constructor
  offer.has_envelope = true;
  pb_istream_t in = pb_istream_from_buffer(bundle_.envelope.data(), bundle_.envelope.size());
  if (!pb_decode(&in, sotto_v1_SignedManifest_fields, &offer.envelope)) {
    throw std::runtime_error(std::string("transfer: bad envelope: ") + PB_GET_ERROR(&in));
  }
  std::vector<uint8_t> out(sotto_v1_OtaOffer_size);
  pb_ostream_t stream = pb_ostream_from_buffer(out.data(), out.size());
  if (!pb_encode(&stream, sotto_v1_OtaOffer_fields, &offer)) {
    throw std::runtime_error(std::string("transfer: ") + PB_GET_ERROR(&stream));
  }
  out.resize(stream.bytes_written);
  bytes_sent_ += out.size();
  return out;
}

std::vector<uint8_t> DeviceTransfer::chunk_message(uint32_t offset) {
  sotto_v1_OtaChunk chunk = sotto_v1_OtaChunk_init_zero;
  chunk.rollout_id = rollout_id_;
  chunk.offset = offset;
  const size_t len = std::min<size_t>(chunk_bytes_, bundle_.model.size() - offset);
  chunk.data.size = static_cast<pb_size_t>(len);
  std::memcpy(chunk.data.bytes, bundle_.model.data() + offset, len);
  std::vector<uint8_t> out(sotto_v1_OtaChunk_size);
  pb_ostream_t stream = pb_ostream_from_buffer(out.data(), out.size());
  if (!pb_encode(&stream, sotto_v1_OtaChunk_fields, &chunk)) {
    throw std::runtime_error(std::string("transfer: ") + PB_GET_ERROR(&stream));
  }
  out.resize(stream.bytes_written);
  bytes_sent_ += out.size();
  chunk_payload_bytes_sent_ += len;
  return out;
}

std::vector<std::vector<uint8_t>> DeviceTransfer::on_status(const sotto_v1_OtaStatus &status) {
  std::vector<std::vector<uint8_t>> messages;
  if (status.rollout_id != rollout_id_ || phase_ == Phase::kActivated || phase_ == Phase::kFailed) {
    return messages;
  }
  if (status.state == sotto_v1_OtaState_OTA_STATE_ACTIVATED) {
    phase_ = Phase::kActivated;
    return messages;
  }
  if (status.state == sotto_v1_OtaState_OTA_STATE_FAILED) {
    phase_ = Phase::kFailed;
    failure_ = status.failure;
    return messages;
  }
  if (status.state != sotto_v1_OtaState_OTA_STATE_RECEIVING) {
    return messages;  // IDLE: the device has not taken the offer (yet)
  }
  phase_ = Phase::kReceiving;
  const uint64_t model_bytes = bundle_.model.size();
  const uint64_t acked = std::min<uint64_t>(status.next_offset, model_bytes);
  const uint64_t window_end =
      std::min<uint64_t>(model_bytes, acked + uint64_t{window_chunks_} * chunk_bytes_);
  // Acks trail the chunks in flight, so only chunks beyond both are new. A device that lost
  // chunks (reboot) is resumed at its own offset after on_reconnect().
  uint64_t offset = sent_until_ > acked ? sent_until_ : acked;
  offset -= offset % chunk_bytes_;
  for (; offset < window_end; offset += chunk_bytes_) {
    messages.push_back(chunk_message(static_cast<uint32_t>(offset)));
  }
  sent_until_ = static_cast<uint32_t>(std::max<uint64_t>(sent_until_, offset));
  return messages;
}

}  // namespace sotto::gw
