// Windows in, decisions out: a virtual device's model on the SDK's engine.
#include "on_device_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "file_bytes.h"
#include "sensor_windows.h"

namespace sotto::gw::sim {
namespace {

constexpr uint64_t kMinuteMs = 60'000;
constexpr uint64_t kHourMs = 60 * kMinuteMs;
constexpr uint64_t kIndustrialEveryMs = 10 * kMinuteMs;  // a bearing wears over hours
constexpr uint64_t kFaultRepeatMs = 2 * kHourMs;
constexpr uint64_t kHeartRepeatMs = 30 * kMinuteMs;
constexpr float kDecide = 0.5f;
constexpr float kRearm = 0.3f;
constexpr uint8_t kClassIrrigate = 1;
constexpr uint8_t kClassFrost = 3;
constexpr uint8_t kClassHeart = 1;
constexpr uint8_t kClassFall = 2;

size_t window_elements(SiteKind kind) {
  switch (kind) {
    case SiteKind::kIndustrial:
      return kVibrationWindow;
    case SiteKind::kAgri:
      return 2 * kAgriHistoryHours;
    case SiteKind::kWearable:
      return 2 * kWearableWindow;
  }
  return 0;
}

size_t output_elements(SiteKind kind) {
  return kind == SiteKind::kIndustrial ? kBearingConditions + 1 : 2;
}

size_t elements(const sotto_tensor_t &t) {
  return t.type == SOTTO_TENSOR_FLOAT32 ? t.bytes / 4 : t.bytes;
}

uint8_t to_score(float p) {
  return static_cast<uint8_t>(std::lround(std::clamp(p, 0.0f, 1.0f) * 255.0f));
}

sotto_event_t decision(sotto_event_kind_t kind, uint8_t class_id, float p) {
  sotto_event_t event{};
  event.kind = kind;
  event.class_id = class_id;
  event.score = to_score(p);
  return event;
}

void add_reading(sotto_event_t *event, sotto_quantity_t quantity, double value) {
  event->readings[event->reading_count++] = {quantity, static_cast<int32_t>(std::lround(value))};
}

}  // namespace

uint8_t device_class_of(SiteKind kind) {
  switch (kind) {
    case SiteKind::kAgri:
      return 1;
    case SiteKind::kIndustrial:
      return 2;
    case SiteKind::kWearable:
      return 3;
  }
  return 0;
}

FactoryModel load_factory_model(SiteKind kind, const std::string &path) {
  FactoryModel model;
  model.kind = kind;
  model.path = path;
  model.model_id = device_class_of(kind);
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  model.bytes = bytes.size();
  model.blob.assign((bytes.size() + 3) / 4, 0);
  std::memcpy(model.blob.data(), bytes.data(), bytes.size());
  return model;
}

OnDeviceModel::OnDeviceModel(SiteKind kind, uint64_t seed, void *arena, size_t arena_bytes,
                             bool record)
    : kind_(kind),
      random_(seed ^ 0x0de7ce5eedull),
      arena_(arena),
      arena_bytes_(arena_bytes),
      record_(record),
      window_(window_elements(kind)) {}

std::string OnDeviceModel::load(const uint8_t *blob, size_t bytes) {
  loaded_ = false;
  sotto_err_t err = sotto_model_open(&model_, blob, bytes);
  if (err != SOTTO_OK) return std::string("the engine refused it: ") + sotto_err_name(err);
  if (sotto_model_arena_bytes(&model_) > arena_bytes_) {
    return "it needs an arena of " + std::to_string(sotto_model_arena_bytes(&model_)) +
           " bytes; the device has " + std::to_string(arena_bytes_) + " (--arena-bytes)";
  }
  err = sotto_model_attach_arena(&model_, arena_, arena_bytes_);
  if (err != SOTTO_OK) return std::string("arena: ") + sotto_err_name(err);
  sotto_tensor_t in{}, out{};
  if (sotto_model_input_count(&model_) != 1 || sotto_model_output_count(&model_) != 1 ||
      sotto_model_input(&model_, 0, &in) != SOTTO_OK ||
      sotto_model_output(&model_, 0, &out) != SOTTO_OK) {
    return "a " + std::string(site_kind_name(kind_)) + " model has one input and one output";
  }
  if (elements(in) != window_elements(kind_) || elements(out) != output_elements(kind_)) {
    return "it takes " + std::to_string(elements(in)) + " values and gives " +
           std::to_string(elements(out)) + "; a " + site_kind_name(kind_) + " device has " +
           std::to_string(window_elements(kind_)) + " and decides on " +
           std::to_string(output_elements(kind_));
  }
  loaded_ = true;
  return {};
}

bool OnDeviceModel::window_due(const SensorModel &sensors) {
  now_ms_ = sensors.sim_ms();
  switch (kind_) {
    case SiteKind::kIndustrial:
      return now_ms_ % kIndustrialEveryMs == 0;
    case SiteKind::kAgri:
      // The history is hourly whether or not a model runs yet (dataset.h samples the same way).
      if (now_ms_ % kHourMs != 0) return false;
      moisture_.push_back(static_cast<float>(sensors.moisture_permille() / 1000.0));
      temperature_.push_back(static_cast<float>(sensors.temperature_c() / 10.0));
      if (moisture_.size() > kAgriHistoryHours) {
        moisture_.pop_front();
        temperature_.pop_front();
      }
      return moisture_.size() == kAgriHistoryHours;
    case SiteKind::kWearable:
      return true;
  }
  return false;
}

void OnDeviceModel::fill_window(const SensorModel &sensors) {
  switch (kind_) {
    case SiteKind::kIndustrial:
      vibration_window(sensors.machine_state(), &random_, window_.data());
      break;
    case SiteKind::kAgri:
      std::copy(moisture_.begin(), moisture_.end(), window_.begin());
      std::copy(temperature_.begin(), temperature_.end(), window_.begin() + kAgriHistoryHours);
      break;
    case SiteKind::kWearable:
      wearable_window(sensors.wearer_state(), &random_, window_.data(),
                      window_.data() + kWearableWindow);
      break;
  }
}

// The firmware's part: quantize the window into the input tensor (NHWC: channels last),
// invoke, dequantize the outputs. The same arithmetic as `sottoctl model run` on a .npy.
bool OnDeviceModel::infer() {
  sotto_tensor_t in{}, out{};
  sotto_model_input(&model_, 0, &in);
  const size_t n = window_.size();
  const size_t channels = in.rank >= 3 ? static_cast<size_t>(in.dims[in.rank - 1]) : 1;
  const size_t steps = n / channels;
  for (size_t i = 0; i < n; ++i) {
    const float v = window_[(i % channels) * steps + i / channels];  // [C, S] -> [S, C]
    if (in.type == SOTTO_TENSOR_INT8) {
      const float q = std::round(v / in.scale) + static_cast<float>(in.zero_point);
      static_cast<int8_t *>(in.data)[i] = static_cast<int8_t>(std::clamp(q, -128.0f, 127.0f));
    } else {
      static_cast<float *>(in.data)[i] = v;
    }
  }
  if (sotto_invoke(&model_) != SOTTO_OK) return false;
  sotto_model_output(&model_, 0, &out);
  outputs_.assign(elements(out), 0.0f);
  for (size_t i = 0; i < outputs_.size(); ++i) {
    outputs_[i] =
        out.type == SOTTO_TENSOR_INT8
            ? static_cast<float>(static_cast<const int8_t *>(out.data)[i] - out.zero_point) *
                  out.scale
            : static_cast<const float *>(out.data)[i];
  }
  inferences_ += 1;
  if (record_) records_.push_back({window_, outputs_});
  return true;
}

bool OnDeviceModel::decide(const SensorModel &sensors, std::vector<sotto_event_t> *events) {
  if (!loaded_) return false;
  events->erase(
      std::remove_if(events->begin(), events->end(),
                     [](const sotto_event_t &e) { return e.kind != SOTTO_EVENT_HEARTBEAT; }),
      events->end());
  if (!window_due(sensors)) return true;
  fill_window(sensors);
  if (!infer()) return true;  // an engine error decides nothing this window
  score_against_truth(sensors);
  if (kind_ == SiteKind::kIndustrial) decide_industrial(events);
  if (kind_ == SiteKind::kAgri) decide_agri(sensors, events);
  if (kind_ == SiteKind::kWearable) decide_wearable(events);
  return true;
}

void OnDeviceModel::score_against_truth(const SensorModel &sensors) {
  if (kind_ == SiteKind::kIndustrial) {
    const auto condition =
        std::max_element(outputs_.begin(), outputs_.begin() + kBearingConditions) -
        outputs_.begin();
    truth_.windows += 1;
    truth_.condition_correct +=
        condition == static_cast<long>(sensors.machine_state().condition) ? 1 : 0;
  } else if (kind_ == SiteKind::kWearable) {
    const WearerState wearer = sensors.wearer_state();
    truth_.windows += 1;
    truth_.heart_correct += (outputs_[0] >= kDecide) == wearer.heart_anomaly ? 1 : 0;
    truth_.fall_correct += (outputs_[1] >= kDecide) == wearer.fall ? 1 : 0;
  }
}

void OnDeviceModel::push(std::vector<sotto_event_t> *events, const sotto_event_t &event) {
  events->push_back(event);
  if (record_) {
    decision_log_.push_back(std::to_string(records_.size() - 1) + " " +
                            std::to_string(event.class_id) + " " + std::to_string(event.score));
  }
}

void OnDeviceModel::decide_industrial(std::vector<sotto_event_t> *events) {
  const int condition = static_cast<int>(
      std::max_element(outputs_.begin(), outputs_.begin() + kBearingConditions) - outputs_.begin());
  const bool changed = condition != last_condition_;
  last_condition_ = condition;
  if (condition == 0 || (!changed && now_ms_ < next_report_ms_)) return;
  next_report_ms_ = now_ms_ + kFaultRepeatMs;
  sotto_event_t event =
      decision(SOTTO_EVENT_ANOMALY, static_cast<uint8_t>(condition), outputs_[kBearingConditions]);
  double sum = 0;
  for (float g : window_) sum += static_cast<double>(g) * g;
  add_reading(&event, SOTTO_QUANTITY_VIBRATION_RMS_MILLI_G,
              std::sqrt(sum / static_cast<double>(window_.size())) * 1000.0);
  push(events, event);
}

void OnDeviceModel::decide_agri(const SensorModel &sensors, std::vector<sotto_event_t> *events) {
  const auto fire = [&](float p, bool *armed, uint8_t class_id) {
    if (*armed && p >= kDecide) {
      *armed = false;
      sotto_event_t event = decision(SOTTO_EVENT_CLASSIFICATION, class_id, p);
      add_reading(&event, SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE, sensors.moisture_permille());
      add_reading(&event, SOTTO_QUANTITY_TEMPERATURE_CENTI_C, sensors.temperature_c() * 100.0);
      push(events, event);
    } else if (!*armed && p < kRearm) {
      *armed = true;
    }
  };
  fire(outputs_[0], &irrigation_armed_, kClassIrrigate);
  fire(outputs_[1], &frost_armed_, kClassFrost);
}

void OnDeviceModel::decide_wearable(std::vector<sotto_event_t> *events) {
  if (outputs_[0] >= kDecide && now_ms_ >= next_report_ms_) {
    next_report_ms_ = now_ms_ + kHeartRepeatMs;
    push(events, decision(SOTTO_EVENT_ANOMALY, kClassHeart, outputs_[0]));
  }
  if (outputs_[1] >= kDecide) push(events, decision(SOTTO_EVENT_ANOMALY, kClassFall, outputs_[1]));
}

}  // namespace sotto::gw::sim
