// The spine end to end: sotto-sim devices (the real SDK) → mosquitto → sottod → SQLite, with a
// broker restart, a gateway SIGKILL and a malformed burst in the middle; exact counts throughout.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "fleet_fixture.h"
#include "http_client.h"
#include "raw_publisher.h"
#include "sotto/messages.h"

namespace sotto::test {
namespace {

constexpr int kDevices = 20;
constexpr int kEventsPerDevice = 200;
constexpr long kTotalEvents = static_cast<long>(kDevices) * kEventsPerDevice;

// 20 devices on one farm, each emitting exactly 200 events. The queue holds all of them, so an
// outage can delay events but never drop one.
std::vector<std::string> counted_fleet(const std::string &time_scale) {
  return {"--devices",
          std::to_string(kDevices),
          "--sites",
          "farm-north:agri",
          "--events-per-device",
          std::to_string(kEventsPerDevice),
          "--queue-events",
          "400",
          "--time-scale",
          time_scale,
          "--seed",
          "11",
          "--duration",
          "240",
          "--drain-timeout",
          "60"};
}

class FleetIngest : public FleetTest {
 protected:
  // Every device's events are stored exactly once: seq 0..199 under the device's boot id.
  void expect_every_event_stored_once(const std::string &summary_json) {
    auto summary = boost::json::parse(summary_json).as_object();
    const auto &totals = summary.at("totals").as_object();
    EXPECT_EQ(totals.at("emitted").to_number<long>(), kTotalEvents);
    EXPECT_EQ(totals.at("delivered").to_number<long>(), kTotalEvents);
    EXPECT_EQ(totals.at("dropped").to_number<long>(), 0);
    ASSERT_TRUE(wait_for_stored(kTotalEvents, std::chrono::seconds(60)))
        << "stored " << stored_event_count() << " of " << kTotalEvents;
    EXPECT_EQ(stored_event_count(), kTotalEvents);
    for (const auto &entry : summary.at("devices").as_array()) {
      const auto &device = entry.as_object();
      const std::string id(device.at("device").as_string());
      const auto boot_id = device.at("boot_id").to_number<uint32_t>();
      auto rows = stored_events(id);
      std::set<uint64_t> seqs;
      for (const auto &[boot, seq] : rows) {
        EXPECT_EQ(boot, boot_id) << id;
        seqs.insert(seq);
      }
      EXPECT_EQ(rows.size(), size_t{kEventsPerDevice}) << id;
      ASSERT_EQ(seqs.size(), size_t{kEventsPerDevice}) << id;
      EXPECT_EQ(*seqs.begin(), 0u) << id;
      EXPECT_EQ(*seqs.rbegin(), uint64_t{kEventsPerDevice - 1}) << id;
    }
  }
};

TEST_F(FleetIngest, TwentyDevicesTwoHundredEventsEachAreStoredExactlyOnce) {
  SimResult sim = run_sim(counted_fleet("3840"), std::chrono::seconds(240));
  ASSERT_EQ(sim.exit_code, 0) << read_file(dir_ + "/sotto-sim.log");
  expect_every_event_stored_once(sim.summary_json);
  EXPECT_EQ(gateway_->metric("sotto_devices_known"), kDevices);
}

TEST_F(FleetIngest, BrokerRestartMidRunLosesNothing) {
  // About 10 events per device per second: the restart lands in the middle of the run.
  auto sim = start_sim(counted_fleet("600"));
  ASSERT_TRUE(wait_for_stored(kTotalEvents / 5, std::chrono::seconds(120)));
  broker_->stop();
  long stored_during_outage = stored_event_count();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  broker_->start();
  ASSERT_EQ(sim->wait(std::chrono::seconds(240)), 0) << read_file(dir_ + "/sotto-sim.log");
  EXPECT_LT(stored_during_outage, kTotalEvents);
  expect_every_event_stored_once(read_file(summary_path()));
}

TEST_F(FleetIngest, GatewayKilledMidRunLosesNothingAndStoresNothingTwice) {
  auto sim = start_sim(counted_fleet("600"));
  ASSERT_TRUE(wait_for_stored(kTotalEvents / 4, std::chrono::seconds(120)));
  gateway_->kill_hard();
  long stored_at_kill = stored_event_count();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  gateway_->start();
  ASSERT_EQ(sim->wait(std::chrono::seconds(240)), 0) << read_file(dir_ + "/sotto-sim.log");
  EXPECT_LT(stored_at_kill, kTotalEvents);
  expect_every_event_stored_once(read_file(summary_path()));
}

TEST_F(FleetIngest, MalformedBurstIsCountedPerReasonAndIngestGoesOn) {
  RawPublisher device(broker_->url(), "hostile-device");
  const std::string good = "sotto/v1/farm-north/valve-3/";

  // A truncated varint: field 1 announced, value missing.
  for (int i = 0; i < 50; ++i) device.publish(good + "event", {0x08});
  // Larger than any event or health can be.
  for (int i = 0; i < 20; ++i) device.publish(good + "event", std::vector<uint8_t>(4096, 0x2a));
  // Ids outside [a-z0-9][a-z0-9-]{0,31}.
  for (int i = 0; i < 30; ++i) {
    device.publish("sotto/v1/Farm-North/valve-3/event",
                   encode(sotto_event_t{SOTTO_EVENT_HEARTBEAT, 0, 0, 1, 1, 0, {}}));
  }
  // Health that names another device than its topic.
  for (int i = 0; i < 10; ++i) device.publish(good + "health", encode(health_of("valve-4", 77)));
  // A kind this gateway does not know (field 1 = 9, then a zero core).
  for (int i = 0; i < 5; ++i)
    device.publish(good + "event", {0x08, 0x09, 0x11, 0, 0, 0, 0, 0, 0, 0, 0});

  // Then the device behaves: its health and three events are stored.
  device.publish(good + "health", encode(health_of("valve-3", 77)));
  for (uint32_t seq = 0; seq < 3; ++seq) {
    device.publish(good + "event",
                   encode(sotto_event_t{SOTTO_EVENT_THRESHOLD, 2, 200, seq, 20 + seq, 0, {}}));
  }
  ASSERT_TRUE(wait_for_stored(3, std::chrono::seconds(30)));
  EXPECT_EQ(stored_event_count(), 3);
  auto rows = stored_events("valve-3");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto &[boot, seq] : rows) EXPECT_EQ(boot, 77u);

  EXPECT_EQ(gateway_->metric("sotto_ingest_rejected_total{reason=\"undecodable\"}"), 50);
  EXPECT_EQ(gateway_->metric("sotto_ingest_rejected_total{reason=\"oversized\"}"), 20);
  EXPECT_EQ(gateway_->metric("sotto_ingest_rejected_total{reason=\"bad_topic\"}"), 30);
  EXPECT_EQ(gateway_->metric("sotto_ingest_rejected_total{reason=\"device_mismatch\"}"), 10);
  EXPECT_EQ(gateway_->metric("sotto_ingest_rejected_total{reason=\"unknown_enum\"}"), 5);
  EXPECT_EQ(gateway_->metric("sotto_ingest_events_stored_total"), 3);
  // Acknowledged, so kept: every rejected message is in quarantine as received.
  const auto quarantine =
      boost::json::parse(http_get(gateway_->http_port(), "/api/v1/quarantine?limit=1").body)
          .as_object();
  EXPECT_EQ(quarantine.at("total").as_int64(), 50 + 20 + 30 + 10 + 5);
  EXPECT_EQ(quarantine.at("messages").as_array().at(0).at("reason").as_string(), "unknown_enum");
  // Rejections are logged once per rate window and reason, not once per message.
  const std::string log = gateway_->log();
  size_t undecodable_lines = 0;
  for (size_t at = log.find("undecodable"); at != std::string::npos;
       at = log.find("undecodable", at + 1))
    ++undecodable_lines;
  EXPECT_LE(undecodable_lines, 2u) << log;
}

}  // namespace
}  // namespace sotto::test
