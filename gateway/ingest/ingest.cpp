// Ingest: size check, topic check, decode, device check, then one store transaction.
#include "ingest.h"

#include <chrono>
#include <exception>

#include "log.h"
#include "sotto/messages.h"

namespace sotto::gw {

Ingest::Ingest(EventStore &store, Metrics &metrics, const IngestConfig &config)
    : store_(store), metrics_(metrics), config_(config), reject_log_(config.reject_log_interval_s) {
  metrics_.devices_known = store_.device_count();
}

void Ingest::reject(RejectReason reason, const std::string &detail, int64_t now_ms) {
  metrics_.reject(reason);
  reject_log_.note(reason, detail, now_ms);
}

void Ingest::handle(const std::string &topic_text, const std::vector<uint8_t> &payload,
                    int64_t now_ms) {
  metrics_.messages++;
  metrics_.in_flight++;
  try {
    if (payload.size() > config_.max_payload_bytes) {
      reject(RejectReason::kOversized,
             topic_text + ": " + std::to_string(payload.size()) + " bytes, at most " +
                 std::to_string(config_.max_payload_bytes) + " expected",
             now_ms);
    } else if (auto topic = parse_topic(topic_text)) {
      switch (topic->channel) {
        case Channel::kEvent:
          handle_event(*topic, payload, now_ms);
          break;
        case Channel::kHealth:
          handle_health(*topic, payload, now_ms);
          break;
        case Channel::kOtaStatus:
          if (ota_status_handler_) ota_status_handler_(*topic, payload, now_ms);
          break;
      }
    } else {
      reject(RejectReason::kBadTopic,
             "'" + topic_text +
                 "' is not sotto/v1/<site>/<device>/{event,health,ota/status} with ids [a-z0-9-]",
             now_ms);
    }
  } catch (const std::exception &error) {
    reject(RejectReason::kStoreError, topic_text + ": " + error.what(), now_ms);
  }
  metrics_.in_flight--;
}

void Ingest::handle_event(const Topic &topic, const std::vector<uint8_t> &payload, int64_t now_ms) {
  sotto_event_t event;
  sotto_err_t err = sotto_event_decode(payload.data(), payload.size(), &event);
  if (err == SOTTO_ERR_INVALID_ARGUMENT) {
    reject(RejectReason::kUnknownEnum,
           topic.device + ": event names a kind or quantity this gateway does not know", now_ms);
    return;
  }
  if (err != SOTTO_OK) {
    reject(RejectReason::kUndecodable,
           topic.device + ": " + std::to_string(payload.size()) +
               " bytes are not a sotto.v1.Event (" + sotto_err_name(err) + ")",
           now_ms);
    return;
  }
  auto started = std::chrono::steady_clock::now();
  StoredEventInfo stored = store_.record_event(topic.site, topic.device, event, now_ms);
  metrics_.observe_commit(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (stored.outcome == EventOutcome::kDuplicate) {
    metrics_.duplicates++;
    return;
  }
  metrics_.events_stored++;
  if (!stored.boot_known) metrics_.events_without_boot++;
  metrics_.devices_known = store_.device_count();
}

void Ingest::handle_health(const Topic &topic, const std::vector<uint8_t> &payload,
                           int64_t now_ms) {
  sotto_health_t health;
  sotto_err_t err = sotto_health_decode(payload.data(), payload.size(), &health);
  if (err != SOTTO_OK) {
    reject(RejectReason::kUndecodable,
           topic.device + ": " + std::to_string(payload.size()) +
               " bytes are not a sotto.v1.Health (" + sotto_err_name(err) + ")",
           now_ms);
    return;
  }
  const uint32_t expected_tag = sotto_device_tag(topic.device.c_str());
  if (health.device_tag != expected_tag) {
    reject(RejectReason::kDeviceMismatch,
           "health on " + topic.site + "/" + topic.device + " carries device tag " +
               std::to_string(health.device_tag) + ", expected " + std::to_string(expected_tag) +
               " (CRC-32 of '" + topic.device + "')",
           now_ms);
    return;
  }
  auto started = std::chrono::steady_clock::now();
  store_.record_health(topic.site, topic.device, health, now_ms);
  metrics_.observe_commit(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  metrics_.health++;
  metrics_.devices_known = store_.device_count();
}

}  // namespace sotto::gw
