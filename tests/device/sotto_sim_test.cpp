// sotto-sim end to end against a real mosquitto: exact event counts with Health first per boot,
// clean SIGTERM shutdown with a summary, clear errors for bad flags and a missing broker, and
// devices deciding with their model (the same outputs as `sottoctl model run`) or by rules.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "broker.h"
#include "file_bytes.h"
#include "npy.h"
#include "process.h"
#include "sotto/messages.h"
#include "sotto/port_host.h"

#ifndef SOTTO_MOSQUITTO
#error "SOTTO_MOSQUITTO must name the mosquitto binary"
#endif
#ifndef SOTTO_SIM_BINARY
#error "SOTTO_SIM_BINARY must name the sotto-sim binary"
#endif

namespace {

using namespace std::chrono_literals;
using sotto::test::Process;

bool wait_until(const std::function<bool()> &condition) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

std::vector<std::string> split(const std::string &text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) {
    parts.push_back(part);
  }
  return parts;
}

struct DeviceTraffic {
  std::vector<std::string> kinds;  // "health" or "event", in arrival order
  std::vector<uint32_t> event_seqs;
  std::vector<sotto_event_t> events;
  std::set<uint16_t> health_model_ids;
  std::set<uint32_t> health_boot_ids;
};

// A broker plus a subscriber that sees every device message.
class SimFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = sotto::test::make_temp_dir("sotto-sim");
    port_ = sotto::test::free_loopback_port();
    std::ofstream config(dir_ + "/mosquitto.conf");
    config << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\n"
           << "max_queued_messages 0\nmax_inflight_messages 0\npersistence false\n"
           << sotto::test::run_as_invoking_user_line();
    config.close();
    broker_ = std::make_unique<Process>(SOTTO_MOSQUITTO,
                                        std::vector<std::string>{"-c", dir_ + "/mosquitto.conf"},
                                        dir_ + "/mosquitto.log");
    ASSERT_TRUE(sotto::test::wait_for_port(port_, 30s));
    sotto_host_transport_config_t listener{};
    url_storage_ = url();
    listener.broker_url = url_storage_.c_str();
    listener.client_id = "sim-test-listener";
    listener.incoming_max = 1000000;
    ASSERT_EQ(sotto_host_transport_create(&listener, &listener_), SOTTO_OK);
    ASSERT_EQ(sotto_host_transport_connect(listener_, 30000), SOTTO_OK)
        << sotto_host_transport_last_error(listener_) << "\nmosquitto log:\n"
        << sotto::test::read_file(dir_ + "/mosquitto.log");
    sotto_transport_port_t port = sotto_host_transport_port(listener_);
    ASSERT_EQ(port.subscribe(port.ctx, "sotto/v1/#"), SOTTO_OK);
  }

  void TearDown() override {
    sotto_host_transport_destroy(listener_);
    if (broker_) {
      broker_->signal(SIGTERM);
      broker_->wait(20s);
    }
  }

  std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

  std::unique_ptr<Process> start_sim(std::vector<std::string> args) {
    std::string log = dir_ + "/sim-" + std::to_string(++sim_runs_) + ".log";
    return std::make_unique<Process>(SOTTO_SIM_BINARY, std::move(args), log);
  }

  // Takes what arrived so far into traffic_ (per device id).
  void collect() {
    sotto_host_transport_take_incoming(
        listener_,
        [](void *ctx, const char *topic, const uint8_t *payload, size_t len) {
          auto *traffic = static_cast<std::map<std::string, DeviceTraffic> *>(ctx);
          std::vector<std::string> parts = split(topic, '/');
          ASSERT_EQ(parts.size(), 5u) << topic;
          ASSERT_EQ(parts[0] + "/" + parts[1], "sotto/v1") << topic;
          ASSERT_TRUE(parts[4] == "event" || parts[4] == "health") << topic;
          DeviceTraffic &device = (*traffic)[parts[3]];
          device.kinds.push_back(parts[4]);
          if (parts[4] == "event") {
            sotto_event_t event{};
            ASSERT_EQ(sotto_event_decode(payload, len, &event), SOTTO_OK);
            device.event_seqs.push_back(event.seq);
            device.events.push_back(event);
          } else {
            sotto_health_t health{};
            ASSERT_EQ(sotto_health_decode(payload, len, &health), SOTTO_OK);
            device.health_boot_ids.insert(health.boot_id);
            device.health_model_ids.insert(health.model_id);
          }
        },
        &traffic_);
  }

  size_t events_seen() const {
    size_t total = 0;
    for (const auto &[id, device] : traffic_) {
      total += device.event_seqs.size();
    }
    return total;
  }

  // Per device: {boot_id, emitted, delivered, dropped, queued} from --summary-json.
  std::map<std::string, std::vector<uint64_t>> read_summary(const std::string &path) {
    // sotto-sim writes one device object per line.
    std::map<std::string, std::vector<uint64_t>> out;
    for (const std::string &line : split(sotto::test::read_file(path), '\n')) {
      const std::string device_key = "{\"device\": \"";
      auto start = line.find(device_key);
      if (start == std::string::npos) {
        continue;
      }
      start += device_key.size();
      std::string id = line.substr(start, line.find('"', start) - start);
      std::vector<uint64_t> values;
      for (const char *key : {"boot_id", "emitted", "delivered", "dropped", "queued"}) {
        std::string quoted = std::string("\"") + key + "\": ";
        auto at = line.find(quoted);
        EXPECT_NE(at, std::string::npos) << key << " missing in " << line;
        values.push_back(at == std::string::npos ? 0
                                                 : std::stoull(line.substr(at + quoted.size())));
      }
      out[id] = values;
    }
    return out;
  }

  void expect_exact_delivery(const std::string &transport, int devices, int events);

  std::string dir_;
  int port_ = 0;
  int sim_runs_ = 0;
  std::string url_storage_;
  std::unique_ptr<Process> broker_;
  sotto_host_transport_t *listener_ = nullptr;
  std::map<std::string, DeviceTraffic> traffic_;
};

// Runs DEVICES devices on two sites, each emitting EVENTS events, over the given transport, and
// checks what the broker saw: per device exactly its events, in sequence order, after one
// Health of its boot, and the summary's counts agree.
void SimFixture::expect_exact_delivery(const std::string &transport, int devices, int events) {
  const std::string summary = dir_ + "/summary.json";
  auto sim = start_sim({"--devices", std::to_string(devices), "--sites",
                        "farm-a:agri,plant-b:industrial", "--events-per-device",
                        std::to_string(events), "--duration", "120", "--seed", "7", "--broker",
                        url(), "--transport", transport, "--summary-json", summary, "--quiet"});
  ASSERT_EQ(sim->wait(150s), 0) << sotto::test::read_file(sim->log_path());
  const size_t expected = static_cast<size_t>(devices) * static_cast<size_t>(events);
  ASSERT_TRUE(wait_until([&] {
    collect();
    return events_seen() >= expected;
  })) << "events seen: "
      << events_seen();
  std::this_thread::sleep_for(200ms);  // anything extra (a duplicate) would arrive by now
  collect();

  auto rows = read_summary(summary);
  ASSERT_EQ(rows.size(), static_cast<size_t>(devices));
  ASSERT_EQ(traffic_.size(), static_cast<size_t>(devices));
  const auto per_device = static_cast<uint64_t>(events);
  for (const auto &[id, device] : traffic_) {
    ASSERT_EQ(rows.count(id), 1u) << id;
    const auto &row = rows[id];
    EXPECT_EQ(row[1], per_device) << id;  // emitted
    EXPECT_EQ(row[2], per_device) << id;  // delivered
    EXPECT_EQ(row[3], 0u) << id;          // dropped
    EXPECT_EQ(row[4], 0u) << id;          // queued
    EXPECT_EQ(device.kinds.front(), "health") << id;
    EXPECT_EQ(device.health_boot_ids, std::set<uint32_t>{static_cast<uint32_t>(row[0])}) << id;
    ASSERT_EQ(device.event_seqs.size(), per_device) << id;
    for (uint32_t i = 0; i < per_device; ++i) {
      EXPECT_EQ(device.event_seqs[i], i) << id;
    }
  }
  std::string json = sotto::test::read_file(summary);
  const std::string total = std::to_string(expected);
  EXPECT_NE(json.find("\"totals\": {\"devices\": " + std::to_string(devices) + ", \"emitted\": " +
                      total + ", \"delivered\": " + total + ", \"dropped\": 0, \"queued\": 0}"),
            std::string::npos)
      << json;
}

TEST_F(SimFixture, DeliversExactlyTheRequestedEventsWithHealthFirst) {
  expect_exact_delivery("paho", 6, 40);
}

// The storm transport (every device's connection on one event loop) keeps the same contract.
TEST_F(SimFixture, SharedTransportDeliversExactlyTheRequestedEventsWithHealthFirst) {
  expect_exact_delivery("shared", 40, 25);
}

TEST_F(SimFixture, SigtermStopsEmittingDrainsAndWritesTheSummary) {
  const std::string summary = dir_ + "/summary.json";
  auto sim = start_sim({"--devices", "4", "--duration", "600", "--time-scale", "20000", "--broker",
                        url(), "--summary-json", summary, "--quiet"});
  ASSERT_TRUE(wait_until([&] {
    collect();
    return events_seen() >= 4;
  }));
  sim->signal(SIGTERM);
  ASSERT_EQ(sim->wait(60s), 0) << sotto::test::read_file(sim->log_path());
  std::string json = sotto::test::read_file(summary);
  EXPECT_NE(json.find("\"interrupted\": true"), std::string::npos) << json;
  EXPECT_NE(json.find("\"complete\": true"), std::string::npos) << json;

  auto rows = read_summary(summary);
  ASSERT_EQ(rows.size(), 4u);
  uint64_t delivered = 0;
  for (const auto &[id, row] : rows) {
    EXPECT_EQ(row[2], row[1]) << id;  // everything emitted was delivered
    EXPECT_EQ(row[4], 0u) << id;
    delivered += row[2];
  }
  ASSERT_TRUE(wait_until([&] {
    collect();
    return events_seen() >= delivered;
  }));
  std::this_thread::sleep_for(200ms);
  collect();
  EXPECT_EQ(events_seen(), delivered);
}

TEST_F(SimFixture, BadFlagsAndAMissingBrokerAreClearErrors) {
  auto bad_flag = start_sim({"--devices", "0"});
  EXPECT_EQ(bad_flag->wait(30s), 2);
  EXPECT_NE(sotto::test::read_file(bad_flag->log_path()).find("--devices: expected an integer"),
            std::string::npos);

  auto bad_site = start_sim({"--sites", "Farm:agri", "--broker", url()});
  EXPECT_EQ(bad_site->wait(30s), 2);

  int unused = sotto::test::free_loopback_port();
  auto no_broker =
      start_sim({"--devices", "2", "--broker", "tcp://127.0.0.1:" + std::to_string(unused)});
  EXPECT_EQ(no_broker->wait(60s), 1);
  EXPECT_NE(sotto::test::read_file(no_broker->log_path()).find("cannot reach broker"),
            std::string::npos)
      << sotto::test::read_file(no_broker->log_path());
  auto shared_no_broker = start_sim({"--devices", "2", "--transport", "shared", "--broker",
                                     "tcp://127.0.0.1:" + std::to_string(unused)});
  EXPECT_EQ(shared_no_broker->wait(60s), 1);
  EXPECT_NE(sotto::test::read_file(shared_no_broker->log_path())
                .find("cannot reach broker tcp://127.0.0.1:" + std::to_string(unused) +
                      ": cannot connect to the broker: Connection refused"),
            std::string::npos)
      << sotto::test::read_file(shared_no_broker->log_path());

  auto shared_over_tls =
      start_sim({"--transport", "shared", "--broker", "ssl://127.0.0.1:8883", "--pki", dir_});
  EXPECT_EQ(shared_over_tls->wait(30s), 2);
  EXPECT_NE(sotto::test::read_file(shared_over_tls->log_path())
                .find("--transport shared: plain tcp:// brokers and no --fleet-key only"),
            std::string::npos)
      << sotto::test::read_file(shared_over_tls->log_path());
}

// The value of "key": N in a summary line, or -1 when it is missing.
long long summary_number(const std::string &line, const std::string &key) {
  const std::string quoted = "\"" + key + "\": ";
  const auto at = line.find(quoted);
  return at == std::string::npos ? -1 : std::stoll(line.substr(at + quoted.size()));
}

// Wearables with a model (the pipeline test's trained one) decide with it; the farm, with no
// agri model, keeps its rules. For every wearable, `sottoctl model run` on the windows the
// device recorded gives byte for byte the outputs the device computed, and the events on the
// broker are exactly the decisions taken from those outputs.
TEST_F(SimFixture, DevicesWithAModelDecideWithItAndTheOthersByRules) {
  const std::string models = SOTTO_PIPELINE_MODELS;
  const std::string record = dir_ + "/inference";
  ASSERT_EQ(::mkdir(record.c_str(), 0755), 0);
  const std::string summary = dir_ + "/summary.json";
  auto sim = start_sim({"--devices", "4", "--sites", "ward:wearable,farm:agri", "--model",
                        "wearable=" + models + "/wearable.smdl", "--duration", "3", "--time-scale",
                        "20000", "--seed", "11", "--broker", url(), "--record-inference", record,
                        "--summary-json", summary, "--quiet"});
  ASSERT_EQ(sim->wait(120s), 0) << sotto::test::read_file(sim->log_path());
  uint64_t delivered = 0;
  std::map<std::string, std::string> lines;  // device -> its summary line
  for (const std::string &line : split(sotto::test::read_file(summary), '\n')) {
    const auto at = line.find("{\"device\": \"");
    if (at == std::string::npos) continue;
    const auto start = at + 12;
    lines[line.substr(start, line.find('"', start) - start)] = line;
    delivered += static_cast<uint64_t>(summary_number(line, "delivered"));
  }
  ASSERT_EQ(lines.size(), 4u);
  ASSERT_TRUE(wait_until([&] {
    collect();
    return events_seen() >= delivered;
  })) << events_seen()
      << " of " << delivered;

  size_t decisions = 0;
  for (const std::string id : {"ward-001", "ward-002"}) {
    SCOPED_TRACE(id);
    const std::string &line = lines[id];
    EXPECT_NE(line.find("\"decides_by\": \"model\""), std::string::npos) << line;
    EXPECT_EQ(summary_number(line, "model_id"), 3);
    const DeviceTraffic &device = traffic_[id];
    EXPECT_EQ(device.health_model_ids, std::set<uint16_t>{3});
    const std::string stem = record + "/" + id;
    const auto outputs = sotto::gw::read_npy(stem + "_y.npy");
    ASSERT_EQ(outputs.shape.size(), 2u);
    EXPECT_EQ(outputs.shape[1], 2);
    EXPECT_EQ(summary_number(line, "inferences"), outputs.shape[0]);
    EXPECT_GT(outputs.shape[0], 500);  // one window per simulated minute

    // The host tool on the same windows: the same bytes.
    Process run(SOTTO_SOTTOCTL_BINARY,
                {"model", "run", models + "/wearable.smdl", "--layout", "nchw", "--input",
                 stem + "_x.npy", "--output", stem + "_host.npy"},
                dir_ + "/sottoctl.log");
    ASSERT_EQ(run.wait(60s), 0) << sotto::test::read_file(dir_ + "/sottoctl.log");
    EXPECT_EQ(sotto::gw::read_file_bytes(stem + "_host.npy"),
              sotto::gw::read_file_bytes(stem + "_y.npy"));

    // The broker saw exactly the decisions, each with the score of its output.
    std::vector<std::string> sent;
    for (const sotto_event_t &event : device.events) {
      if (event.kind == SOTTO_EVENT_HEARTBEAT) continue;
      EXPECT_EQ(event.kind, SOTTO_EVENT_ANOMALY);
      EXPECT_EQ(event.reading_count, 0);  // only decisions leave a wearable
      sent.push_back(std::to_string(event.class_id) + " " + std::to_string(event.score));
    }
    std::vector<std::string> decided;
    for (const std::string &decision :
         split(sotto::test::read_file(stem + "_decisions.txt"), '\n')) {
      const auto parts = split(decision, ' ');
      ASSERT_EQ(parts.size(), 3u) << decision;
      const size_t window = std::stoul(parts[0]);
      ASSERT_LT(window, static_cast<size_t>(outputs.shape[0]));
      const size_t output = parts[1] == "2" ? 1 : 0;  // class 1 heart rate, 2 fall
      const float p = outputs.values[window * 2 + output];
      EXPECT_GE(p, 0.5f) << decision;
      EXPECT_EQ(std::stoi(parts[2]), std::lround(std::min(p, 1.0f) * 255.0f)) << decision;
      decided.push_back(parts[1] + " " + parts[2]);
    }
    EXPECT_EQ(sent, decided);
    decisions += decided.size();
  }
  // Seed 11 gives ward-001 a heart-rate episode in its first 300 simulated minutes: a test in
  // which no model decided anything would prove nothing.
  EXPECT_GT(decisions, 0u);
  for (const std::string id : {"farm-001", "farm-002"}) {
    SCOPED_TRACE(id);
    const std::string &line = lines[id];
    EXPECT_NE(line.find("\"decides_by\": \"rules\""), std::string::npos) << line;
    EXPECT_EQ(summary_number(line, "inferences"), 0);
    EXPECT_EQ(traffic_[id].health_model_ids, std::set<uint16_t>{0});
    EXPECT_FALSE(std::ifstream(record + "/" + id + "_x.npy").good());
    size_t thresholds = 0;
    for (const sotto_event_t &event : traffic_[id].events) {
      EXPECT_NE(event.kind, SOTTO_EVENT_CLASSIFICATION);  // a farm model's kind
      thresholds += event.kind == SOTTO_EVENT_THRESHOLD ? 1 : 0;
    }
    EXPECT_GT(thresholds, 0u);  // 16 simulated hours: soil and frost rules fire
  }
}

TEST_F(SimFixture, AModelThatDoesNotFitTheSensorsIsRefusedByName) {
  const std::string models = SOTTO_PIPELINE_MODELS;
  const std::string summary = dir_ + "/summary.json";
  auto sim = start_sim({"--devices", "1", "--sites", "farm:agri", "--model",
                        "agri=" + models + "/wearable.smdl", "--duration", "1", "--broker", url(),
                        "--summary-json", summary, "--quiet"});
  ASSERT_EQ(sim->wait(60s), 0) << sotto::test::read_file(sim->log_path());
  const std::string log = sotto::test::read_file(sim->log_path());
  EXPECT_NE(log.find("farm-001 refused " + models +
                     "/wearable.smdl: it takes 128 values and gives 2; a agri device has 48 "
                     "and decides on 2"),
            std::string::npos)
      << log;
  EXPECT_NE(sotto::test::read_file(summary).find("\"decides_by\": \"rules\""), std::string::npos);

  auto bad = start_sim({"--model", "orchard=x.smdl", "--broker", url()});
  EXPECT_EQ(bad->wait(30s), 2);
  EXPECT_NE(sotto::test::read_file(bad->log_path())
                .find("--model: site kind 'orchard'; expected agri, industrial or wearable"),
            std::string::npos);
}

}  // namespace
