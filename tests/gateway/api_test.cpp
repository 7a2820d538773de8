// The HTTP API served by a real HttpServer on a loopback port: status codes and JSON shapes.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_server_fixture.h"
#include "http_client.h"

namespace sotto::gw {
namespace {

using sotto::test::http_get;

class ApiTest : public ApiServerFixture {
 protected:
  void SetUp() override {
    open_store("api");
    test::TestStore &store = *store_;
    sotto_health_t health = {};
    health.boot_id = 42;
    health.uptime_s = 0;
    health.battery_mv = 3600;
    store.record_health("farm", "pump-1", health, 1'800'000'000'000);
    for (uint32_t seq = 0; seq < 3; ++seq) {
      sotto_event_t event = {};
      event.kind = seq == 2 ? SOTTO_EVENT_ANOMALY : SOTTO_EVENT_HEARTBEAT;
      event.score = seq == 2 ? 255 : 0;
      event.seq = seq;
      event.uptime_s = seq * 60;
      event.reading_count = seq == 2 ? 1 : 0;
      event.readings[0] = {SOTTO_QUANTITY_VIBRATION_RMS_MILLI_G, 912};
      store.record_event("farm", "pump-1", event, 1'800'000'000'000);
    }
    serve();
  }

  boost::json::value get_json(const std::string &target, int expected_status) {
    auto response = http_get(port(), target);
    EXPECT_EQ(response.status, expected_status) << target << ": " << response.body;
    return boost::json::parse(response.body);
  }
};

TEST_F(ApiTest, DevicesListsTheRegistry) {
  auto body = get_json("/api/v1/devices", 200);
  const auto &device = body.at("devices").as_array().at(0).as_object();
  EXPECT_EQ(device.at("device").as_string(), "pump-1");
  EXPECT_EQ(device.at("site").as_string(), "farm");
  EXPECT_EQ(device.at("boot_id").as_int64(), 42);
  EXPECT_EQ(device.at("battery_mv").as_int64(), 3600);
  EXPECT_EQ(device.at("events").as_int64(), 3);
  EXPECT_EQ(device.at("first_seen").as_string(), "2027-01-15T08:00:00.000Z");
}

TEST_F(ApiTest, UnknownDeviceIs404WithItsName) {
  auto body = get_json("/api/v1/devices/pump-9", 404);
  EXPECT_EQ(body.at("error").as_string(), "unknown device 'pump-9'");
}

TEST_F(ApiTest, EventsPageNewestFirst) {
  auto first = get_json("/api/v1/events?device=pump-1&limit=2", 200);
  const auto &events = first.at("events").as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("seq").as_int64(), 2);
  EXPECT_EQ(events[0].at("kind").as_string(), "anomaly");
  EXPECT_DOUBLE_EQ(events[0].at("score").as_double(), 1.0);
  EXPECT_EQ(events[0].at("readings").as_array().at(0).at("quantity").as_string(),
            "vibration_rms_milli_g");
  EXPECT_EQ(events[0].at("readings").as_array().at(0).at("value").as_int64(), 912);
  EXPECT_EQ(events[0].at("time").as_string(), "2027-01-15T08:02:00.000Z");
  EXPECT_EQ(events[1].at("seq").as_int64(), 1);
  auto before = first.at("next_before_id").as_int64();
  auto second =
      get_json("/api/v1/events?device=pump-1&limit=2&before_id=" + std::to_string(before), 200);
  ASSERT_EQ(second.at("events").as_array().size(), 1u);
  EXPECT_EQ(second.at("events").as_array()[0].at("seq").as_int64(), 0);
  EXPECT_TRUE(second.at("next_before_id").is_null());
}

TEST_F(ApiTest, EventsFilterByKind) {
  auto body = get_json("/api/v1/events?kind=anomaly", 200);
  EXPECT_EQ(body.at("events").as_array().size(), 1u);
}

TEST_F(ApiTest, BadParametersAre400NamingTheParameter) {
  EXPECT_EQ(get_json("/api/v1/events?limit=0", 400).at("error").as_string(),
            "limit: expected an integer 1..1000, got '0'");
  EXPECT_EQ(get_json("/api/v1/events?kind=bogus", 400).at("error").as_string(),
            "kind: expected anomaly, classification, threshold or heartbeat, got 'bogus'");
  EXPECT_EQ(get_json("/api/v1/events?device=Pump", 400).at("error").as_string(),
            "device: 'Pump' is not an id [a-z0-9][a-z0-9-]{0,31}");
  EXPECT_EQ(get_json("/api/v1/aggregates?scope=site", 400).at("error").as_string(),
            "id: required (the site or device to aggregate)");
}

TEST_F(ApiTest, AggregatesPerWindow) {
  auto body = get_json("/api/v1/aggregates?scope=device&id=pump-1", 200);
  EXPECT_EQ(body.at("window_s").as_int64(), 3600);
  const auto &buckets = body.at("buckets").as_array();
  ASSERT_EQ(buckets.size(), 2u);  // one window, two kinds
  EXPECT_EQ(buckets[0].at("kind").as_string(), "anomaly");
  EXPECT_EQ(buckets[0].at("count").as_int64(), 1);
  EXPECT_EQ(buckets[1].at("kind").as_string(), "heartbeat");
  EXPECT_EQ(buckets[1].at("count").as_int64(), 2);
}

TEST_F(ApiTest, UnknownPathIs404) {
  EXPECT_EQ(get_json("/api/v2/devices", 404).at("error").as_string(),
            "no such endpoint: /api/v2/devices");
}

TEST_F(ApiTest, HealthzIsReadyOnlyWhenSubscribedTakingAndCommitting) {
  EXPECT_EQ(get_json("/healthz", 503).at("status").as_string(), "connecting");
  health_.set_subscribed(true);
  EXPECT_EQ(get_json("/healthz", 200).at("status").as_string(), "ok");
  health_.journal_refused("journal: cannot write /d/journal/1.journal: No space left on device");
  auto paused = get_json("/healthz", 503);
  EXPECT_EQ(paused.at("status").as_string(), "backpressure");
  EXPECT_EQ(paused.at("reason").as_string(),
            "journal: cannot write /d/journal/1.journal: No space left on device");
  EXPECT_EQ(metrics_.backpressure, 1);
  health_.journal_accepted();
  health_.store_stalled("store /d/sotto.db: database is locked");
  auto stalled = get_json("/healthz", 503);
  EXPECT_EQ(stalled.at("status").as_string(), "store_stalled");
  EXPECT_EQ(stalled.at("reason").as_string(), "store /d/sotto.db: database is locked");
  health_.store_writing();
  EXPECT_EQ(get_json("/healthz", 200).at("status").as_string(), "ok");
  EXPECT_EQ(metrics_.backpressure_episodes, 1u);
  EXPECT_EQ(metrics_.store_stall_episodes, 1u);
}

TEST_F(ApiTest, MetricsAreServedAsPrometheusText) {
  metrics_.messages = 12;
  auto response = http_get(port(), "/metrics");
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("sotto_ingest_messages_total 12\n"), std::string::npos);
}

}  // namespace
}  // namespace sotto::gw
