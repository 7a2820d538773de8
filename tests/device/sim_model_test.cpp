// sotto-sim's building blocks: deterministic signals per seed, hysteresis, the rules' events,
// and flag parsing errors that name the flag.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "dataset.h"
#include "options.h"
#include "sensor_model.h"
#include "sensor_windows.h"

namespace sotto::gw::sim {
namespace {

std::vector<sotto_event_t> run_model(SiteKind kind, uint64_t seed, int hours) {
  SensorModel model(kind, seed);
  std::vector<sotto_event_t> events;
  for (int minute = 0; minute < hours * 60; ++minute) {
    model.step(&events);
  }
  return events;
}

bool same_events(const std::vector<sotto_event_t> &a, const std::vector<sotto_event_t> &b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].kind != b[i].kind || a[i].class_id != b[i].class_id || a[i].score != b[i].score ||
        a[i].reading_count != b[i].reading_count ||
        (a[i].reading_count > 0 && a[i].readings[0].value != b[i].readings[0].value)) {
      return false;
    }
  }
  return true;
}

TEST(SimModel, SameSeedGivesTheSameEventsAndAnotherSeedDoesNot) {
  for (SiteKind kind : {SiteKind::kAgri, SiteKind::kIndustrial}) {
    auto first = run_model(kind, 42, 48);
    auto again = run_model(kind, 42, 48);
    EXPECT_TRUE(same_events(first, again));
    bool any_difference = false;
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      any_difference = any_difference || !same_events(first, run_model(kind, seed, 48));
    }
    EXPECT_TRUE(any_difference);
  }
}

TEST(SimModel, HeartbeatsEverySixHoursAfterAStaggeredStart) {
  auto events = run_model(SiteKind::kAgri, 3, 48);
  int heartbeats = 0;
  for (const auto &event : events) {
    heartbeats += event.kind == SOTTO_EVENT_HEARTBEAT;
  }
  // First heartbeat within 0.5..6 h, then every 6 h: 8 in two days.
  EXPECT_EQ(heartbeats, 8);
}

TEST(SimModel, FarmsReportThresholdsAndFaultyMachinesReportAnomalies) {
  int thresholds = 0;
  int anomalies = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    for (const auto &event : run_model(SiteKind::kAgri, seed, 48)) {
      EXPECT_NE(event.kind, SOTTO_EVENT_ANOMALY);
      thresholds += event.kind == SOTTO_EVENT_THRESHOLD;
    }
    for (const auto &event : run_model(SiteKind::kIndustrial, seed, 48)) {
      EXPECT_NE(event.kind, SOTTO_EVENT_THRESHOLD);
      if (event.kind == SOTTO_EVENT_ANOMALY) {
        anomalies += 1;
        EXPECT_GE(event.score, 140);
        ASSERT_EQ(event.reading_count, 1);
        EXPECT_EQ(event.readings[0].quantity, SOTTO_QUANTITY_VIBRATION_RMS_MILLI_G);
      }
    }
  }
  EXPECT_GT(thresholds, 0);
  EXPECT_GT(anomalies, 0);
}

TEST(SimModel, WearablesReportFastRestingHeartsAndFallsWithoutAnyReading) {
  int heart = 0, falls = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SensorModel model(SiteKind::kWearable, seed);
    std::vector<sotto_event_t> events;
    for (int minute = 0; minute < 20 * 24 * 60; ++minute) model.step(&events);
    EXPECT_GT(model.battery_mv(), 2800);
    for (const auto &event : events) {
      EXPECT_EQ(event.reading_count, 0);  // only decisions leave a wearable
      if (event.kind != SOTTO_EVENT_ANOMALY) continue;
      heart += event.class_id == 1;
      falls += event.class_id == 2;
    }
  }
  EXPECT_GT(heart, 0);
  EXPECT_GT(falls, 0);
}

TEST(SimModel, SiteKindsParseByName) {
  EXPECT_EQ(parse_site_kind("wearable"), SiteKind::kWearable);
  EXPECT_STREQ(site_kind_name(SiteKind::kAgri), "agri");
  try {
    parse_site_kind("orchard");
    FAIL() << "accepted 'orchard'";
  } catch (const std::invalid_argument &e) {
    EXPECT_STREQ(e.what(), "site kind 'orchard'; expected agri, industrial or wearable");
  }
}

double rms(const std::vector<float> &v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  return std::sqrt(sum / static_cast<double>(v.size()));
}

TEST(SensorWindows, BearingFaultsAddVibrationThatGrowsWithSeverity) {
  MachineState state;
  state.condition = BearingCondition::kOuterRace;
  std::vector<float> window(kVibrationWindow);
  std::vector<double> levels;
  for (double severity : {0.0, 0.3, 1.0}) {
    state.severity = severity;
    double total = 0;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      Random random(seed);
      vibration_window(state, &random, window.data());
      total += rms(window);
    }
    levels.push_back(total);
  }
  EXPECT_LT(levels[0], levels[1]);
  EXPECT_LT(levels[1], levels[2]);
  state.condition = BearingCondition::kNormal;
  state.severity = 0;
  Random a(7), b(7);
  std::vector<float> again(kVibrationWindow);
  vibration_window(state, &a, window.data());
  vibration_window(state, &b, again.data());
  EXPECT_EQ(window, again);
}

TEST(Dataset, SameSeedGivesTheSameSetsAndHeldOutWindowsNeverAppearInTraining) {
  for (SiteKind kind : {SiteKind::kIndustrial, SiteKind::kAgri, SiteKind::kWearable}) {
    const Dataset train = make_dataset(kind, 1, Split::kTrain, 200);
    const Dataset again = make_dataset(kind, 1, Split::kTrain, 200);
    const Dataset held = make_dataset(kind, 1, Split::kHeldOut, 100);
    EXPECT_EQ(train.x, again.x);
    EXPECT_EQ(train.y, again.y);
    ASSERT_EQ(train.x_shape[0], 200);
    ASSERT_EQ(held.y_shape, (std::vector<int64_t>{100, 2}));
    const size_t per = train.x.size() / 200;
    ASSERT_EQ(held.x.size(), 100 * per);
    std::set<std::vector<float>> seen;
    for (size_t i = 0; i < 200; ++i) {
      seen.emplace(train.x.begin() + static_cast<long>(i * per),
                   train.x.begin() + static_cast<long>((i + 1) * per));
    }
    for (size_t i = 0; i < 100; ++i) {
      EXPECT_EQ(seen.count(std::vector<float>(held.x.begin() + static_cast<long>(i * per),
                                              held.x.begin() + static_cast<long>((i + 1) * per))),
                0u);
    }
  }
  const Dataset machines = make_dataset(SiteKind::kIndustrial, 1, Split::kTrain, 200);
  int per_condition[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < 200; ++i) {
    const auto condition = static_cast<int>(machines.y[2 * i]);
    ++per_condition[condition];
    EXPECT_EQ(machines.y[2 * i + 1] == 0.0f, condition == 0);  // severity 0 only when healthy
  }
  EXPECT_EQ(per_condition[0], 50);
  EXPECT_EQ(per_condition[3], 50);
}

TEST(SimModel, HysteresisFiresOncePerCrossing) {
  Hysteresis falling(200, 230);
  std::vector<double> values = {250, 199, 150, 210, 199, 240, 180};
  std::vector<bool> fired;
  fired.reserve(values.size());
  for (double value : values) {
    fired.push_back(falling.update(value));
  }
  EXPECT_EQ(fired, (std::vector<bool>{false, true, false, false, false, false, true}));
  Hysteresis rising(140, 80);
  EXPECT_FALSE(rising.update(100));
  EXPECT_TRUE(rising.update(140));
  EXPECT_FALSE(rising.update(200));
  EXPECT_FALSE(rising.update(90));
  EXPECT_FALSE(rising.update(150));  // not re-armed: 90 is above 80
  EXPECT_FALSE(rising.update(80));
  EXPECT_TRUE(rising.update(141));
}

std::string parse_error(std::vector<std::string> args) {
  std::vector<char *> argv = {const_cast<char *>("sotto-sim")};
  for (auto &arg : args) {
    argv.push_back(arg.data());
  }
  try {
    parse_options(static_cast<int>(argv.size()), argv.data());
  } catch (const std::invalid_argument &error) {
    return error.what();
  }
  return "";
}

TEST(SimOptions, ParsesTheDocumentedFlags) {
  std::vector<std::string> args = {"--devices",
                                   "12",
                                   "--sites",
                                   "farm-a:agri,plant-b:industrial",
                                   "--seed=9",
                                   "--events-per-device",
                                   "5",
                                   "--queue-events",
                                   "8",
                                   "--broker",
                                   "tcp://127.0.0.1:1884",
                                   "--quiet"};
  std::vector<char *> argv = {const_cast<char *>("sotto-sim")};
  for (auto &arg : args) {
    argv.push_back(arg.data());
  }
  Options options = parse_options(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(options.devices, 12);
  ASSERT_EQ(options.sites.size(), 2u);
  EXPECT_EQ(options.sites[1].name, "plant-b");
  EXPECT_EQ(options.sites[1].kind, SiteKind::kIndustrial);
  EXPECT_EQ(options.seed, 9u);
  EXPECT_EQ(options.events_per_device, 5);
  EXPECT_EQ(options.queue_events, 8u);
  EXPECT_EQ(options.broker_url, "tcp://127.0.0.1:1884");
  EXPECT_TRUE(options.quiet);
}

TEST(SimOptions, ParsesTheStormFlags) {
  std::vector<std::string> args = {
      "--events-per-device", "64",   "--hold-events",      "--queue-in-flash",
      "--reconnect-jitter",  "none", "--reconnect-min-ms", "250",
      "--reconnect-max-ms",  "8000", "--max-in-flight",    "8"};
  std::vector<char *> argv = {const_cast<char *>("sotto-sim")};
  for (auto &arg : args) {
    argv.push_back(arg.data());
  }
  Options options = parse_options(static_cast<int>(argv.size()), argv.data());
  EXPECT_TRUE(options.hold_events);
  EXPECT_TRUE(options.queue_in_flash);
  EXPECT_EQ(options.reconnect.jitter, SOTTO_JITTER_NONE);
  EXPECT_EQ(options.reconnect.min_delay_ms, 250u);
  EXPECT_EQ(options.reconnect.max_delay_ms, 8000u);
  EXPECT_EQ(options.max_in_flight, 8u);
}

TEST(SimOptions, ErrorsNameTheFlagAndTheExpectedForm) {
  EXPECT_EQ(parse_error({"--devices", "0"}),
            "--devices: expected an integer in 1..100000, got '0'");
  EXPECT_EQ(parse_error({"--sites", "farm:orchard"}),
            "--sites: farm: site kind 'orchard'; expected agri, industrial or wearable");
  EXPECT_EQ(parse_error({"--sites", "Farm:agri"}),
            "--sites: site name 'Farm' must match [a-z0-9][a-z0-9-]* and be at most 27 characters");
  EXPECT_EQ(parse_error({"--broker", "localhost"}),
            "--broker: expected tcp://HOST:PORT, got 'localhost'");
  EXPECT_EQ(parse_error({"--duration"}), "--duration: missing value");
  EXPECT_EQ(parse_error({"--frobnicate", "1"}), "unknown flag '--frobnicate'");
  EXPECT_EQ(parse_error({"--hold-events"}),
            "--hold-events: needs --events-per-device (the events to hold)");
  EXPECT_EQ(parse_error({"--reconnect-jitter", "half"}),
            "--reconnect-jitter: expected full or none, got 'half'");
  EXPECT_EQ(parse_error({"--max-in-flight", "17"}),
            "--max-in-flight: expected an integer in 1..16, got '17'");
}

}  // namespace
}  // namespace sotto::gw::sim
