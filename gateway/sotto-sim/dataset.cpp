// Drawing labelled windows per site kind (see dataset.h for the layouts and labels).
#include "dataset.h"

#include <algorithm>

#include "sensor_windows.h"

namespace sotto::gw::sim {
namespace {

constexpr size_t kWindowsPerMachine = 20;
constexpr size_t kWindowsPerWearer = 20;
constexpr int kAgriDays = 12;
constexpr size_t kIrrigationHorizonHours = 6;
constexpr size_t kFrostHorizonHours = 12;
constexpr double kDryPermille = 200.0;
constexpr double kFrostC = 0.5;

// Device seeds of one split never meet those of the other.
uint64_t device_seed(uint64_t seed, Split split, size_t device) {
  Random mix(seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(split) * 0x100000001b3ull);
  for (size_t i = 0; i <= device; ++i) mix.next();
  return mix.next() | (static_cast<uint64_t>(split) << 63);
}

void industrial(uint64_t seed, Split split, size_t samples, Dataset *d) {
  d->x_shape = {static_cast<int64_t>(samples), 1, static_cast<int64_t>(kVibrationWindow)};
  d->y_shape = {static_cast<int64_t>(samples), 2};
  d->x.resize(samples * kVibrationWindow);
  for (size_t i = 0; i < samples; ++i) {
    // A machine of its own every kWindowsPerMachine windows, in each condition in turn.
    Random machine(device_seed(seed, split, i / kWindowsPerMachine));
    MachineState state;
    state.shaft_hz = machine.between(20, 30);
    state.nominal_rms_mg = machine.between(220, 420);
    Random window(device_seed(seed, split, i) ^ 0xabcdefull);
    state.load = window.chance(0.3) ? 0.85 : 1.0;
    state.condition = static_cast<BearingCondition>(i % kBearingConditions);
    state.severity = state.condition == BearingCondition::kNormal ? 0.0 : window.between(0.15, 1.0);
    vibration_window(state, &window, &d->x[i * kVibrationWindow]);
    d->y.push_back(static_cast<float>(state.condition));
    d->y.push_back(static_cast<float>(state.severity));
  }
}

void agri(uint64_t seed, Split split, size_t samples, Dataset *d) {
  d->x_shape = {static_cast<int64_t>(samples), 2 * static_cast<int64_t>(kAgriHistoryHours)};
  d->y_shape = {static_cast<int64_t>(samples), 2};
  size_t field = 0;
  while (d->y.size() < 2 * samples) {
    // One field's hourly readings over kAgriDays days, from the simulator's own model.
    const uint64_t s = device_seed(seed, split, field++);
    SensorModel model(SiteKind::kAgri, s);
    std::vector<double> moisture, temperature;
    std::vector<sotto_event_t> ignored;
    for (int minute = 1; minute <= kAgriDays * 24 * 60; ++minute) {
      model.step(&ignored);
      ignored.clear();
      if (minute % 60 == 0) {
        moisture.push_back(model.moisture_permille());
        temperature.push_back(model.temperature_c());
      }
    }
    // Windows ending at a random hour every few hours, each with its look-ahead labels.
    Random pick(s ^ 0x77ull);
    for (size_t end = kAgriHistoryHours + pick.next() % 5;
         end + kFrostHorizonHours <= moisture.size() && d->y.size() < 2 * samples;
         end += 3 + pick.next() % 5) {
      for (size_t h = end - kAgriHistoryHours; h < end; ++h)
        d->x.push_back(static_cast<float>(moisture[h] / 1000.0));
      for (size_t h = end - kAgriHistoryHours; h < end; ++h)
        d->x.push_back(static_cast<float>(temperature[h] / 10.0));
      const double driest =
          *std::min_element(moisture.begin() + static_cast<long>(end),
                            moisture.begin() + static_cast<long>(end + kIrrigationHorizonHours));
      const double coldest =
          *std::min_element(temperature.begin() + static_cast<long>(end),
                            temperature.begin() + static_cast<long>(end + kFrostHorizonHours));
      d->y.push_back(driest < kDryPermille ? 1.0f : 0.0f);
      d->y.push_back(coldest < kFrostC ? 1.0f : 0.0f);
    }
  }
}

void wearable(uint64_t seed, Split split, size_t samples, Dataset *d) {
  d->x_shape = {static_cast<int64_t>(samples), 2, static_cast<int64_t>(kWearableWindow)};
  d->y_shape = {static_cast<int64_t>(samples), 2};
  d->x.resize(samples * 2 * kWearableWindow);
  for (size_t i = 0; i < samples; ++i) {
    Random wearer(device_seed(seed, split, i / kWindowsPerWearer));
    WearerState state;
    state.resting_bpm = wearer.between(55, 80);
    Random window(device_seed(seed, split, i) ^ 0x5151ull);
    const double activity = window.uniform();
    state.activity = activity < 0.5   ? Activity::kRest
                     : activity < 0.8 ? Activity::kWalk
                                      : Activity::kRun;
    state.heart_anomaly = window.chance(0.25);
    state.fall = window.chance(0.2);
    state.sit_down = !state.fall && window.chance(0.12);
    float *x = &d->x[i * 2 * kWearableWindow];
    wearable_window(state, &window, x, x + kWearableWindow);
    d->y.push_back(state.heart_anomaly ? 1.0f : 0.0f);
    d->y.push_back(state.fall ? 1.0f : 0.0f);
  }
}

}  // namespace

Dataset make_dataset(SiteKind kind, uint64_t seed, Split split, size_t samples) {
  Dataset d;
  if (kind == SiteKind::kIndustrial) industrial(seed, split, samples, &d);
  if (kind == SiteKind::kAgri) agri(seed, split, samples, &d);
  if (kind == SiteKind::kWearable) wearable(seed, split, samples, &d);
  return d;
}

}  // namespace sotto::gw::sim
