// Registry and IngestBatch (see the header): boot tracking, sequence widening, event dating,
// dedupe through the store, and aggregates folded per batch.
#include "registry.h"

#include <algorithm>

#include "serial_number.h"

namespace sotto::gw {

Registry::Registry(const RegistrySnapshot &snapshot, uint32_t aggregate_window_s)
    : aggregate_window_s_(aggregate_window_s),
      next_site_key_(snapshot.next_site_key),
      next_device_key_(snapshot.next_device_key),
      next_boot_key_(snapshot.next_boot_key),
      journal_(snapshot.journal) {
  for (const SiteRow &site : snapshot.sites) site_keys_[site.site] = site.site_key;
  devices_.reserve(snapshot.devices.size());
  for (const RegistrySnapshot::Device &device : snapshot.devices) {
    devices_[device.device_id] = Device{device.device_key, device.site_key, device.boot};
  }
}

IngestBatch::IngestBatch(Registry &registry, StoreWriter &writer)
    : registry_(registry),
      writer_(writer),
      next_site_key_(registry.next_site_key_),
      next_device_key_(registry.next_device_key_),
      next_boot_key_(registry.next_boot_key_) {
  writer_.begin();
}

IngestBatch::~IngestBatch() {
  if (!done_) writer_.rollback();
}

int64_t IngestBatch::site_key(const std::string &site) {
  if (auto found = registry_.site_keys_.find(site); found != registry_.site_keys_.end())
    return found->second;
  if (auto found = new_sites_.find(site); found != new_sites_.end()) return found->second;
  const int64_t key = next_site_key_++;
  writer_.insert_site(SiteRow{key, site});
  new_sites_[site] = key;
  return key;
}

Registry::Device &IngestBatch::touch(const std::string &site, const std::string &device,
                                     int64_t received_ms) {
  auto found = touched_.find(device);
  if (found == touched_.end()) {
    auto known = registry_.devices_.find(device);
    if (known != registry_.devices_.end()) {
      found = touched_.emplace(device, known->second).first;
    } else {
      Registry::Device fresh;
      fresh.device_key = next_device_key_++;
      fresh.site_key = site_key(site);
      writer_.insert_device(NewDeviceRow{fresh.device_key, device, fresh.site_key, received_ms});
      found = touched_.emplace(device, fresh).first;
    }
  }
  Registry::Device &state = found->second;
  state.site_key = site_key(site);
  DeviceActivity &activity = activity_[state.device_key];
  activity.device_key = state.device_key;
  activity.site_key = state.site_key;
  activity.last_seen_ms = std::max(activity.last_seen_ms, received_ms);
  return state;
}

BootRow IngestBatch::boot_for(const Registry::Device &device, const std::optional<int64_t> &boot_id,
                              int64_t origin_ms) {
  // A boot seen before (a late Health of an earlier boot) keeps its key, so its events still
  // deduplicate against what is stored.
  if (std::optional<BootRow> stored = writer_.find_boot(device.device_key, boot_id)) {
    if (auto pending = boots_.find(stored->boot_key); pending != boots_.end())
      return pending->second;
    return *stored;
  }
  BootRow boot{next_boot_key_++, device.device_key, boot_id, origin_ms, std::nullopt, std::nullopt};
  writer_.put_boot(boot);  // now, so find_boot sees it if the device comes back to it
  return boot;
}

void IngestBatch::record_health(const std::string &site, const std::string &device,
                                const sotto_health_t &health, int64_t received_ms) {
  Registry::Device &state = touch(site, device, received_ms);
  const int64_t boot_id = health.boot_id;
  if (!state.boot || state.boot->boot_id != boot_id) {
    // A new boot: its sequence and time start again; its origin is when it must have begun.
    state.boot =
        boot_for(state, boot_id, received_ms - static_cast<int64_t>(health.uptime_s) * 1000);
    boots_[state.boot->boot_key] = *state.boot;
  }
  HealthRow &row = health_[state.device_key];
  row.device_key = state.device_key;
  row.site_key = state.site_key;
  row.boot_key = state.boot->boot_key;
  row.seen_ms = std::max(row.seen_ms, received_ms);
  row.model_id = health.model_id;
  row.model_version = health.model_version;
  row.sdk_version = health.sdk_version;
  row.battery_mv = health.battery_mv;
  row.device_class = health.device_class;
  row.events_dropped = health.events_dropped;
  row.events_queued = health.events_queued;
}

StoredEventInfo IngestBatch::record_event(const std::string &site, const std::string &device,
                                          const sotto_event_t &event, int64_t received_ms) {
  Registry::Device &state = touch(site, device, received_ms);
  if (!state.boot) {
    // No Health yet: the events wait in the device's before-any-Health boot.
    state.boot = boot_for(state, std::nullopt, received_ms);
    boots_[state.boot->boot_key] = *state.boot;
  }
  BootRow &boot = *state.boot;
  const bool boot_known = boot.boot_id.has_value();
  const uint64_t seq = boot.last_seq ? widen_serial(static_cast<uint64_t>(*boot.last_seq),
                                                    event.seq, SOTTO_EVENT_WIRE_SEQ_BITS)
                                     : event.seq;
  const uint64_t uptime_s = boot.last_uptime_s
                                ? widen_serial(static_cast<uint64_t>(*boot.last_uptime_s),
                                               event.uptime_s, SOTTO_EVENT_WIRE_SEQ_BITS)
                                : event.uptime_s;
  // Without a boot origin the gateway's receive time is the best estimate of when it happened.
  const int64_t event_time_ms =
      boot_known ? boot.origin_ms + static_cast<int64_t>(uptime_s) * 1000 : received_ms;

  EventRow row;
  row.boot_key = boot.boot_key;
  row.seq = static_cast<int64_t>(seq);
  row.site_key = state.site_key;
  row.kind = event.kind;
  row.class_id = event.class_id;
  row.score = event.score;
  row.event_time_ms = event_time_ms;
  row.received_ms = received_ms;
  for (int i = 0; i < event.reading_count; ++i) {
    row.readings.push_back(Reading{event.readings[i].quantity, event.readings[i].value});
  }
  if (!writer_.insert_event(row)) return {EventOutcome::kDuplicate, boot_known, seq};

  boot.last_seq = std::max<int64_t>(boot.last_seq.value_or(0), static_cast<int64_t>(seq));
  boot.last_uptime_s =
      std::max<int64_t>(boot.last_uptime_s.value_or(0), static_cast<int64_t>(uptime_s));
  boots_[boot.boot_key] = boot;
  activity_[state.device_key].events_stored += 1;
  const int64_t window_ms = int64_t{registry_.aggregate_window_s_} * 1000;
  const int64_t window_start =
      event_time_ms - ((event_time_ms % window_ms) + window_ms) % window_ms;
  fold_aggregate(AggregateScope::kDevice, state.device_key, window_start, event);
  fold_aggregate(AggregateScope::kSite, state.site_key, window_start, event);
  return {EventOutcome::kStored, boot_known, seq};
}

void IngestBatch::fold_aggregate(AggregateScope scope, int64_t key, int64_t window_start_ms,
                                 const sotto_event_t &event) {
  AggregateDelta &delta =
      aggregates_[AggregateKey{static_cast<int>(scope), key, window_start_ms, event.kind}];
  delta.scope = scope;
  delta.scope_key = key;
  delta.window_s = registry_.aggregate_window_s_;
  delta.window_start_ms = window_start_ms;
  delta.kind = event.kind;
  delta.count += 1;
  delta.score_sum += event.score;
  delta.score_max = std::max<int64_t>(delta.score_max, event.score);
}

void IngestBatch::quarantine(const QuarantineRow &row) {
  writer_.insert_quarantine(row);
}

void IngestBatch::commit(const JournalPosition &applied) {
  for (const auto &[key, boot] : boots_) writer_.put_boot(boot);
  for (const auto &[key, health] : health_) writer_.put_health(health);
  for (const auto &[key, activity] : activity_) writer_.add_device_activity(activity);
  for (const auto &[key, delta] : aggregates_) writer_.add_to_aggregate(delta);
  writer_.set_journal_position(applied);
  writer_.commit();
  done_ = true;
  for (auto &[device, state] : touched_) registry_.devices_[device] = std::move(state);
  for (auto &[site, key] : new_sites_) registry_.site_keys_[site] = key;
  registry_.next_site_key_ = next_site_key_;
  registry_.next_device_key_ = next_device_key_;
  registry_.next_boot_key_ = next_boot_key_;
  registry_.journal_ = applied;
}

}  // namespace sotto::gw
