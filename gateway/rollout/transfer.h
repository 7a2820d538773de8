// One device's part of a rollout, whatever the rollout sends: a model (DeviceTransfer: an offer,
// then chunks driven by the device's acks) or a key rotation (KeyTransfer: one message). The
// engine publishes what these return and feeds them the device's OtaStatus messages.
#ifndef SOTTO_GW_ROLLOUT_TRANSFER_H
#define SOTTO_GW_ROLLOUT_TRANSFER_H

#include <cstdint>
#include <vector>

#include "sotto/v1/ota.pb.h"

namespace sotto::gw {

class Transfer {
 public:
  enum class Phase { kOffered, kReceiving, kActivated, kFailed };

  virtual ~Transfer() = default;
  // The downlink topic's last part for offer_message(): "ota/offer" or "ota/keys".
  virtual const char *offer_topic_suffix() const = 0;
  // The message that starts (or, sent again, resumes) the device's part.
  virtual std::vector<uint8_t> offer_message() = 0;
  // Applies one OtaStatus from the device; returns the further messages (ota/chunk) to publish.
  // Statuses about other rollouts are ignored.
  virtual std::vector<std::vector<uint8_t>> on_status(const sotto_v1_OtaStatus &status) = 0;
  // The device rebooted or reconnected: what was in flight may be gone.
  virtual void on_reconnect() = 0;
  virtual Phase phase() const = 0;
  virtual sotto_v1_OtaFailure failure() const = 0;
};

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_TRANSFER_H
