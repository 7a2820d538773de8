// Validates MQTT messages and records them: from topic and payload bytes to rows in one store
// transaction per batch, with every rejected message counted by reason and kept in quarantine.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config.h"
#include "metrics.h"
#include "received_message.h"
#include "registry.h"
#include "reject_log.h"
#include "store.h"
#include "topic.h"

namespace sotto::gw {

class Ingest {
 public:
  // Handles device messages on sotto/v1/<site>/<device>/ota/status (the rollout area sets it);
  // called after the batch holding them committed.
  using OtaStatusHandler =
      std::function<void(const Topic &, const std::vector<uint8_t> &payload, int64_t now_ms)>;

  Ingest(Registry &registry, StoreWriter &writer, Metrics &metrics, const IngestConfig &config);

  // Records the messages in order in one transaction, together with the journal position they
  // end at. Throws StoreError when the store cannot take them: then nothing was written or
  // counted, and the same messages can be applied again.
  void apply(const std::vector<ReceivedMessage> &messages, const JournalPosition &applied);
  // One message in a transaction of its own, at the current journal position (tests and tools).
  void handle(const std::string &topic, const std::vector<uint8_t> &payload, int64_t now_ms);
  void set_ota_status_handler(OtaStatusHandler handler) {
    ota_status_handler_ = std::move(handler);
  }
  void set_reject_log_interval(uint32_t seconds) { reject_log_ = RejectLog(seconds); }

 private:
  struct BatchOutcome;
  void record(IngestBatch &batch, const ReceivedMessage &message, BatchOutcome &outcome);
  void record_event(IngestBatch &batch, const Topic &topic, const ReceivedMessage &message,
                    BatchOutcome &outcome);
  void record_health(IngestBatch &batch, const Topic &topic, const ReceivedMessage &message,
                     BatchOutcome &outcome);

  Registry &registry_;
  StoreWriter &writer_;
  Metrics &metrics_;
  IngestConfig config_;
  RejectLog reject_log_;
  OtaStatusHandler ota_status_handler_;
};

}  // namespace sotto::gw
