// The device runtime against the in-memory test port: publish order, resend of Health after a
// failure (after the backoff delay), sequence numbers, boot counter persistence, id validation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sotto/device.h"
#include "test_ports.h"

namespace sotto::test {
namespace {

constexpr char kEventTopic[] = "sotto/v1/farm-north/soil-7/event";
constexpr char kHealthTopic[] = "sotto/v1/farm-north/soil-7/health";

class DeviceTest : public ::testing::Test {
 protected:
  sotto_err_t boot(uint32_t queue_events = 16, uint32_t health_interval_s = 0) {
    queue_memory_.assign(SOTTO_QUEUE_BYTES_FOR_EVENTS(queue_events), 0);
    config_ = sotto_device_config_t{};
    config_.device_id = "soil-7";
    config_.site = "farm-north";
    config_.device_class = 3;
    config_.ports = ports_.ports();
    config_.health_interval_s = health_interval_s;
    config_.queue_buffer = queue_memory_.data();
    config_.queue_buffer_bytes = queue_memory_.size();
    config_.queue_max_events = queue_events;
    return sotto_device_init(&device_, &config_);
  }

  sotto_err_t emit(uint8_t class_id) {
    sotto_event_t event{};
    event.kind = SOTTO_EVENT_THRESHOLD;
    event.class_id = class_id;
    event.score = 100;
    return sotto_device_emit(&device_, &event);
  }

  sotto_device_stats_t stats() {
    sotto_device_stats_t out{};
    EXPECT_EQ(sotto_device_get_stats(&device_, &out), SOTTO_OK);
    return out;
  }

  TestPorts ports_;
  std::vector<uint8_t> queue_memory_;
  sotto_device_config_t config_{};
  sotto_device_t device_{};
};

TEST_F(DeviceTest, PublishesHealthBeforeTheFirstEventOfABoot) {
  ASSERT_EQ(boot(), SOTTO_OK);
  ports_.now_ms = 7500;
  for (uint8_t i = 0; i < 3; ++i) {
    ASSERT_EQ(emit(i), SOTTO_OK);
  }
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);

  ASSERT_EQ(ports_.published.size(), 4u);
  EXPECT_EQ(ports_.published[0].topic, kHealthTopic);
  sotto_health_t health = decode_health(ports_.published[0]);
  EXPECT_EQ(health.boot_id, 1u);
  EXPECT_EQ(health.uptime_s, 7u);
  EXPECT_EQ(health.events_queued, 3u);
  EXPECT_EQ(health.events_dropped, 0u);
  EXPECT_EQ(health.sdk_version, 200u);
  EXPECT_EQ(health.device_tag, sotto_device_tag("soil-7"));
  EXPECT_EQ(health.device_class, 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ports_.published[1 + i].topic, kEventTopic);
    sotto_event_t event = decode_event(ports_.published[1 + i]);
    EXPECT_EQ(event.seq, i);
    EXPECT_EQ(event.class_id, i);
    EXPECT_EQ(event.uptime_s, 7u);
  }
  sotto_device_stats_t s = stats();
  EXPECT_EQ(s.emitted, 3u);
  EXPECT_EQ(s.delivered, 3u);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(s.health_published, 1u);
}

TEST_F(DeviceTest, SequenceAndUptimeAreStampedAtEmit) {
  ASSERT_EQ(boot(), SOTTO_OK);
  ports_.now_ms = 1999;
  ASSERT_EQ(emit(0), SOTTO_OK);
  ports_.now_ms = 65000;
  ASSERT_EQ(emit(0), SOTTO_OK);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  ASSERT_EQ(ports_.published.size(), 3u);
  EXPECT_EQ(decode_event(ports_.published[1]).uptime_s, 1u);
  EXPECT_EQ(decode_event(ports_.published[2]).uptime_s, 65u);
  EXPECT_EQ(decode_event(ports_.published[2]).seq, 1u);
}

TEST_F(DeviceTest, FailureKeepsTheEventAndHealthGoesFirstAfterReconnect) {
  ASSERT_EQ(boot(), SOTTO_OK);
  for (uint8_t i = 0; i < 4; ++i) {
    ASSERT_EQ(emit(i), SOTTO_OK);
  }
  ports_.fail_after_publishes = 2;  // Health and event 0 go through, then the link drops
  EXPECT_EQ(sotto_device_poll(&device_), SOTTO_ERR_TRANSPORT);
  EXPECT_EQ(ports_.published.size(), 2u);
  EXPECT_EQ(ports_.publish_attempts, 3);
  EXPECT_EQ(stats().delivered, 1u);
  EXPECT_EQ(stats().queued, 3u);
  EXPECT_EQ(stats().publish_failures, 1u);

  EXPECT_EQ(sotto_device_poll(&device_), SOTTO_ERR_TRANSPORT);  // backing off: nothing tried
  EXPECT_EQ(ports_.publish_attempts, 3);
  ports_.now_ms += SOTTO_RECONNECT_MIN_DELAY_MS_DEFAULT;        // first retry: within [0, 1 s]
  EXPECT_EQ(sotto_device_poll(&device_), SOTTO_ERR_TRANSPORT);  // still down: Health fails
  EXPECT_EQ(ports_.publish_attempts, 4);

  ports_.link_up = true;
  ports_.fail_after_publishes = -1;
  ports_.now_ms += uint64_t{2} * SOTTO_RECONNECT_MIN_DELAY_MS_DEFAULT;  // 2nd retry: in [0, 2 s]
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  ASSERT_EQ(ports_.published.size(), 6u);
  EXPECT_EQ(ports_.published[2].topic, kHealthTopic);
  EXPECT_EQ(decode_health(ports_.published[2]).events_queued, 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ports_.published[3 + i].topic, kEventTopic);
    EXPECT_EQ(decode_event(ports_.published[3 + i]).seq, i + 1);
  }
  EXPECT_EQ(stats().delivered, 4u);
  EXPECT_EQ(stats().health_published, 2u);
  EXPECT_EQ(stats().publish_failures, 2u);
}

TEST_F(DeviceTest, NothingButHealthIsTriedWhileHealthFails) {
  ports_.link_up = false;
  ASSERT_EQ(boot(), SOTTO_OK);
  ASSERT_EQ(emit(0), SOTTO_OK);
  EXPECT_EQ(sotto_device_poll(&device_), SOTTO_ERR_TRANSPORT);
  EXPECT_EQ(ports_.publish_attempts, 1);
  EXPECT_EQ(stats().queued, 1u);
}

TEST_F(DeviceTest, HealthRepeatsEveryInterval) {
  ASSERT_EQ(boot(16, 60), SOTTO_OK);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  ports_.now_ms = 59999;
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(ports_.published.size(), 1u);
  ports_.now_ms = 60000;
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  ASSERT_EQ(ports_.published.size(), 2u);
  EXPECT_EQ(decode_health(ports_.published[1]).uptime_s, 60u);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(ports_.published.size(), 2u);
}

TEST_F(DeviceTest, OverflowDropsOldestAndHealthReportsTheDrops) {
  ports_.link_up = false;
  ASSERT_EQ(boot(4), SOTTO_OK);
  for (uint8_t i = 0; i < 10; ++i) {
    ASSERT_EQ(emit(i), SOTTO_OK);
  }
  EXPECT_EQ(sotto_device_poll(&device_), SOTTO_ERR_TRANSPORT);
  EXPECT_EQ(stats().dropped, 6u);
  EXPECT_EQ(stats().queued, 4u);

  ports_.link_up = true;
  ports_.now_ms += SOTTO_RECONNECT_MIN_DELAY_MS_DEFAULT;  // past the first retry's delay
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  ASSERT_EQ(ports_.published.size(), 5u);
  sotto_health_t health = decode_health(ports_.published[0]);
  EXPECT_EQ(health.events_dropped, 6u);
  EXPECT_EQ(health.events_queued, 4u);
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(decode_event(ports_.published[1 + i]).seq, 6 + i);
  }
}

TEST_F(DeviceTest, PublishBudgetLimitsOnePoll) {
  ASSERT_EQ(boot(), SOTTO_OK);
  device_.max_publishes_per_poll = 2;  // same as config.max_publishes_per_poll = 2
  for (uint8_t i = 0; i < 3; ++i) {
    ASSERT_EQ(emit(i), SOTTO_OK);
  }
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(ports_.published.size(), 2u);  // Health + event 0
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(ports_.published.size(), 4u);
  EXPECT_EQ(stats().queued, 0u);
}

TEST_F(DeviceTest, BootCounterPersistsAcrossInitsOnTheSameStorage) {
  ASSERT_EQ(boot(), SOTTO_OK);
  ASSERT_EQ(emit(0), SOTTO_OK);
  EXPECT_EQ(stats().boot_id, 1u);
  ASSERT_EQ(boot(), SOTTO_OK);
  EXPECT_EQ(stats().boot_counter, 2u);
  EXPECT_EQ(stats().boot_id, 2u);
  ASSERT_EQ(emit(0), SOTTO_OK);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(decode_health(ports_.published[0]).boot_id, 2u);
  EXPECT_EQ(decode_event(ports_.published[1]).seq, 0u);  // per-boot numbering restarts
}

TEST_F(DeviceTest, BootCounterMovesToTheOtherSectorWhenOneIsFull) {
  ports_ = TestPorts(32, 2);  // 4 records per sector
  for (uint32_t expected = 1; expected <= 11; ++expected) {
    ASSERT_EQ(boot(), SOTTO_OK);
    EXPECT_EQ(stats().boot_counter, expected);
  }
  // Boots 1-4 fill sector 0, 5-8 sector 1 (one erase), 9-11 sector 0 again (second erase).
  EXPECT_EQ(ports_.erases, 2);
  EXPECT_EQ(ports_.writes, 11);
}

TEST_F(DeviceTest, BootIdKeepsCounterBitsUnderRandomBits) {
  ports_.set_random(0xabcd1234u);
  ASSERT_EQ(boot(), SOTTO_OK);
  EXPECT_EQ(stats().boot_id, 0xabcd0001u);
}

TEST_F(DeviceTest, RejectsInvalidIds) {
  for (const char *bad : {"", "Soil", "-soil", "soil_7", "soil 7", "s\xc3\xa9",
                          "a23456789012345678901234567890123"}) {
    queue_memory_.assign(SOTTO_QUEUE_BYTES_FOR_EVENTS(4), 0);
    sotto_device_config_t config{};
    config.device_id = bad;
    config.site = "farm";
    config.ports = ports_.ports();
    config.queue_buffer = queue_memory_.data();
    config.queue_buffer_bytes = queue_memory_.size();
    EXPECT_EQ(sotto_device_init(&device_, &config), SOTTO_ERR_INVALID_ARGUMENT) << bad;
    config.device_id = "ok";
    config.site = bad;
    EXPECT_EQ(sotto_device_init(&device_, &config), SOTTO_ERR_INVALID_ARGUMENT) << bad;
  }
  EXPECT_TRUE(sotto_id_is_valid("a2345678901234567890123456789012"));  // 32 chars
  EXPECT_TRUE(sotto_id_is_valid("0-a-"));
  EXPECT_FALSE(sotto_id_is_valid(nullptr));
  EXPECT_EQ(ports_.writes, 0);  // nothing was persisted for a rejected config
}

TEST_F(DeviceTest, MissingPortsOrSmallStateAreNotConfigured) {
  ports_ = TestPorts(256, 1);  // one sector: the boot counter needs two
  EXPECT_EQ(boot(), SOTTO_ERR_NOT_CONFIGURED);
  ports_ = TestPorts();
  config_.ports.transport.publish = nullptr;
  queue_memory_.assign(SOTTO_QUEUE_BYTES_FOR_EVENTS(4), 0);
  sotto_device_config_t config = config_;
  config.ports = ports_.ports();
  config.ports.transport.publish = nullptr;
  config.queue_buffer = queue_memory_.data();
  EXPECT_EQ(sotto_device_init(&device_, &config), SOTTO_ERR_NOT_CONFIGURED);
  EXPECT_EQ(sotto_device_poll(&device_), SOTTO_ERR_NOT_CONFIGURED);
}

TEST_F(DeviceTest, UnencodableEventIsRejectedWithoutUsingASequenceNumber) {
  ASSERT_EQ(boot(), SOTTO_OK);
  sotto_event_t event{};
  event.kind = static_cast<sotto_event_kind_t>(7);
  EXPECT_EQ(sotto_device_emit(&device_, &event), SOTTO_ERR_INVALID_ARGUMENT);
  ASSERT_EQ(emit(0), SOTTO_OK);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(decode_event(ports_.published[1]).seq, 0u);
  EXPECT_EQ(stats().emitted, 1u);
}

TEST_F(DeviceTest, IncomingMessagesAreRoutedOrNamedUnhandled) {
  ASSERT_EQ(boot(), SOTTO_OK);
  const uint8_t payload[] = {1, 2, 3};
  EXPECT_EQ(sotto_device_on_message(&device_, "sotto/v1/farm-north/soil-7/ota/manifest", payload,
                                    sizeof payload),
            SOTTO_ERR_UNHANDLED_TOPIC);
  EXPECT_STREQ(sotto_err_name(SOTTO_ERR_UNHANDLED_TOPIC), "SOTTO_ERR_UNHANDLED_TOPIC");
  EXPECT_EQ(sotto_device_on_message(&device_, "sotto/v1/farm-north/soil-8/ota/manifest", payload,
                                    sizeof payload),
            SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_device_on_message(&device_, "sotto/v1/farm/soil-7/x", payload, sizeof payload),
            SOTTO_ERR_INVALID_ARGUMENT);
}

TEST_F(DeviceTest, SettersShowUpInTheNextHealth) {
  ASSERT_EQ(boot(), SOTTO_OK);
  sotto_device_set_battery_mv(&device_, 3312);
  sotto_device_set_model(&device_, 12, 40102);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  sotto_health_t health = decode_health(ports_.published[0]);
  EXPECT_EQ(health.battery_mv, 3312u);
  EXPECT_EQ(health.model_id, 12u);
  EXPECT_EQ(health.model_version, 40102u);
}

}  // namespace
}  // namespace sotto::test
