// The gateway's rollout engine: runs on sottod's Asio loop, turns rollout rows (rollout_store)
// into per-device transfers (DeviceTransfer) for the current wave, feeds them the devices'
// OtaStatus messages, and moves waves on, halts or finishes through advance_rollout. Every
// state change is in the store first, so a restarted gateway resumes with start().
//
// Not thread-safe: call everything on the loop's thread (sottod posts Paho's callbacks there).
#ifndef SOTTO_GW_ROLLOUT_ROLLOUT_ENGINE_H
#define SOTTO_GW_ROLLOUT_ROLLOUT_ENGINE_H

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bundle.h"
#include "device_transfer.h"
#include "rollout_store.h"

namespace sotto::gw {

struct RolloutEngineOptions {
  std::string bundle_dir;  // where accepted bundles are kept for the rollout's lifetime
  uint32_t chunk_bytes = 1024;
  uint32_t window_chunks = 16;
  // Devices of a wave in transfer at once; the rest wait their turn. Bounds the gateway's
  // outgoing queue (window x this many chunks) however large the wave.
  uint32_t max_concurrent_transfers = 128;
  // Devices announce their OTA status at boot and after a reconnect, which brings a lost offer
  // back at once (RolloutEngine::on_status). As a last resort, a device that has not answered
  // for this long gets its offer again; it answers with what it has stored.
  uint32_t resend_after_ms = 60000;
  // A device whose report shows no progress gets the window again from its offset, at most
  // this often (see RolloutEngine::on_status).
  uint32_t resync_after_ms = 3000;
  // A device in transfer that sends no status for this long (offers resent meanwhile) is
  // recorded as failed with reason no_answer, so one dead device cannot hold its wave forever;
  // it counts against the wave's failure limit like any other failure. Paused time is not
  // counted.
  uint32_t device_answer_deadline_ms = 30 * 60 * 1000;
};

struct RolloutStartRequest {
  std::vector<uint8_t> bundle;       // a "SOTB" bundle file's bytes
  std::string site;                  // every known device of this site, by id ...
  std::vector<std::string> devices;  // ... or exactly these, in this order
  std::vector<unsigned> waves{5, 25, 100};
  double max_failure_pct = 2.0;
};

// What the HTTP layer turns into 400 / 404 / 409.
class RolloutRequestError : public std::runtime_error {
 public:
  enum class Kind { kBadRequest, kNotFound, kConflict };
  RolloutRequestError(Kind kind, const std::string &message)
      : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Bytes and messages the engine published (since this gateway process started).
struct TransferTotals {
  uint64_t offers = 0;
  uint64_t resent_offers = 0;
  uint64_t resyncs = 0;  // windows restarted at a device's offset after it lost chunks
  uint64_t chunks = 0;
  uint64_t payload_bytes = 0;  // encoded OtaOffer/OtaChunk bytes
  uint64_t wire_bytes = 0;     // as MQTT 3.1.1 QoS 1 PUBLISH packets to the devices
  uint64_t statuses = 0;
  uint64_t publish_failures = 0;
};

class RolloutEngine {
 public:
  // Publishes QoS 1 without waiting; false when it could not be queued (the resend timer
  // recovers).
  using Publish =
      std::function<bool(const std::string &topic, const std::vector<uint8_t> &payload)>;

  RolloutEngine(boost::asio::io_context &io, RolloutEngineOptions options, RolloutStore &store,
                Publish publish);
  ~RolloutEngine();
  RolloutEngine(const RolloutEngine &) = delete;
  RolloutEngine &operator=(const RolloutEngine &) = delete;

  void start();  // resumes unfinished rollouts; starts the resend timer
  void stop();

  // Throws RolloutRequestError; returns the new rollout's id.
  int64_t start_rollout(const RolloutStartRequest &request);
  void pause(int64_t id);
  void resume(int64_t id);
  void abort(int64_t id);
  boost::json::object describe(int64_t id, bool with_devices);
  boost::json::array list();

  // One OtaStatus from sotto/v1/<site>/<device>/ota/status; malformed ones are counted.
  void on_status(const std::string &site, const std::string &device,
                 const std::vector<uint8_t> &payload);
  uint64_t malformed_statuses() const { return malformed_statuses_; }

 private:
  struct DeviceRun;
  struct Active;

  Active &activate(RolloutRow row, Bundle bundle);
  Active &load_active(int64_t id);
  void start_wave(Active &active);
  void fill_transfers(Active &active);
  void send_offer(Active &active, const std::string &device, DeviceRun &run, bool resend);
  void publish(TransferTotals &totals, const std::string &topic,
               const std::vector<uint8_t> &payload);
  void advance(int64_t id);
  void reoffer_if_targeted(const std::string &site, const std::string &device,
                           const sotto_v1_OtaStatus &status);
  void expect_answer(DeviceRun &run, int64_t now);
  bool give_up_unanswered(Active &active, int64_t now);
  void on_timer();
  void arm_timer();
  std::string device_site(const std::string &device);
  RolloutRow row_or_404(int64_t id);

  boost::asio::io_context &io_;
  RolloutEngineOptions options_;
  Publish publish_;
  RolloutStore &store_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  std::map<int64_t, std::unique_ptr<Active>> active_;  // running or paused
  std::map<int64_t, TransferTotals> totals_;
  uint64_t malformed_statuses_ = 0;
};

// Lower-case names of sotto.v1.OtaFailure values ("self_test_failed"), as the API reports them.
const char *ota_failure_name(int64_t failure);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_ROLLOUT_ENGINE_H
