// Synthetic sensor signals and the simple on-device rules that turn them into events (the
// fallback for a device without a model). Deterministic: the same seed and device index give
// the same events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sotto/messages.h"

namespace sotto::gw::sim {

enum class SiteKind { kAgri, kIndustrial, kWearable };

// "agri", "industrial", "wearable"; parse_site_kind throws std::invalid_argument for others.
const char *site_kind_name(SiteKind kind);
SiteKind parse_site_kind(const std::string &name);

struct MachineState;  // sensor_windows.h
struct WearerState;

// A small deterministic PRNG (splitmix64): no global state, cheap to keep per device.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();  // [0, 1)
  double between(double low, double high) { return low + (high - low) * uniform(); }
  bool chance(double probability) { return uniform() < probability; }

 private:
  uint64_t state_;
};

// Rising/falling detector with hysteresis: fires once when the value crosses `trigger` and
// re-arms only after it has come back past `rearm`.
class Hysteresis {
 public:
  Hysteresis(double trigger, double rearm) : trigger_(trigger), rearm_(rearm) {}
  bool update(double value);  // true on the step the crossing happens

 private:
  double trigger_;
  double rearm_;
  bool armed_ = true;
};

// One device's physical world and its rules. step() advances one simulated minute.
class SensorModel {
 public:
  static constexpr uint64_t kStepMs = 60'000;

  SensorModel(SiteKind kind, uint64_t seed);
  // Advances one step; appends the events the device's rules decided on.
  void step(std::vector<sotto_event_t> *events);
  // Battery voltage to report (farm and wearable nodes run on cells; machines on mains).
  uint16_t battery_mv() const;
  uint64_t sim_ms() const { return sim_ms_; }
  // A heartbeat describing the current readings (used when a test wants exactly N events).
  sotto_event_t heartbeat() const;

  // The current readings behind the rules, for windows a model reads (sotto-dataset).
  double moisture_permille() const { return moisture_permille_; }
  double temperature_c() const { return temperature_c_; }
  // This machine now: its bearing condition and how far the fault has grown.
  MachineState machine_state() const;
  // This wearer now (activity and any heart-rate anomaly in progress).
  WearerState wearer_state() const;

 private:
  void step_agri(std::vector<sotto_event_t> *events);
  void step_industrial(std::vector<sotto_event_t> *events);
  void step_wearable(std::vector<sotto_event_t> *events);

  SiteKind kind_;
  Random random_;
  uint64_t sim_ms_ = 0;
  uint64_t next_heartbeat_ms_;

  // Agriculture: soil moisture (permille), air temperature (centi-degrees C).
  double moisture_permille_ = 0;
  double temperature_c_ = 0;
  double daily_mean_c_ = 0;
  // Clear-sky nights freeze: decided at noon, warmer afternoons announce them.
  bool frost_tonight_ = false;
  bool frost_this_morning_ = false;
  int64_t last_day_ = -1;
  int64_t last_forecast_day_ = -1;
  double battery_mv_ = 3300;
  Hysteresis dry_{200, 230};
  Hysteresis saturated_{400, 370};
  Hysteresis frost_{0.0, 1.5};

  // Industry: vibration RMS (milli-g) against a baseline learnt during the first hours.
  double nominal_rms_mg_ = 0;
  double rms_mg_ = 0;
  double baseline_rms_mg_ = 0;
  uint64_t fault_onset_ms_ = UINT64_MAX;  // UINT64_MAX: this machine stays healthy
  uint64_t next_anomaly_report_ms_ = 0;
  Hysteresis anomaly_{140, 80};
  double shaft_hz_ = 25.0;
  int fault_condition_ = 0;  // BearingCondition of the fault to come

  // Wearable: heart rate (bpm) against activity; a fall is an impact then stillness.
  double resting_bpm_ = 65.0;
  int activity_ = 0;  // Activity
  double heart_bpm_ = 65.0;
  uint64_t heart_anomaly_until_ms_ = 0;
  uint64_t next_heart_report_ms_ = 0;
  bool fell_ = false;
};

}  // namespace sotto::gw::sim
