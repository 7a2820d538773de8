// Vibration and wearable window generators (see sensor_windows.h for the signals' meaning).
#include "sensor_windows.h"

#include <algorithm>
#include <cmath>

namespace sotto::gw::sim {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Bearing geometry of a common deep-groove bearing, as multiples of the shaft frequency.
constexpr double kBallPassOuter = 3.57;
constexpr double kBallPassInner = 5.43;
constexpr double kResonanceHz = 870.0;
constexpr double kBurstDecayPerSample = 0.82;

// Approximately normal noise: the sum of four uniforms, scaled to unit variance.
double gaussian(Random *random) {
  double sum = 0;
  for (int i = 0; i < 4; ++i) sum += random->uniform();
  return (sum - 2.0) * std::sqrt(3.0);
}

// Adds a decaying resonance burst every 1/rate_hz seconds, scaled per burst by gain(t).
template <typename Gain>
void add_bursts(double rate_hz, double amplitude_g, double start_s, Gain gain, float *out) {
  const double period = 1.0 / rate_hz;
  double next = std::ceil(start_s / period) * period;
  for (size_t i = 0; i < kVibrationWindow; ++i) {
    const double t = start_s + static_cast<double>(i) / kVibrationSampleHz;
    if (t >= next) {
      const double a = amplitude_g * gain(next);
      for (size_t k = i; k < kVibrationWindow && k < i + 40; ++k) {
        const double dt = static_cast<double>(k - i);
        out[k] += static_cast<float>(a * std::pow(kBurstDecayPerSample, dt) *
                                     std::sin(2 * kPi * kResonanceHz * dt / kVibrationSampleHz));
      }
      next += period;
    }
  }
}

}  // namespace

void vibration_window(const MachineState &s, Random *random, float *out) {
  const double rms_g = s.nominal_rms_mg / 1000.0 * s.load;
  const double start_s = random->between(0.0, 10.0);
  const double phase1 = random->between(0, 2 * kPi), phase2 = random->between(0, 2 * kPi);
  const double imbalance =
      s.condition == BearingCondition::kImbalance ? 1.0 + 3.0 * s.severity : 1.0;
  const double first = 1.1 * rms_g * imbalance, second = 0.5 * rms_g;
  for (size_t i = 0; i < kVibrationWindow; ++i) {
    const double t = start_s + static_cast<double>(i) / kVibrationSampleHz;
    out[i] = static_cast<float>(first * std::sin(2 * kPi * s.shaft_hz * t + phase1) +
                                second * std::sin(4 * kPi * s.shaft_hz * t + phase2) +
                                0.35 * rms_g * gaussian(random));
  }
  const double burst_g = rms_g * (0.8 + 3.2 * s.severity);
  if (s.condition == BearingCondition::kOuterRace) {
    add_bursts(
        kBallPassOuter * s.shaft_hz, burst_g, start_s, [](double) { return 1.0; }, out);
  } else if (s.condition == BearingCondition::kInnerRace) {
    // The defect turns with the shaft: bursts are strongest when it passes the load zone.
    add_bursts(
        kBallPassInner * s.shaft_hz, burst_g, start_s,
        [&](double t) { return 0.5 + 0.5 * std::cos(2 * kPi * s.shaft_hz * t + phase1); }, out);
  }
}

void wearable_window(const WearerState &s, Random *random, float *heart, float *motion) {
  static constexpr double kActivityBpm[] = {0.0, 28.0, 65.0};
  static constexpr double kStepPeakG[] = {0.03, 0.35, 1.1};
  const auto activity = static_cast<size_t>(s.activity);
  double bpm = s.resting_bpm + kActivityBpm[activity] + random->between(-4, 4);
  enum { kNone, kFast, kSlow, kIrregular } anomaly = kNone;
  if (s.heart_anomaly) {
    const double pick = random->uniform();
    anomaly = pick < 0.45 ? kFast : pick < 0.7 ? kSlow : kIrregular;
  }
  if (anomaly == kFast) bpm = random->between(125, 170) + 0.3 * kActivityBpm[activity];
  if (anomaly == kSlow) bpm = random->between(32, 44);
  // The event (fall or sit-down) happens somewhere in the first three quarters of the window.
  const size_t event_at = static_cast<size_t>(random->between(4, 0.75 * kWearableWindow));
  const bool event = s.fall || s.sit_down;
  double drift = 0;
  for (size_t i = 0; i < kWearableWindow; ++i) {
    drift = 0.9 * drift + random->between(-1.5, 1.5);
    double beat = bpm + drift;
    if (anomaly == kIrregular) beat += random->between(-28, 28);
    if (s.fall && i > event_at) beat += std::min(18.0, 1.5 * static_cast<double>(i - event_at));
    heart[i] = static_cast<float>(beat / 100.0);

    const bool still = event && i > event_at;
    const double step = still ? 0.02 : kStepPeakG[activity];
    double g = 1.0 + step * std::fabs(std::sin(kPi * 1.8 * static_cast<double>(i) * 0.5)) +
               0.02 * gaussian(random);
    if (event && i == event_at) g = s.fall ? random->between(2.6, 4.2) : random->between(1.6, 2.3);
    motion[i] = static_cast<float>(g);
  }
}

}  // namespace sotto::gw::sim
