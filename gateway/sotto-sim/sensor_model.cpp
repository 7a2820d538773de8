// Farm and factory signals, minute by minute, and the threshold/anomaly rules a device runs.
#include "sensor_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sensor_windows.h"

namespace sotto::gw::sim {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr uint64_t kHourMs = 3'600'000;
constexpr uint64_t kDayMs = 24 * kHourMs;
constexpr uint64_t kHeartbeatIntervalMs = 6 * kHourMs;
constexpr uint64_t kSimStartOfDayMs = 6 * kHourMs;  // simulations start at 06:00
constexpr uint64_t kBaselineLearningMs = 2 * kHourMs;
constexpr uint64_t kAnomalyRepeatMs = 2 * kHourMs;

// Event classes per rule (the gateway shows them as labels).
constexpr uint8_t kClassSoilDry = 1;
constexpr uint8_t kClassSoilSaturated = 2;
constexpr uint8_t kClassFrost = 3;
constexpr uint8_t kClassBearingFault = 1;
constexpr uint8_t kClassHeartRate = 1;
constexpr uint8_t kClassFall = 2;
// Wearable rule thresholds: a resting heart rate above this is reported; so is any fall.
constexpr double kRestingTachycardiaBpm = 120.0;
constexpr double kFallChancePerMinute = 1.0 / 4000.0;
constexpr double kHeartAnomalyChancePerMinute = 1.0 / 1500.0;

uint8_t to_score(double fraction) {
  return static_cast<uint8_t>(std::lround(std::clamp(fraction, 0.0, 1.0) * 255.0));
}

sotto_event_t make_event(sotto_event_kind_t kind, uint8_t class_id, uint8_t score) {
  sotto_event_t event{};
  event.kind = kind;
  event.class_id = class_id;
  event.score = score;
  return event;
}

void add_reading(sotto_event_t *event, sotto_quantity_t quantity, double value) {
  if (event->reading_count >= SOTTO_EVENT_MAX_READINGS) {
    return;
  }
  event->readings[event->reading_count++] = {quantity, static_cast<int32_t>(std::lround(value))};
}

}  // namespace

const char *site_kind_name(SiteKind kind) {
  switch (kind) {
    case SiteKind::kAgri:
      return "agri";
    case SiteKind::kIndustrial:
      return "industrial";
    case SiteKind::kWearable:
      return "wearable";
  }
  return "?";
}

SiteKind parse_site_kind(const std::string &name) {
  for (SiteKind kind : {SiteKind::kAgri, SiteKind::kIndustrial, SiteKind::kWearable}) {
    if (name == site_kind_name(kind)) return kind;
  }
  throw std::invalid_argument("site kind '" + name + "'; expected agri, industrial or wearable");
}

uint64_t Random::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double Random::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

bool Hysteresis::update(double value) {
  const bool falling = trigger_ < rearm_;
  const bool crossed = falling ? value <= trigger_ : value >= trigger_;
  const bool back = falling ? value >= rearm_ : value <= rearm_;
  if (armed_ && crossed) {
    armed_ = false;
    return true;
  }
  if (!armed_ && back) {
    armed_ = true;
  }
  return false;
}

SensorModel::SensorModel(SiteKind kind, uint64_t seed)
    : kind_(kind), random_(seed), next_heartbeat_ms_(0) {
  // Stagger heartbeats so a fleet does not report in lockstep.
  next_heartbeat_ms_ = static_cast<uint64_t>(random_.between(0.5, 6.0) * kHourMs);
  moisture_permille_ = random_.between(240, 420);
  daily_mean_c_ = random_.between(6, 12);
  battery_mv_ = random_.between(3000, 3600);
  nominal_rms_mg_ = random_.between(220, 420);
  if (random_.chance(0.4)) {
    fault_onset_ms_ = static_cast<uint64_t>(random_.between(4, 36) * kHourMs);
  }
  // Drawn from a second stream so the rules' signals above stay as they were per seed.
  Random detail(seed ^ 0x5eed5eed5eedull);
  shaft_hz_ = detail.between(20, 30);
  fault_condition_ = 1 + static_cast<int>(detail.next() % 3);
  resting_bpm_ = detail.between(55, 80);
  heart_bpm_ = resting_bpm_;
}

void SensorModel::step(std::vector<sotto_event_t> *events) {
  sim_ms_ += kStepMs;
  if (kind_ == SiteKind::kAgri) {
    step_agri(events);
  } else if (kind_ == SiteKind::kIndustrial) {
    step_industrial(events);
  } else {
    step_wearable(events);
  }
  if (sim_ms_ >= next_heartbeat_ms_) {
    next_heartbeat_ms_ += kHeartbeatIntervalMs;
    events->push_back(heartbeat());
  }
}

void SensorModel::step_agri(std::vector<sotto_event_t> *events) {
  const uint64_t local_ms = sim_ms_ + kSimStartOfDayMs;
  const int64_t day = static_cast<int64_t>(local_ms / kDayMs);
  if (day != last_day_) {
    last_day_ = day;
    frost_this_morning_ = frost_tonight_;
    frost_tonight_ = false;
    daily_mean_c_ = std::clamp(daily_mean_c_ + random_.between(-1.5, 1.5), 3.0, 14.0);
  }
  // Coldest near 05:00, warmest near 15:00; a frost night pulls the small hours well below 0.
  const double hour = static_cast<double>(local_ms % kDayMs) / static_cast<double>(kHourMs);
  if (hour >= 12.0 && last_forecast_day_ != day) {
    last_forecast_day_ = day;
    frost_tonight_ = random_.chance(0.35);
  }
  double temperature = daily_mean_c_ + 7.0 * std::sin(2 * kPi * (hour - 9.0) / 24.0);
  if (frost_tonight_ && hour >= 12.0 && hour <= 21.0) {
    temperature += 2.5 * std::sin(kPi * (hour - 12.0) / 9.0);  // clear sky: a warmer afternoon
  }
  if (frost_this_morning_ && hour < 8.0) temperature -= 9.0 * std::sin(kPi * (hour + 3.0) / 11.0);
  if (frost_tonight_ && hour > 21.0) temperature -= 9.0 * std::sin(kPi * (hour - 21.0) / 11.0);
  temperature_c_ = temperature + random_.between(-0.3, 0.3);

  // Soil dries faster when warm; irrigation comes some hours after it gets dry.
  const double drying_per_min = 0.05 + 0.004 * std::max(temperature_c_, 0.0);
  moisture_permille_ = std::max(60.0, moisture_permille_ - drying_per_min);
  if (moisture_permille_ < 190 && random_.chance(1.0 / 180.0)) {
    moisture_permille_ += random_.between(220, 300);
  }
  battery_mv_ = std::max(2800.0, battery_mv_ - 0.0005);

  if (dry_.update(moisture_permille_)) {
    sotto_event_t event = make_event(SOTTO_EVENT_THRESHOLD, kClassSoilDry,
                                     to_score((200.0 - moisture_permille_) / 200.0 + 0.1));
    add_reading(&event, SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE, moisture_permille_);
    events->push_back(event);
  }
  if (saturated_.update(moisture_permille_)) {
    sotto_event_t event = make_event(SOTTO_EVENT_THRESHOLD, kClassSoilSaturated,
                                     to_score((moisture_permille_ - 400.0) / 200.0 + 0.1));
    add_reading(&event, SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE, moisture_permille_);
    events->push_back(event);
  }
  if (frost_.update(temperature_c_)) {
    sotto_event_t event =
        make_event(SOTTO_EVENT_THRESHOLD, kClassFrost, to_score(-temperature_c_ / 10.0 + 0.1));
    add_reading(&event, SOTTO_QUANTITY_TEMPERATURE_CENTI_C, temperature_c_ * 100.0);
    events->push_back(event);
  }
}

void SensorModel::step_industrial(std::vector<sotto_event_t> *events) {
  // Load follows shifts (lighter at night); a failing bearing grows vibration over ~8 hours.
  const double hour = static_cast<double>((sim_ms_ + kSimStartOfDayMs) % kDayMs) / kHourMs;
  const double load = hour >= 6.0 && hour < 22.0 ? 1.0 : 0.85;
  double fault_factor = 1.0;
  if (sim_ms_ >= fault_onset_ms_) {
    const double hours_since = static_cast<double>(sim_ms_ - fault_onset_ms_) / kHourMs;
    fault_factor = 1.0 + std::min(hours_since / 8.0, 1.0) * 2.0;
  }
  rms_mg_ = nominal_rms_mg_ * load * fault_factor * (1.0 + random_.between(-0.05, 0.05));

  if (sim_ms_ <= kBaselineLearningMs) {
    baseline_rms_mg_ = baseline_rms_mg_ == 0 ? rms_mg_ : 0.95 * baseline_rms_mg_ + 0.05 * rms_mg_;
    return;
  }
  // Anomaly score: how far RMS sits above the learnt baseline (2.5x baseline = 1.0).
  const double ratio = rms_mg_ / baseline_rms_mg_;
  const uint8_t score = to_score((ratio - 1.0) / 1.5);
  const bool crossed = anomaly_.update(score);
  const bool still_high = score >= 140 && sim_ms_ >= next_anomaly_report_ms_;
  if (crossed || still_high) {
    next_anomaly_report_ms_ = sim_ms_ + kAnomalyRepeatMs;
    sotto_event_t event = make_event(SOTTO_EVENT_ANOMALY, kClassBearingFault, score);
    add_reading(&event, SOTTO_QUANTITY_VIBRATION_RMS_MILLI_G, rms_mg_);
    events->push_back(event);
  }
}

void SensorModel::step_wearable(std::vector<sotto_event_t> *events) {
  // Activity changes every few minutes; the heart follows it with a lag.
  if (random_.chance(1.0 / 6.0)) {
    const double pick = random_.uniform();
    activity_ = pick < 0.6 ? 0 : pick < 0.9 ? 1 : 2;
  }
  if (sim_ms_ >= heart_anomaly_until_ms_ && random_.chance(kHeartAnomalyChancePerMinute)) {
    heart_anomaly_until_ms_ = sim_ms_ + static_cast<uint64_t>(random_.between(10, 40) * 60'000);
  }
  static constexpr double kActivityBpm[] = {0.0, 28.0, 65.0};
  double target = resting_bpm_ + kActivityBpm[activity_];
  if (sim_ms_ < heart_anomaly_until_ms_) target = 135.0;
  heart_bpm_ += 0.5 * (target - heart_bpm_) + random_.between(-2, 2);
  fell_ = random_.chance(kFallChancePerMinute);
  battery_mv_ = std::max(2800.0, battery_mv_ - 0.002);

  // Rules: a fast heart at rest (reported at most every 30 minutes) and any fall.
  if (activity_ == 0 && heart_bpm_ > kRestingTachycardiaBpm && sim_ms_ >= next_heart_report_ms_) {
    next_heart_report_ms_ = sim_ms_ + 30 * 60'000;
    events->push_back(
        make_event(SOTTO_EVENT_ANOMALY, kClassHeartRate, to_score((heart_bpm_ - 100.0) / 60.0)));
  }
  if (fell_) events->push_back(make_event(SOTTO_EVENT_ANOMALY, kClassFall, 255));
}

MachineState SensorModel::machine_state() const {
  MachineState m;
  m.shaft_hz = shaft_hz_;
  m.nominal_rms_mg = nominal_rms_mg_;
  const double hour = static_cast<double>((sim_ms_ + kSimStartOfDayMs) % kDayMs) / kHourMs;
  m.load = hour >= 6.0 && hour < 22.0 ? 1.0 : 0.85;
  if (sim_ms_ >= fault_onset_ms_) {
    m.condition = static_cast<BearingCondition>(fault_condition_);
    m.severity = std::min(static_cast<double>(sim_ms_ - fault_onset_ms_) / kHourMs / 8.0, 1.0);
  }
  return m;
}

WearerState SensorModel::wearer_state() const {
  WearerState w;
  w.resting_bpm = resting_bpm_;
  w.activity = static_cast<Activity>(activity_);
  w.heart_anomaly = sim_ms_ < heart_anomaly_until_ms_;
  w.fall = fell_;
  return w;
}

uint16_t SensorModel::battery_mv() const {
  return kind_ == SiteKind::kIndustrial ? 0 : static_cast<uint16_t>(std::lround(battery_mv_));
}

sotto_event_t SensorModel::heartbeat() const {
  sotto_event_t event = make_event(SOTTO_EVENT_HEARTBEAT, 0, 0);
  if (kind_ == SiteKind::kAgri) {
    add_reading(&event, SOTTO_QUANTITY_TEMPERATURE_CENTI_C, temperature_c_ * 100.0);
    add_reading(&event, SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE, moisture_permille_);
  } else if (kind_ == SiteKind::kIndustrial) {
    add_reading(&event, SOTTO_QUANTITY_VIBRATION_RMS_MILLI_G, rms_mg_);
  }  // a wearable's heartbeat carries no readings: only decisions leave it
  return event;
}

}  // namespace sotto::gw::sim
