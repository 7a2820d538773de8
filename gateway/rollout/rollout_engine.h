// The gateway's rollout engine: runs on sottod's Asio loop, turns rollout rows (rollout_store)
// into per-device transfers for the current wave (a model bundle: DeviceTransfer; a key
// rotation: KeyTransfer), feeds them the devices' OtaStatus messages, and moves waves on, halts
// or finishes through advance_rollout. Every state change is in the store first, so a restarted
// gateway resumes with start().
//
// Before a rollout is created the engine checks what every device will check, so nothing a
// device would refuse ever goes out: the signer is a fleet key the gateway knows every target
// device trusts (store: fleet keys and the key rotations each device took), the signature
// verifies with it, and a bundle's model matches its manifest's digest.
//
// Not thread-safe: call everything on the loop's thread (sottod posts Paho's callbacks there).
#ifndef SOTTO_GW_ROLLOUT_ROLLOUT_ENGINE_H
#define SOTTO_GW_ROLLOUT_ROLLOUT_ENGINE_H

#include <array>
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
#include "rollout_store.h"
#include "transfer.h"

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
  RolloutKind kind = RolloutKind::kModel;
  // kModel: a "SOTB" bundle file's bytes; kKeys: an encoded SignedKeyRotation.
  std::vector<uint8_t> payload;
  std::string site;                  // every known device of this site, by id ...
  std::vector<std::string> devices;  // ... or exactly these, in this order
  std::vector<unsigned> waves{5, 25, 100};
  double max_failure_pct = 2.0;
};

// What the HTTP layer turns into 400 / 404 / 409, with a code naming the reason where a script
// may act on it (a bundle refused before sending: untrusted_key, bad_signature,
// digest_mismatch).
class RolloutRequestError : public std::runtime_error {
 public:
  enum class Kind { kBadRequest, kNotFound, kConflict };
  RolloutRequestError(Kind kind, const std::string &message, std::string code = "")
      : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
  Kind kind() const { return kind_; }
  const std::string &code() const { return code_; }

 private:
  Kind kind_;
  std::string code_;
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

  // Throws RolloutRequestError (code untrusted_key, bad_signature, digest_mismatch,
  // bad_rotation or version_not_newer when the payload is what devices would refuse); returns
  // the new rollout's id.
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
  // Every offer, chunk and key rotation handed to the publisher since start.
  uint64_t published_messages() const { return published_messages_; }
  // Start requests refused by code (see start_rollout).
  const std::map<std::string, uint64_t> &refused_starts() const { return refused_starts_; }

 private:
  struct DeviceRun;
  struct Active;
  // What a rollout sends: a bundle (kModel) or an encoded SignedKeyRotation (kKeys).
  struct Payload {
    RolloutKind kind = RolloutKind::kModel;
    Bundle bundle;
    std::vector<uint8_t> rotation;
  };

  int64_t start_checked(const RolloutStartRequest &request);
  RolloutSpec check_model(const RolloutStartRequest &request, Payload &payload,
                          std::vector<std::string> &devices);
  RolloutSpec check_rotation(const RolloutStartRequest &request, Payload &payload,
                             std::vector<std::string> &devices);
  std::vector<std::string> target_devices(const RolloutStartRequest &request);
  void check_signer(uint32_t key_id, const std::array<uint8_t, 32> &digest,
                    const std::array<uint8_t, 64> &signature, const std::string &what);
  void check_targets_trust(uint32_t key_id, const std::vector<std::string> &devices,
                           const std::string &what);
  static Payload load_payload(const RolloutSpec &spec);
  std::unique_ptr<Transfer> make_transfer(const Active &active) const;

  Active &activate(RolloutRow row, Payload payload);
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
  uint64_t published_messages_ = 0;
  std::map<std::string, uint64_t> refused_starts_;
};

// Lower-case names of sotto.v1.OtaFailure values ("self_test_failed"), as the API reports them.
const char *ota_failure_name(int64_t failure);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_ROLLOUT_ENGINE_H
