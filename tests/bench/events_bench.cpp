// Writes build/bench/events.json: each uplink message's encoded size (worst case and a typical
// one) next to the same content as SenML JSON (RFC 8428), the usual alternative on LPWAN links.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "sotto/messages.h"

namespace {

struct Sample {
  std::string message;
  std::string variant;
  size_t protobuf_bytes;
  std::string senml;
};

const char *senml_unit(sotto_quantity_t quantity) {
  switch (quantity) {
    case SOTTO_QUANTITY_TEMPERATURE_CENTI_C:
      return "Cel";
    case SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE:
      return "/";
    case SOTTO_QUANTITY_VIBRATION_RMS_MILLI_G:
      return "m/s2";
    case SOTTO_QUANTITY_RELATIVE_HUMIDITY_PERMILLE:
      return "%RH";
    case SOTTO_QUANTITY_ZONE:
      return "";
  }
  return "";
}

double senml_value(const sotto_reading_t &reading) {
  switch (reading.quantity) {
    case SOTTO_QUANTITY_TEMPERATURE_CENTI_C:
      return reading.value / 100.0;
    case SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE:
      return reading.value / 1000.0;
    case SOTTO_QUANTITY_VIBRATION_RMS_MILLI_G:
      return reading.value * 9.80665 / 1000.0;
    case SOTTO_QUANTITY_RELATIVE_HUMIDITY_PERMILLE:
      return reading.value / 10.0;
    case SOTTO_QUANTITY_ZONE:
      return reading.value;
  }
  return reading.value;
}

std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

// SenML carries the same facts: base name = the device, one record per field.
std::string event_as_senml(const sotto_event_t &event) {
  static const char *kKinds[] = {"", "anomaly", "classification", "threshold", "heartbeat"};
  std::string out = "[{\"bn\":\"urn:dev:sotto:farm-north:soil-017:\",\"n\":\"kind\",\"vs\":\"";
  out += kKinds[event.kind];
  out += "\"},{\"n\":\"class\",\"v\":" + number(event.class_id) + "}";
  out += ",{\"n\":\"score\",\"v\":" + number(event.score / 255.0) + "}";
  out += ",{\"n\":\"seq\",\"v\":" + number(event.seq) + "}";
  out += ",{\"n\":\"uptime\",\"u\":\"s\",\"v\":" + number(event.uptime_s) + "}";
  for (int i = 0; i < event.reading_count; ++i) {
    out += ",{\"n\":\"reading" + std::to_string(i) + "\",\"u\":\"" +
           senml_unit(event.readings[i].quantity) +
           "\",\"v\":" + number(senml_value(event.readings[i])) + "}";
  }
  return out + "]";
}

std::string health_as_senml(const sotto_health_t &health) {
  std::string out = "[{\"bn\":\"urn:dev:sotto:farm-north:soil-017:\",\"n\":\"boot\",\"v\":" +
                    number(health.boot_id) + "}";
  out += ",{\"n\":\"uptime\",\"u\":\"s\",\"v\":" + number(health.uptime_s) + "}";
  out += ",{\"n\":\"battery\",\"u\":\"V\",\"v\":" + number(health.battery_mv / 1000.0) + "}";
  out += ",{\"n\":\"model\",\"v\":" + number(health.model_id) + "}";
  out += ",{\"n\":\"model_version\",\"v\":" + number(health.model_version) + "}";
  out += ",{\"n\":\"sdk\",\"v\":" + number(health.sdk_version) + "}";
  out += ",{\"n\":\"dropped\",\"v\":" + number(health.events_dropped) + "}";
  out += ",{\"n\":\"queued\",\"v\":" + number(health.events_queued) + "}";
  out += ",{\"n\":\"tag\",\"v\":" + number(health.device_tag) + "}";
  out += ",{\"n\":\"class\",\"v\":" + number(health.device_class) + "}]";
  return out;
}

size_t encoded(const sotto_event_t &event) {
  uint8_t buffer[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t length = 0;
  if (sotto_event_encode(&event, buffer, sizeof buffer, &length) != SOTTO_OK) std::abort();
  return length;
}

size_t encoded(const sotto_health_t &health) {
  uint8_t buffer[SOTTO_HEALTH_MAX_ENCODED_BYTES];
  size_t length = 0;
  if (sotto_health_encode(&health, buffer, sizeof buffer, &length) != SOTTO_OK) std::abort();
  return length;
}

std::string json_string(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT.json\n", argv[0]);
    return 2;
  }
  std::vector<Sample> samples;

  sotto_event_t core = {};
  core.kind = SOTTO_EVENT_HEARTBEAT;
  core.class_id = 255;
  core.score = 255;
  core.seq = 0xffffff;
  core.uptime_s = 0xffffff;
  samples.push_back({"event_core", "worst case", encoded(core), event_as_senml(core)});

  sotto_event_t full = core;
  full.reading_count = 3;
  for (auto &reading : full.readings) reading = {SOTTO_QUANTITY_ZONE, INT32_MIN};
  samples.push_back({"event", "worst case", encoded(full), event_as_senml(full)});

  sotto_event_t typical = {};
  typical.kind = SOTTO_EVENT_THRESHOLD;
  typical.class_id = 2;
  typical.score = 232;
  typical.seq = 1234;
  typical.uptime_s = 86400 * 3 + 5040;
  typical.reading_count = 1;
  typical.readings[0] = {SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE, 182};
  samples.push_back(
      {"event", "typical (threshold + one reading)", encoded(typical), event_as_senml(typical)});

  sotto_health_t health = {UINT32_MAX, UINT32_MAX, UINT16_MAX, UINT16_MAX, UINT32_MAX,
                           UINT32_MAX, UINT32_MAX, UINT16_MAX, UINT32_MAX, UINT8_MAX};
  samples.push_back({"health", "worst case", encoded(health), health_as_senml(health)});

  sotto_health_t typical_health = {0x5eed1234u, 259200, 3612, 3, 7, 100, 0, 2, 0xcbf43926u, 4};
  samples.push_back(
      {"health", "typical", encoded(typical_health), health_as_senml(typical_health)});

  std::ofstream out(argv[1]);
  out << "{\n  \"unit\": \"bytes\",\n  \"budgets\": {\"us915_dr0\": 11, \"eu868_dr0\": 51},\n  "
         "\"messages\": [\n";
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample &s = samples[i];
    out << "    {\"message\": " << json_string(s.message)
        << ", \"variant\": " << json_string(s.variant)
        << ", \"protobuf_bytes\": " << s.protobuf_bytes
        << ", \"senml_json_bytes\": " << s.senml.size() << ", \"senml_over_protobuf\": "
        << number(static_cast<double>(s.senml.size()) / static_cast<double>(s.protobuf_bytes))
        << ", \"senml\": " << json_string(s.senml) << "}" << (i + 1 < samples.size() ? "," : "")
        << "\n";
  }
  out << "  ]\n}\n";
  return out ? 0 : 1;
}
