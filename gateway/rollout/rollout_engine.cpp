// The rollout engine's control flow: start, statuses, waves, pause/resume/abort, resends.
// What is checked before a rollout is created is in rollout_checks.cpp, reporting (describe,
// list) in rollout_report.cpp.
#include "rollout_engine.h"

#include <pb_decode.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>

#include "device_transfer.h"
#include "file_bytes.h"
#include "key_transfer.h"
#include "log.h"
#include "sotto/v1/ota.pb.h"
#include "time_format.h"
#include "topic.h"

namespace sotto::gw {

struct RolloutEngine::DeviceRun {
  std::string site;
  std::unique_ptr<Transfer> transfer;
  int64_t last_heard_ms = 0;
  int64_t last_offer_ms = 0;   // offer or resync: when the window was last restarted
  int64_t answer_due_ms = 0;   // no status by then: failed, no_answer
  bool receiving = false;      // a RECEIVING status has come since the last offer
  uint32_t acked = 0;          // highest next_offset the device reported
  std::string recorded_state;  // as in SQLite
};

struct RolloutEngine::Active {
  RolloutRow row;
  Payload payload;  // the transfers hold references to it: Active never moves (unique_ptr)
  std::map<std::string, DeviceRun> devices;  // the current wave's devices in transfer
  std::deque<std::string> waiting;           // the current wave's devices not offered yet
};

namespace {

using Kind = RolloutRequestError::Kind;
constexpr auto kTimerPeriod = std::chrono::milliseconds(500);

// An MQTT 3.1.1 QoS 1 PUBLISH as a device receives it: type byte, remaining length, topic with
// its length, packet id, payload.
uint64_t publish_packet_bytes(size_t topic_bytes, size_t payload_bytes) {
  const uint64_t remaining = 2 + topic_bytes + 2 + payload_bytes;
  const uint64_t length_bytes = remaining < 128 ? 1 : remaining < 16384 ? 2 : 3;
  return 1 + length_bytes + remaining;
}

const char *phase_state(Transfer::Phase phase) {
  switch (phase) {
    case Transfer::Phase::kOffered:
      return "pending";
    case Transfer::Phase::kReceiving:
      return "transferring";
    case Transfer::Phase::kActivated:
      return "activated";
    case Transfer::Phase::kFailed:
      return "failed";
  }
  return "pending";
}

}  // namespace

RolloutEngine::RolloutEngine(boost::asio::io_context &io, RolloutEngineOptions options,
                             RolloutStore &store, Publish publish)
    : io_(io),
      options_(std::move(options)),
      publish_(std::move(publish)),
      store_(store),
      timer_(io) {
  std::filesystem::create_directories(options_.bundle_dir);
}

RolloutEngine::~RolloutEngine() = default;

void RolloutEngine::start() {
  for (int64_t id : store_.unfinished()) {
    try {
      Active &active = load_active(id);
      log_line(LogLevel::kInfo, "rollout " + std::to_string(id) + ": resuming (" +
                                    active.row.state + ", wave " +
                                    std::to_string(active.row.current_wave + 1) + ")");
      if (active.row.state == "running") advance(id);
    } catch (const std::exception &error) {
      log_line(LogLevel::kError,
               "rollout " + std::to_string(id) + ": cannot resume: " + error.what());
    }
  }
  arm_timer();
}

void RolloutEngine::stop() {
  stopped_ = true;
  timer_.cancel();
}

RolloutRow RolloutEngine::row_or_404(int64_t id) {
  try {
    return store_.get(id);
  } catch (const std::runtime_error &) {
    throw RolloutRequestError(Kind::kNotFound, "unknown rollout " + std::to_string(id));
  }
}

std::string RolloutEngine::device_site(const std::string &device) {
  return store_.device_site(device);
}

int64_t RolloutEngine::start_rollout(const RolloutStartRequest &request) {
  try {
    return start_checked(request);
  } catch (const RolloutRequestError &error) {
    if (!error.code().empty()) refused_starts_[error.code()] += 1;
    throw;
  }
}

RolloutEngine::Active &RolloutEngine::activate(RolloutRow row, Payload payload) {
  auto active = std::make_unique<Active>();
  active->row = std::move(row);
  active->payload = std::move(payload);
  Active &ref = *active;
  active_[ref.row.id] = std::move(active);
  return ref;
}

// An unfinished rollout from its stored row and the file start_rollout kept.
RolloutEngine::Active &RolloutEngine::load_active(int64_t id) {
  RolloutRow row = store_.get(id);
  Payload payload = load_payload(row.spec);
  return activate(std::move(row), std::move(payload));
}

RolloutEngine::Payload RolloutEngine::load_payload(const RolloutSpec &spec) {
  Payload payload;
  payload.kind = spec.kind;
  std::vector<uint8_t> bytes = read_file_bytes(spec.bundle_path);
  if (spec.kind == RolloutKind::kKeys) {
    payload.rotation = std::move(bytes);
  } else {
    payload.bundle = parse_bundle(bytes);
  }
  return payload;
}

std::unique_ptr<Transfer> RolloutEngine::make_transfer(const Active &active) const {
  const auto id = static_cast<uint32_t>(active.row.id);
  if (active.payload.kind == RolloutKind::kKeys) {
    return std::make_unique<KeyTransfer>(active.payload.rotation, id);
  }
  return std::make_unique<DeviceTransfer>(active.payload.bundle, id, options_.chunk_bytes,
                                          options_.window_chunks);
}

// Queues the current wave's unfinished devices and offers the update to as many as may run at
// once; running only.
void RolloutEngine::start_wave(Active &active) {
  if (active.row.state != "running") return;
  active.waiting.clear();
  for (const RolloutDeviceRow &row : store_.devices(active.row.id, active.row.current_wave)) {
    if (row.state != "activated" && row.state != "failed" && !active.devices.count(row.device)) {
      active.waiting.push_back(row.device);
    }
  }
  fill_transfers(active);
}

void RolloutEngine::fill_transfers(Active &active) {
  while (active.row.state == "running" && !active.waiting.empty() &&
         active.devices.size() < options_.max_concurrent_transfers) {
    const std::string device = active.waiting.front();
    active.waiting.pop_front();
    DeviceRun &run = active.devices[device];
    run.site = device_site(device);
    run.recorded_state = "pending";
    run.transfer = make_transfer(active);
    expect_answer(run, now_ms());
    send_offer(active, device, run, false);
  }
}

void RolloutEngine::send_offer(Active &active, const std::string &device, DeviceRun &run,
                               bool resend) {
  run.transfer->on_reconnect();
  run.last_heard_ms = now_ms();
  run.last_offer_ms = run.last_heard_ms;
  run.receiving = false;
  TransferTotals &totals = totals_[active.row.id];
  (resend ? totals.resent_offers : totals.offers) += 1;
  publish(totals, "sotto/v1/" + run.site + "/" + device + "/" + run.transfer->offer_topic_suffix(),
          run.transfer->offer_message());
}

void RolloutEngine::publish(TransferTotals &totals, const std::string &topic,
                            const std::vector<uint8_t> &payload) {
  totals.payload_bytes += payload.size();
  totals.wire_bytes += publish_packet_bytes(topic.size(), payload.size());
  published_messages_ += 1;
  if (!publish_(topic, payload)) totals.publish_failures += 1;
}

void RolloutEngine::on_status(const std::string &site, const std::string &device,
                              const std::vector<uint8_t> &payload) {
  sotto_v1_OtaStatus status = sotto_v1_OtaStatus_init_zero;
  pb_istream_t in = pb_istream_from_buffer(payload.data(), payload.size());
  if (!pb_decode(&in, sotto_v1_OtaStatus_fields, &status)) {
    malformed_statuses_ += 1;
    return;
  }
  auto found = active_.find(static_cast<int64_t>(status.rollout_id));
  auto run_it = found == active_.end() ? std::map<std::string, DeviceRun>::iterator()
                                       : found->second->devices.find(device);
  if (found == active_.end() || run_it == found->second->devices.end() ||
      run_it->second.site != site) {
    reoffer_if_targeted(site, device, status);
    return;
  }
  Active &active = *found->second;
  DeviceRun &run = run_it->second;
  TransferTotals &totals = totals_[active.row.id];
  totals.statuses += 1;
  const int64_t now = now_ms();
  run.last_heard_ms = now;
  expect_answer(run, now);
  // The device already runs this model (its ACTIVATED status was lost, e.g. in a gateway
  // restart, and the re-offer was refused as not newer): that is success.
  if (active.payload.kind == RolloutKind::kModel &&
      status.state == sotto_v1_OtaState_OTA_STATE_FAILED &&
      status.failure == sotto_v1_OtaFailure_OTA_FAILURE_VERSION_NOT_NEWER &&
      status.model_id == active.payload.bundle.model_id &&
      status.model_version == active.payload.bundle.version) {
    status.state = sotto_v1_OtaState_OTA_STATE_ACTIVATED;
    status.failure = sotto_v1_OtaFailure_OTA_FAILURE_NONE;
  }
  const bool terminal = status.state == sotto_v1_OtaState_OTA_STATE_ACTIVATED ||
                        status.state == sotto_v1_OtaState_OTA_STATE_FAILED;
  if (active.row.state != "running" && !terminal) return;  // paused: no new chunks
  if (status.state == sotto_v1_OtaState_OTA_STATE_RECEIVING) {
    // No progress since the last report: the device lost chunks in flight (it rebooted and
    // resumed from its flash, or missed one and refused the next as out of order). Restart the
    // window at its offset; rate-limited so duplicates of a resent window cannot cascade.
    if (run.receiving && status.next_offset <= run.acked &&
        now - run.last_offer_ms >= static_cast<int64_t>(options_.resync_after_ms)) {
      run.transfer->on_reconnect();
      run.last_offer_ms = now;
      totals.resyncs += 1;
    }
    run.receiving = true;
    run.acked = std::max(run.acked, status.next_offset);
  }
  const std::string chunk_topic = "sotto/v1/" + site + "/" + device + "/ota/chunk";
  for (const auto &chunk : run.transfer->on_status(status)) {
    totals.chunks += 1;
    publish(totals, chunk_topic, chunk);
  }
  const std::string state = phase_state(run.transfer->phase());
  if (state == run.recorded_state) return;
  store_.record_device(active.row.id, device, state, status.next_offset,
                       static_cast<int64_t>(run.transfer->failure()));
  run.recorded_state = state;
  if (state == "activated" || state == "failed") {
    active.devices.erase(run_it);
    fill_transfers(active);
    advance(active.row.id);
  }
}

// A device announces its state at boot and after reconnecting. If a running rollout is waiting
// for it but the status is about another update (or none), our offer was lost: offer again.
void RolloutEngine::reoffer_if_targeted(const std::string &site, const std::string &device,
                                        const sotto_v1_OtaStatus &status) {
  for (auto &[id, active] : active_) {
    if (active->row.state != "running" || static_cast<int64_t>(status.rollout_id) == id) continue;
    auto run = active->devices.find(device);
    if (run != active->devices.end() && run->second.site == site) {
      log_line(LogLevel::kInfo, "rollout " + std::to_string(id) + ": " + device +
                                    " reports rollout " + std::to_string(status.rollout_id) +
                                    " state " + std::to_string(status.state) + "; offering again");
      send_offer(*active, device, run->second, true);
    }
  }
}

// Recomputes the rollout from its rows: next wave, halt or done.
void RolloutEngine::advance(int64_t id) {
  auto found = active_.find(id);
  if (found == active_.end()) return;
  Active &active = *found->second;
  const int64_t wave_before = active.row.current_wave;
  const std::string state = advance_rollout(store_, id);
  active.row = store_.get(id);
  if (state == "halted" || state == "done") {
    log_line(state == "halted" ? LogLevel::kWarning : LogLevel::kInfo,
             "rollout " + std::to_string(id) + " " + state +
                 (active.row.halt_reason.empty() ? "" : ": " + active.row.halt_reason));
    active_.erase(found);
    return;
  }
  if (state == "running" && (active.row.current_wave != wave_before ||
                             (active.devices.empty() && active.waiting.empty()))) {
    log_line(LogLevel::kInfo, "rollout " + std::to_string(id) + ": wave " +
                                  std::to_string(active.row.current_wave + 1) + " of " +
                                  std::to_string(active.row.wave_count));
    start_wave(active);
  }
}

void RolloutEngine::pause(int64_t id) {
  RolloutRow row = row_or_404(id);
  if (row.state != "running") {
    throw RolloutRequestError(Kind::kConflict, "rollout " + std::to_string(id) + " is " +
                                                   row.state +
                                                   ", only a running rollout can be paused");
  }
  store_.set_state(id, "paused");
  if (auto found = active_.find(id); found != active_.end()) found->second->row.state = "paused";
}

void RolloutEngine::resume(int64_t id) {
  RolloutRow row = row_or_404(id);
  if (row.state != "paused") {
    throw RolloutRequestError(Kind::kConflict, "rollout " + std::to_string(id) + " is " +
                                                   row.state +
                                                   ", only a paused rollout can be resumed");
  }
  store_.set_state(id, "running");
  auto found = active_.find(id);
  Active &active = found != active_.end() ? *found->second : load_active(id);
  active.row.state = "running";
  for (auto &[device, run] : active.devices) {
    expect_answer(run, now_ms());
    send_offer(active, device, run, true);
  }
  fill_transfers(active);
  advance(id);
}

void RolloutEngine::abort(int64_t id) {
  RolloutRow row = row_or_404(id);
  if (row.state != "running" && row.state != "paused") {
    throw RolloutRequestError(Kind::kConflict, "rollout " + std::to_string(id) + " is " +
                                                   row.state + ", nothing to abort");
  }
  store_.set_state(id, "aborted", "aborted by the operator");
  active_.erase(id);
  log_line(LogLevel::kInfo, "rollout " + std::to_string(id) + " aborted");
}

void RolloutEngine::arm_timer() {
  if (stopped_) return;
  timer_.expires_after(kTimerPeriod);
  timer_.async_wait([this](const boost::system::error_code &error) {
    if (error || stopped_) return;
    on_timer();
    arm_timer();
  });
}

void RolloutEngine::expect_answer(DeviceRun &run, int64_t now) {
  run.answer_due_ms = now + static_cast<int64_t>(options_.device_answer_deadline_ms);
}

// Records every device past its answer deadline as failed (no_answer) and lets the next ones
// of the wave start; true when there were any.
bool RolloutEngine::give_up_unanswered(Active &active, int64_t now) {
  bool gave_up = false;
  for (auto it = active.devices.begin(); it != active.devices.end();) {
    const auto &[device, run] = *it;
    if (now < run.answer_due_ms) {
      ++it;
      continue;
    }
    store_.record_device(active.row.id, device, "failed", run.acked,
                         sotto_v1_OtaFailure_OTA_FAILURE_NO_ANSWER);
    log_line(LogLevel::kWarning, "rollout " + std::to_string(active.row.id) + ": " + device +
                                     " gave no status for " +
                                     std::to_string(options_.device_answer_deadline_ms / 1000) +
                                     " s; counted as failed (no_answer)");
    it = active.devices.erase(it);
    gave_up = true;
  }
  if (!gave_up) return false;
  fill_transfers(active);
  return true;
}

void RolloutEngine::on_timer() {
  const int64_t now = now_ms();
  std::vector<int64_t> gave_up;
  for (auto &[id, active] : active_) {
    if (active->row.state != "running") continue;
    if (give_up_unanswered(*active, now)) gave_up.push_back(id);
    for (auto &[device, run] : active->devices) {
      if (now - run.last_heard_ms >= static_cast<int64_t>(options_.resend_after_ms)) {
        send_offer(*active, device, run, true);
      }
    }
  }
  for (int64_t id : gave_up) advance(id);  // may finish or halt the rollout (erases it)
}

}  // namespace sotto::gw
