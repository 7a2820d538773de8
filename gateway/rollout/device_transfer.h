// One device's transfer of one bundle over MQTT: the offer, then chunks in a sliding window
// driven by the device's OtaStatus acks. The device stores chunks in order and reports how much
// it holds (next_offset), so after a reconnect or reboot the transfer resumes there and chunks
// the device stored are never sent again. Pure logic: the caller publishes the messages (QoS 1).
#ifndef SOTTO_GW_ROLLOUT_DEVICE_TRANSFER_H
#define SOTTO_GW_ROLLOUT_DEVICE_TRANSFER_H

#include <cstdint>
#include <vector>

#include "bundle.h"
#include "sotto/v1/ota.pb.h"
#include "transfer.h"

namespace sotto::gw {

class DeviceTransfer : public Transfer {
 public:
  // window_chunks: chunks in flight beyond the device's acknowledged offset (at least 1).
  DeviceTransfer(const Bundle &bundle, uint32_t rollout_id, uint32_t chunk_bytes,
                 uint32_t window_chunks);

  const char *offer_topic_suffix() const override { return "ota/offer"; }
  // The encoded OtaOffer (sent first, and again after a reconnect so the device resumes).
  std::vector<uint8_t> offer_message() override;
  // Applies one OtaStatus from the device and returns the encoded OtaChunks to publish now.
  // Statuses about other rollouts are ignored.
  std::vector<std::vector<uint8_t>> on_status(const sotto_v1_OtaStatus &status) override;
  // The device rebooted or reconnected (a new boot id in its Health, or the link dropped):
  // chunks in flight may be gone. Send offer_message() again; the device answers with its
  // stored offset and the transfer resumes there.
  void on_reconnect() override { sent_until_ = 0; }

  Phase phase() const override { return phase_; }
  sotto_v1_OtaFailure failure() const override { return failure_; }
  uint64_t bytes_sent() const { return bytes_sent_; }  // encoded offers and chunks
  uint64_t chunk_payload_bytes_sent() const { return chunk_payload_bytes_sent_; }

 private:
  std::vector<uint8_t> chunk_message(uint32_t offset);

  const Bundle &bundle_;
  uint32_t rollout_id_;
  uint32_t chunk_bytes_;
  uint32_t window_chunks_;
  uint32_t sent_until_ = 0;  // chunks below this offset are sent in this session
  Phase phase_ = Phase::kOffered;
  sotto_v1_OtaFailure failure_ = sotto_v1_OtaFailure_OTA_FAILURE_NONE;
  uint64_t bytes_sent_ = 0;
  uint64_t chunk_payload_bytes_sent_ = 0;
};

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_DEVICE_TRANSFER_H
