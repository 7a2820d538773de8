// A key rotation's one message and its outcome (see the header).
#include "key_transfer.h"

#include "key_rotation.h"

namespace sotto::gw {

std::vector<uint8_t> KeyTransfer::offer_message() {
  return key_rotation_offer(rollout_id_, envelope_);
}

std::vector<std::vector<uint8_t>> KeyTransfer::on_status(const sotto_v1_OtaStatus &status) {
  if (status.rollout_id != rollout_id_ || phase_ == Phase::kActivated || phase_ == Phase::kFailed) {
    return {};
  }
  if (status.state == sotto_v1_OtaState_OTA_STATE_ACTIVATED) {
    phase_ = Phase::kActivated;
  } else if (status.state == sotto_v1_OtaState_OTA_STATE_FAILED) {
    phase_ = Phase::kFailed;
    failure_ = status.failure;
  }
  return {};
}

}  // namespace sotto::gw
