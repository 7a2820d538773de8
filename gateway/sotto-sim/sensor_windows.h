// Raw sensor windows, the input a device's model sees: machine vibration with bearing faults,
// and a wearable's heart rate and accelerometer. Deterministic for a given Random state. The
// simulator's devices and the training sets (sotto-dataset) draw from the same generators.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sensor_model.h"

namespace sotto::gw::sim {

// Vibration: one accelerometer axis in g, kVibrationWindow samples at kVibrationSampleHz.
constexpr size_t kVibrationWindow = 256;
constexpr double kVibrationSampleHz = 2560.0;

enum class BearingCondition { kNormal = 0, kOuterRace = 1, kInnerRace = 2, kImbalance = 3 };
constexpr int kBearingConditions = 4;

struct MachineState {
  double shaft_hz = 25.0;         // rotation speed
  double nominal_rms_mg = 300.0;  // healthy vibration level of this machine
  double load = 1.0;              // shift load factor (0.85 at night)
  BearingCondition condition = BearingCondition::kNormal;
  double severity = 0.0;  // 0 healthy .. 1 worn out; the anomaly score a model should give
};

// Shaft harmonics and broadband noise; an outer race defect adds resonance bursts at the ball
// pass frequency (outer), an inner race defect bursts at the inner pass frequency modulated by
// the shaft, an imbalance a stronger once-per-revolution component.
void vibration_window(const MachineState &state, Random *random, float *samples_g);

// Wearable: kWearableWindow samples, one every 0.5 s (32 s), in two channels: heart rate in
// beats per minute / 100 and the peak accelerometer magnitude of the half second in g.
constexpr size_t kWearableWindow = 64;

enum class Activity { kRest = 0, kWalk = 1, kRun = 2 };

struct WearerState {
  double resting_bpm = 65.0;
  Activity activity = Activity::kRest;
  // Heart rate out of line with the activity: tachycardia at rest, bradycardia or an irregular
  // rhythm. This is the heart-rate anomaly label.
  bool heart_anomaly = false;
  bool fall = false;      // an impact followed by lying still, inside the window
  bool sit_down = false;  // a hard sit-down: a smaller bump then stillness (not a fall)
};

// heart[i] and motion[i] for i < kWearableWindow.
void wearable_window(const WearerState &state, Random *random, float *heart, float *motion);

// Agriculture: hourly history the irrigation/frost model reads, per channel.
constexpr size_t kAgriHistoryHours = 24;

}  // namespace sotto::gw::sim
