// Writes Health and events: device registry, boot tracking, dedupe and per-window aggregates,
// each message in one transaction.
#include "event_store.h"

#include <string>

#include "serial_number.h"

namespace sotto::gw {

struct EventStore::DeviceState {
  bool known_in_db = false;
  std::optional<int64_t> boot_id;
  int64_t boot_origin_ms = 0;
  std::optional<int64_t> last_seq;
  std::optional<int64_t> last_uptime_s;
};

struct EventStore::Statements {
  explicit Statements(sqlite3 *db)
      : select_device(db,
                      "SELECT boot_id, boot_origin_ms, last_seq, last_uptime_s FROM devices WHERE "
                      "device_id = ?1"),
        insert_device(db,
                      "INSERT INTO devices (device_id, site, first_seen_ms, last_seen_ms) VALUES "
                      "(?1, ?2, ?3, ?3)"),
        update_health(
            db,
            "UPDATE devices SET site = ?2, last_seen_ms = ?3, boot_id = ?4, boot_origin_ms = ?5, "
            "last_seq = ?6, last_uptime_s = ?7, model_id = ?8, model_version = ?9, sdk_version = "
            "?10, "
            "battery_mv = ?11, device_class = ?12, events_dropped = ?13, events_queued = ?14 "
            "WHERE device_id = ?1"),
        insert_event(db,
                     "INSERT OR IGNORE INTO events (device_id, site, boot_id, boot_known, seq, "
                     "kind, class_id, "
                     "score, uptime_s, event_time_ms, received_ms, readings) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
        update_after_event(
            db,
            "UPDATE devices SET last_seen_ms = ?2, last_seq = ?3, last_uptime_s = ?4, "
            "event_count = event_count + 1 WHERE device_id = ?1"),
        touch_device(db, "UPDATE devices SET last_seen_ms = ?2 WHERE device_id = ?1"),
        upsert_aggregate(
            db,
            "INSERT INTO aggregates (scope, scope_id, window_s, window_start_ms, kind, count, "
            "score_sum, score_max) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6) "
            "ON CONFLICT (scope, scope_id, window_s, window_start_ms, kind) DO UPDATE SET "
            "count = count + 1, score_sum = score_sum + excluded.score_sum, "
            "score_max = max(score_max, excluded.score_max)") {}
  Statement select_device, insert_device, update_health, insert_event, update_after_event,
      touch_device, upsert_aggregate;
};

namespace {

// Commits on scope exit unless an exception unwinds, which rolls back.
class Transaction {
 public:
  explicit Transaction(Database &db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!committed_) {
      try {
        db_.exec("ROLLBACK");
      } catch (...) {
      }
    }
  }
  void commit() {
    db_.exec("COMMIT");
    committed_ = true;
  }

 private:
  Database &db_;
  bool committed_ = false;
};

std::string readings_json(const sotto_event_t &event) {
  std::string json = "[";
  for (int i = 0; i < event.reading_count; ++i) {
    if (i > 0) json += ",";
    json += "{\"quantity\":" + std::to_string(static_cast<int>(event.readings[i].quantity)) +
            ",\"value\":" + std::to_string(event.readings[i].value) + "}";
  }
  return json + "]";
}

}  // namespace

EventStore::EventStore(const StoreOptions &options) : options_(options), db_(options.path, false) {
  ensure_schema(db_);
  db_.exec(options.synchronous == "full" ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  statements_ = std::make_unique<Statements>(db_.handle());
  Statement count(db_.handle(), "SELECT COUNT(*) FROM devices");
  if (count.step()) device_count_ = count.integer(0);
}

EventStore::~EventStore() = default;

EventStore::DeviceState &EventStore::load_device(const std::string &device) {
  auto found = devices_.find(device);
  if (found != devices_.end()) return *found->second;
  auto state = std::make_unique<DeviceState>();
  Statement &select = statements_->select_device;
  select.reset();
  select.bind(1, device);
  if (select.step()) {
    state->known_in_db = true;
    state->boot_id = select.optional_integer(0);
    state->boot_origin_ms = select.optional_integer(1).value_or(0);
    state->last_seq = select.optional_integer(2);
    state->last_uptime_s = select.optional_integer(3);
  }
  select.reset();
  return *devices_.emplace(device, std::move(state)).first->second;
}

void EventStore::record_health(const std::string &site, const std::string &device,
                               const sotto_health_t &health, int64_t received_ms) {
  DeviceState &state = load_device(device);
  DeviceState next = state;
  if (!next.boot_id || *next.boot_id != static_cast<int64_t>(health.boot_id)) {
    // A new boot: its sequence and time start again; its origin is when it must have begun.
    next.boot_id = health.boot_id;
    next.boot_origin_ms = received_ms - static_cast<int64_t>(health.uptime_s) * 1000;
    next.last_seq.reset();
    next.last_uptime_s.reset();
  }
  Transaction transaction(db_);
  if (!state.known_in_db) {
    statements_->insert_device.reset();
    statements_->insert_device.bind(1, device).bind(2, site).bind(3, received_ms).run();
  }
  Statement &update = statements_->update_health;
  update.reset();
  update.bind(1, device)
      .bind(2, site)
      .bind(3, received_ms)
      .bind(4, next.boot_id)
      .bind(5, next.boot_origin_ms);
  update.bind(6, next.last_seq).bind(7, next.last_uptime_s);
  update.bind(8, int64_t{health.model_id}).bind(9, int64_t{health.model_version});
  update.bind(10, int64_t{health.sdk_version}).bind(11, int64_t{health.battery_mv});
  update.bind(12, int64_t{health.device_class}).bind(13, int64_t{health.events_dropped});
  update.bind(14, int64_t{health.events_queued}).run();
  transaction.commit();
  if (!state.known_in_db) device_count_++;
  next.known_in_db = true;
  state = next;
}

StoredEventInfo EventStore::record_event(const std::string &site, const std::string &device,
                                         const sotto_event_t &event, int64_t received_ms) {
  DeviceState &state = load_device(device);
  const bool boot_known = state.boot_id.has_value();
  const uint64_t seq = state.last_seq ? widen_serial(static_cast<uint64_t>(*state.last_seq),
                                                     event.seq, SOTTO_EVENT_WIRE_SEQ_BITS)
                                      : event.seq;
  const uint64_t uptime_s = state.last_uptime_s
                                ? widen_serial(static_cast<uint64_t>(*state.last_uptime_s),
                                               event.uptime_s, SOTTO_EVENT_WIRE_SEQ_BITS)
                                : event.uptime_s;
  // Without a boot origin the gateway's receive time is the best estimate of when it happened.
  const int64_t event_time_ms =
      boot_known ? state.boot_origin_ms + static_cast<int64_t>(uptime_s) * 1000 : received_ms;

  Transaction transaction(db_);
  if (!state.known_in_db) {
    statements_->insert_device.reset();
    statements_->insert_device.bind(1, device).bind(2, site).bind(3, received_ms).run();
  }
  Statement &insert = statements_->insert_event;
  insert.reset();
  insert.bind(1, device)
      .bind(2, site)
      .bind(3, state.boot_id.value_or(0))
      .bind(4, int64_t{boot_known});
  insert.bind(5, static_cast<int64_t>(seq))
      .bind(6, int64_t{event.kind})
      .bind(7, int64_t{event.class_id});
  insert.bind(8, int64_t{event.score})
      .bind(9, static_cast<int64_t>(uptime_s))
      .bind(10, event_time_ms);
  insert.bind(11, received_ms).bind(12, readings_json(event)).run();
  const bool stored = db_.changes() == 1;

  const int64_t new_last_seq =
      std::max<int64_t>(state.last_seq.value_or(0), static_cast<int64_t>(seq));
  const int64_t new_last_uptime =
      std::max<int64_t>(state.last_uptime_s.value_or(0), static_cast<int64_t>(uptime_s));
  if (stored) {
    Statement &update = statements_->update_after_event;
    update.reset();
    update.bind(1, device)
        .bind(2, received_ms)
        .bind(3, new_last_seq)
        .bind(4, new_last_uptime)
        .run();
    const int64_t window_ms = int64_t{options_.aggregate_window_s} * 1000;
    const int64_t window_start =
        event_time_ms - ((event_time_ms % window_ms) + window_ms) % window_ms;
    for (const auto &[scope, scope_id] :
         {std::pair<const char *, const std::string &>{"device", device},
          std::pair<const char *, const std::string &>{"site", site}}) {
      Statement &upsert = statements_->upsert_aggregate;
      upsert.reset();
      upsert.bind(1, std::string(scope))
          .bind(2, scope_id)
          .bind(3, int64_t{options_.aggregate_window_s});
      upsert.bind(4, window_start).bind(5, int64_t{event.kind}).bind(6, int64_t{event.score}).run();
    }
  } else {
    statements_->touch_device.reset();
    statements_->touch_device.bind(1, device).bind(2, received_ms).run();
  }
  transaction.commit();
  if (!state.known_in_db) device_count_++;
  state.known_in_db = true;
  if (stored) {
    state.last_seq = new_last_seq;
    state.last_uptime_s = new_last_uptime;
  }
  return {stored ? EventOutcome::kStored : EventOutcome::kDuplicate, boot_known, seq};
}

}  // namespace sotto::gw
