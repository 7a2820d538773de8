// A virtual device's neural network: what its firmware would do with a model. It assembles the
// device's own sensor windows (sensor_windows.h), quantizes them into the model's input tensor,
// runs the SDK's engine (sotto_* C API, the blob in place, the device's arena) and turns the
// outputs into the events the device sends, with the model's score. A device that has no model
// (or whose model does not fit its sensors) keeps the SensorModel's rules.
//
// Windows and decisions per site kind (the layouts of dataset.h, which trained the models):
//   industrial  every 10 min: 256 vibration samples -> 4 condition probabilities + score;
//               ANOMALY, class = condition (1 outer race, 2 inner race, 3 imbalance), score =
//               the anomaly score, when the condition is not normal: once when it changes, then
//               at most every 2 h; reading: the window's vibration RMS (milli-g)
//   agri        every hour once 24 h are known: 24 hourly moisture + 24 temperatures ->
//               irrigation need, frost risk; CLASSIFICATION, class 1 (irrigate) / 3 (frost), when
//               a probability rises to 0.5 (again after it fell under 0.3); readings: moisture
//               (permille) and temperature (centi-degrees C)
//   wearable    every minute: 64 heart-rate and acceleration samples -> heart-rate anomaly, fall;
//               ANOMALY, class 2 (fall) whenever fall >= 0.5, class 1 (heart) when >= 0.5, at
//               most every 30 min; no readings (only decisions leave a wearable)
// Scores are round(clamp(p, 0, 1) * 255) of the dequantized output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "sensor_model.h"
#include "sotto/messages.h"
#include "sotto/model.h"

namespace sotto::gw::sim {

// A model image given at start (--model KIND=FILE.smdl): what the firmware was flashed with.
// Read once and shared read-only by every device of the kind, as flash is.
struct FactoryModel {
  SiteKind kind;
  std::string path;
  std::vector<uint32_t> blob;  // 4-byte aligned, as the engine needs
  size_t bytes = 0;
  // Health's model id for a factory image: the kind's device class (agri 1, industrial 2,
  // wearable 3), version 1; an OTA update replaces it with its manifest's id and version.
  uint16_t model_id = 0;
};
// Reads the file; throws std::runtime_error naming it when it cannot be read.
FactoryModel load_factory_model(SiteKind kind, const std::string &path);
uint8_t device_class_of(SiteKind kind);

// What one inference saw and computed, kept with --record-inference for checking.
struct InferenceRecord {
  std::vector<float> window;   // the model's source layout (channels first, as dataset.h)
  std::vector<float> outputs;  // dequantized, as `sottoctl model run` writes them
};

// How often a model's decision matched the simulator's ground truth (which a real device never
// knows): the fleet's own accuracy, per decision the model takes. Agri labels look 6-12 h ahead,
// so agri windows are not scored here (deploy/models.sh scores them on held-out sets).
struct TruthTally {
  uint64_t windows = 0;
  uint64_t condition_correct = 0;  // industrial: the arg-max condition is the machine's
  uint64_t heart_correct = 0;      // wearable: heart-rate anomaly decided as it is
  uint64_t fall_correct = 0;       // wearable: fall decided as it is
};

class OnDeviceModel {
 public:
  // arena: the device's inference budget (4-byte aligned, arena_bytes long), owned by the caller.
  OnDeviceModel(SiteKind kind, uint64_t seed, void *arena, size_t arena_bytes, bool record);

  // Opens `blob` in place and checks it fits this kind's window and decisions. Empty on success,
  // else why it was refused (the device then keeps the rules or its previous model).
  std::string load(const uint8_t *blob, size_t bytes);
  bool loaded() const { return loaded_; }
  void unload() { loaded_ = false; }

  // After SensorModel::step: replaces the rules' decisions in `events` (all but heartbeats) with
  // the model's, when a window is due. Returns false (events untouched) without a model.
  bool decide(const SensorModel &sensors, std::vector<sotto_event_t> *events);

  uint64_t inferences() const { return inferences_; }
  const TruthTally &truth() const { return truth_; }
  const std::vector<InferenceRecord> &records() const { return records_; }
  // Each decision as "WINDOW CLASS SCORE" (window: index into records()).
  const std::vector<std::string> &decision_log() const { return decision_log_; }

 private:
  bool window_due(const SensorModel &sensors);
  void fill_window(const SensorModel &sensors);
  bool infer();
  void decide_industrial(std::vector<sotto_event_t> *events);
  void decide_agri(const SensorModel &sensors, std::vector<sotto_event_t> *events);
  void decide_wearable(std::vector<sotto_event_t> *events);
  void push(std::vector<sotto_event_t> *events, const sotto_event_t &event);
  void score_against_truth(const SensorModel &sensors);

  SiteKind kind_;
  Random random_;  // the window's noise, a stream of this device's own
  void *arena_;
  size_t arena_bytes_;
  bool record_;
  sotto_model_t model_{};
  bool loaded_ = false;
  uint64_t now_ms_ = 0;
  std::vector<float> window_;  // channels first
  std::vector<float> outputs_;
  std::deque<float> moisture_, temperature_;  // agri: the last 24 hourly readings
  int last_condition_ = 0;
  uint64_t next_report_ms_ = 0;
  bool irrigation_armed_ = true, frost_armed_ = true;
  uint64_t inferences_ = 0;
  TruthTally truth_;
  std::vector<InferenceRecord> records_;
  std::vector<std::string> decision_log_;
};

}  // namespace sotto::gw::sim
