// Ingest: size check, topic check, decode, device check, then rows in the batch; rejected
// messages go to quarantine. Counters and logs are updated only once the batch committed.
#include "ingest.h"

#include <array>
#include <chrono>

#include "sotto/messages.h"

namespace sotto::gw {

struct Ingest::BatchOutcome {
  struct Reject {
    RejectReason reason;
    std::string detail;
    int64_t at_ms;
  };
  uint64_t events_stored = 0;
  uint64_t duplicates = 0;
  uint64_t events_without_boot = 0;
  uint64_t health = 0;
  std::vector<Reject> rejects;
  std::vector<std::pair<Topic, const ReceivedMessage *>> ota_statuses;

  void reject(IngestBatch &batch, const ReceivedMessage &message, RejectReason reason,
              std::string detail) {
    batch.quarantine(QuarantineRow{message.received_ms, reject_reason_name(reason), message.topic,
                                   message.payload});
    rejects.push_back(Reject{reason, std::move(detail), message.received_ms});
  }
};

Ingest::Ingest(Registry &registry, StoreWriter &writer, Metrics &metrics,
               const IngestConfig &config)
    : registry_(registry),
      writer_(writer),
      metrics_(metrics),
      config_(config),
      reject_log_(config.reject_log_interval_s) {
  metrics_.devices_known = registry_.device_count();
}

void Ingest::apply(const std::vector<ReceivedMessage> &messages, const JournalPosition &applied) {
  const auto started = std::chrono::steady_clock::now();
  BatchOutcome outcome;
  {
    IngestBatch batch(registry_, writer_);
    for (const ReceivedMessage &message : messages) record(batch, message, outcome);
    batch.commit(applied);
  }
  metrics_.observe_commit(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  metrics_.events_stored += outcome.events_stored;
  metrics_.duplicates += outcome.duplicates;
  metrics_.events_without_boot += outcome.events_without_boot;
  metrics_.health += outcome.health;
  metrics_.devices_known = registry_.device_count();
  for (const BatchOutcome::Reject &reject : outcome.rejects) {
    metrics_.reject(reject.reason);
    reject_log_.note(reject.reason, reject.detail, reject.at_ms);
  }
  if (ota_status_handler_) {
    for (const auto &[topic, message] : outcome.ota_statuses) {
      ota_status_handler_(topic, message->payload, message->received_ms);
    }
  }
}

void Ingest::handle(const std::string &topic, const std::vector<uint8_t> &payload, int64_t now_ms) {
  metrics_.messages++;
  apply({ReceivedMessage{topic, payload, now_ms}}, registry_.journal_position());
}

void Ingest::record(IngestBatch &batch, const ReceivedMessage &message, BatchOutcome &outcome) {
  if (message.payload.size() > config_.max_payload_bytes) {
    outcome.reject(batch, message, RejectReason::kOversized,
                   message.topic + ": " + std::to_string(message.payload.size()) +
                       " bytes, at most " + std::to_string(config_.max_payload_bytes) +
                       " expected (ingest.max_payload_bytes)");
    return;
  }
  std::optional<Topic> topic = parse_topic(message.topic);
  if (!topic) {
    outcome.reject(batch, message, RejectReason::kBadTopic,
                   "'" + message.topic +
                       "' is not sotto/v1/<site>/<device>/{event,health,ota/status} with ids "
                       "[a-z0-9-]");
    return;
  }
  switch (topic->channel) {
    case Channel::kEvent:
      record_event(batch, *topic, message, outcome);
      break;
    case Channel::kHealth:
      record_health(batch, *topic, message, outcome);
      break;
    case Channel::kOtaStatus:
      outcome.ota_statuses.emplace_back(std::move(*topic), &message);
      break;
  }
}

void Ingest::record_event(IngestBatch &batch, const Topic &topic, const ReceivedMessage &message,
                          BatchOutcome &outcome) {
  sotto_event_t event;
  const sotto_err_t err =
      sotto_event_decode(message.payload.data(), message.payload.size(), &event);
  if (err == SOTTO_ERR_INVALID_ARGUMENT) {
    outcome.reject(batch, message, RejectReason::kUnknownEnum,
                   topic.device + ": event names a kind or quantity this gateway does not know");
    return;
  }
  if (err != SOTTO_OK) {
    outcome.reject(batch, message, RejectReason::kUndecodable,
                   topic.device + ": " + std::to_string(message.payload.size()) +
                       " bytes are not a sotto.v1.Event (" + sotto_err_name(err) + ")");
    return;
  }
  const StoredEventInfo stored =
      batch.record_event(topic.site, topic.device, event, message.received_ms);
  if (stored.outcome == EventOutcome::kDuplicate) {
    outcome.duplicates++;
    return;
  }
  outcome.events_stored++;
  if (!stored.boot_known) outcome.events_without_boot++;
}

void Ingest::record_health(IngestBatch &batch, const Topic &topic, const ReceivedMessage &message,
                           BatchOutcome &outcome) {
  sotto_health_t health;
  const sotto_err_t err =
      sotto_health_decode(message.payload.data(), message.payload.size(), &health);
  if (err != SOTTO_OK) {
    outcome.reject(batch, message, RejectReason::kUndecodable,
                   topic.device + ": " + std::to_string(message.payload.size()) +
                       " bytes are not a sotto.v1.Health (" + sotto_err_name(err) + ")");
    return;
  }
  const uint32_t expected_tag = sotto_device_tag(topic.device.c_str());
  if (health.device_tag != expected_tag) {
    outcome.reject(batch, message, RejectReason::kDeviceMismatch,
                   "health on " + topic.site + "/" + topic.device + " carries device tag " +
                       std::to_string(health.device_tag) + ", expected " +
                       std::to_string(expected_tag) + " (CRC-32 of '" + topic.device + "')");
    return;
  }
  batch.record_health(topic.site, topic.device, health, message.received_ms);
  outcome.health++;
}

}  // namespace sotto::gw
