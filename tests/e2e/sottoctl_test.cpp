// sottoctl against a real sottod: tables and JSON carry what the devices sent, and each kind of
// failure has its own exit status (1 gateway said no, 2 usage, 3 unreachable).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "fleet_fixture.h"
#include "raw_publisher.h"

namespace sotto::test {
namespace {

class Sottoctl : public FleetTest {
 protected:
  CtlResult run(std::vector<std::string> args, const std::string &gateway = "") {
    args.insert(args.begin(), {"--gateway", gateway.empty() ? gateway_url() : gateway});
    return run_sottoctl(dir_, args);
  }
  std::string gateway_url() const {
    return "http://127.0.0.1:" + std::to_string(gateway_->http_port());
  }

  // Two devices on two sites: valve-3 at farm-north (3 threshold events with a reading) and
  // press-1 at plant-1 (2 anomalies).
  void publish_small_fleet() {
    RawPublisher publisher(broker_->url(), "ctl-test-devices");
    publisher.publish("sotto/v1/farm-north/valve-3/health", encode(health_of("valve-3", 77)));
    for (uint32_t seq = 0; seq < 3; ++seq) {
      sotto_event_t event = {SOTTO_EVENT_THRESHOLD, 2, 255, seq, 20 + seq, 1, {}};
      event.readings[0] = {SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE, static_cast<int32_t>(180 - seq)};
      publisher.publish("sotto/v1/farm-north/valve-3/event", encode(event));
    }
    publisher.publish("sotto/v1/plant-1/press-1/health", encode(health_of("press-1", 5)));
    for (uint32_t seq = 0; seq < 2; ++seq) {
      publisher.publish("sotto/v1/plant-1/press-1/event",
                        encode(sotto_event_t{SOTTO_EVENT_ANOMALY, 1, 0, seq, 60 + seq, 0, {}}));
    }
    ASSERT_TRUE(wait_for_stored(5, std::chrono::seconds(30)));
  }
};

std::vector<std::vector<std::string>> table_rows(const std::string &text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string word; words >> word;) row.push_back(word);
    rows.push_back(row);
  }
  return rows;
}

TEST_F(Sottoctl, FleetTableSummarisesEachSite) {
  publish_small_fleet();
  auto result = run({"fleet"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto rows = table_rows(result.output);
  ASSERT_EQ(rows.size(), 3u) << result.output;
  EXPECT_EQ(rows[0][0], "SITE");
  // SITE DEVICES EVENTS ANOMALY CLASSIFICATION THRESHOLD HEARTBEAT DROPPED LOW BATTERY(2 words)
  const std::vector<std::string> farm = {"farm-north", "1", "3", "0", "0", "3", "0", "0", "0"};
  const std::vector<std::string> plant = {"plant-1", "1", "2", "2", "0", "0", "0", "0", "0"};
  EXPECT_EQ(std::vector<std::string>(rows[1].begin(), rows[1].begin() + 9), farm);
  EXPECT_EQ(std::vector<std::string>(rows[2].begin(), rows[2].begin() + 9), plant);
}

TEST_F(Sottoctl, DevicesTableListsEveryDeviceWithItsCounts) {
  publish_small_fleet();
  auto result = run({"devices"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto rows = table_rows(result.output);
  ASSERT_EQ(rows.size(), 3u) << result.output;
  // DEVICE SITE LAST-SEEN MODEL BATTERY EVENTS DROPPED; LAST SEEN is a timestamp, skipped.
  std::vector<std::string> press = {rows[1][0], rows[1][1], rows[1][3],
                                    rows[1][4], rows[1][5], rows[1][6]};
  std::vector<std::string> valve = {rows[2][0], rows[2][1], rows[2][3],
                                    rows[2][4], rows[2][5], rows[2][6]};
  EXPECT_EQ(press, (std::vector<std::string>{"press-1", "plant-1", "0/v0", "3300", "2", "0"}));
  EXPECT_EQ(valve, (std::vector<std::string>{"valve-3", "farm-north", "0/v0", "3300", "3", "0"}));

  auto only_plant = run({"devices", "--site", "plant-1"});
  ASSERT_EQ(only_plant.exit_code, 0) << only_plant.output;
  EXPECT_EQ(table_rows(only_plant.output).size(), 2u) << only_plant.output;
}

TEST_F(Sottoctl, EventsAsJsonAreNewestFirstAndLimited) {
  publish_small_fleet();
  auto result = run({"--json", "events", "valve-3", "--limit", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto events = boost::json::parse(result.output).as_object().at("events").as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("seq").as_int64(), 2);
  EXPECT_EQ(events[1].at("seq").as_int64(), 1);
  EXPECT_EQ(events[0].at("kind").as_string(), "threshold");
  EXPECT_EQ(events[0].at("score").as_double(), 1.0);
  EXPECT_EQ(events[0].at("readings").at(0).at("value").as_int64(), 178);
}

TEST_F(Sottoctl, EventsTableShowsReadings) {
  publish_small_fleet();
  auto result = run({"events", "valve-3"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto rows = table_rows(result.output);
  ASSERT_EQ(rows.size(), 4u) << result.output;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"TIME", "KIND", "CLASS", "SCORE", "BOOT", "SEQ",
                                               "READINGS"}));
  EXPECT_EQ(std::vector<std::string>(rows[1].begin() + 1, rows[1].end()),
            (std::vector<std::string>{"threshold", "2", "1.00", "77", "2",
                                      "soil_moisture_permille=178"}));
}

TEST_F(Sottoctl, UnknownDeviceIsAGatewayErrorNamingIt) {
  auto result = run({"events", "no-such-device"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("unknown device 'no-such-device'"), std::string::npos)
      << result.output;
}

TEST_F(Sottoctl, UsageErrorsExitWithTwoAndSayWhatIsWrong) {
  auto missing = run({"events"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("missing DEVICE"), std::string::npos) << missing.output;

  auto bad_limit = run({"events", "valve-3", "--limit", "0"});
  EXPECT_EQ(bad_limit.exit_code, 2);
  EXPECT_NE(bad_limit.output.find("--limit must be a whole number in 1..1000, got '0'"),
            std::string::npos)
      << bad_limit.output;

  auto unknown = run({"flet"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown command 'flet'"), std::string::npos) << unknown.output;

  auto bad_url = run({"fleet"}, "ftp://127.0.0.1");
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_NE(bad_url.output.find("must start with http://"), std::string::npos) << bad_url.output;
}

TEST_F(Sottoctl, NoGatewayAtTheAddressExitsWithThree) {
  auto result = run({"fleet"}, "http://127.0.0.1:" + std::to_string(free_loopback_port()));
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.output.find("no gateway at http://127.0.0.1:"), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace sotto::test
