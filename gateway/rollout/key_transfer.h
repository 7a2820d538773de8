// One device's part of a key-rotation rollout: the KeyRotationOffer on ota/keys (resent like a
// model offer until the device answers), and the outcome from its OtaStatus: ACTIVATED when the
// device stores the new key list (or already holds it: a redelivery), FAILED with the reason
// (key_revoked, wrong_key, bad_signature, version_not_newer, key_list_full, ...).
#ifndef SOTTO_GW_ROLLOUT_KEY_TRANSFER_H
#define SOTTO_GW_ROLLOUT_KEY_TRANSFER_H

#include <cstdint>
#include <vector>

#include "transfer.h"

namespace sotto::gw {

class KeyTransfer : public Transfer {
 public:
  // envelope: an encoded SignedKeyRotation (kept by reference, like DeviceTransfer's bundle).
  KeyTransfer(const std::vector<uint8_t> &envelope, uint32_t rollout_id)
      : envelope_(envelope), rollout_id_(rollout_id) {}

  const char *offer_topic_suffix() const override { return "ota/keys"; }
  std::vector<uint8_t> offer_message() override;
  std::vector<std::vector<uint8_t>> on_status(const sotto_v1_OtaStatus &status) override;
  void on_reconnect() override {}
  Phase phase() const override { return phase_; }
  sotto_v1_OtaFailure failure() const override { return failure_; }

 private:
  const std::vector<uint8_t> &envelope_;
  uint32_t rollout_id_;
  Phase phase_ = Phase::kOffered;
  sotto_v1_OtaFailure failure_ = sotto_v1_OtaFailure_OTA_FAILURE_NONE;
};

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_KEY_TRANSFER_H
