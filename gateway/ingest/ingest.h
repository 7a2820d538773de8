// Validates one MQTT message and records it: the whole path from topic and payload bytes to a
// committed SQLite transaction, with each rejection counted by reason.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config.h"
#include "event_store.h"
#include "metrics.h"
#include "reject_log.h"
#include "topic.h"

namespace sotto::gw {

class Ingest {
 public:
  // Handles device messages on sotto/v1/<site>/<device>/ota/status (the rollout area sets it).
  using OtaStatusHandler =
      std::function<void(const Topic &, const std::vector<uint8_t> &payload, int64_t now_ms)>;

  Ingest(EventStore &store, Metrics &metrics, const IngestConfig &config);

  // Never throws: a message that cannot be recorded is counted and logged, and ingest goes on.
  void handle(const std::string &topic, const std::vector<uint8_t> &payload, int64_t now_ms);
  void set_ota_status_handler(OtaStatusHandler handler) {
    ota_status_handler_ = std::move(handler);
  }

 private:
  void reject(RejectReason reason, const std::string &detail, int64_t now_ms);
  void handle_event(const Topic &topic, const std::vector<uint8_t> &payload, int64_t now_ms);
  void handle_health(const Topic &topic, const std::vector<uint8_t> &payload, int64_t now_ms);

  EventStore &store_;
  Metrics &metrics_;
  IngestConfig config_;
  RejectLog reject_log_;
  OtaStatusHandler ota_status_handler_;
};

}  // namespace sotto::gw
