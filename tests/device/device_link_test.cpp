// Storm-proof devices: the exact reconnect times (exponential backoff with full jitter from a
// seeded random port, or exact without jitter), the backoff starting again after an
// acknowledged publish, publish-only ports pacing their retries the same way, and the publish
// window: at most max_in_flight unacknowledged, max_publishes_per_poll started per poll, nothing
// behind an unacknowledged Health, and everything unacknowledged sent again after a failure.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sotto/port_host.h"
#include "test_ports.h"

namespace sotto::test {
namespace {

// An independent splitmix64, as sotto_host_random_init_seeded draws it.
class ReferenceRandom {
 public:
  explicit ReferenceRandom(uint64_t seed) : state_(seed) {}
  uint32_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
  }

 private:
  uint64_t state_;
};

class DeviceLinkTest : public ::testing::Test {
 protected:
  sotto_err_t boot(sotto_reconnect_config_t reconnect, uint32_t max_in_flight = 0) {
    queue_memory_.assign(SOTTO_QUEUE_BYTES_FOR_EVENTS(64), 0);
    sotto_device_config_t config{};
    config.device_id = "pump-7";
    config.site = "plant-1";
    config.ports = ports_.ports();
    if (seeded_) {
      config.ports.random = sotto_host_random_port(&random_);
    }
    config.queue_buffer = queue_memory_.data();
    config.queue_buffer_bytes = queue_memory_.size();
    config.reconnect = reconnect;
    config.max_in_flight = max_in_flight;
    return sotto_device_init(&device_, &config);
  }
  void seed(uint64_t value) {
    sotto_host_random_init_seeded(&random_, value);
    seeded_ = true;
  }
  void emit(int count) {
    for (int i = 0; i < count; ++i) {
      sotto_event_t event{};
      event.kind = SOTTO_EVENT_HEARTBEAT;
      event.class_id = static_cast<uint8_t>(i);
      ASSERT_EQ(sotto_device_emit(&device_, &event), SOTTO_OK);
    }
  }
  // Polls once per millisecond of simulated time until `until_ms`.
  void run_until(uint64_t until_ms) {
    for (; ports_.now_ms <= until_ms; ++ports_.now_ms) {
      sotto_device_poll(&device_);
    }
  }
  sotto_device_stats_t stats() {
    sotto_device_stats_t out{};
    sotto_device_get_stats(&device_, &out);
    return out;
  }
  std::string topics(const std::vector<Published> &messages) {
    std::string out;
    for (const Published &message : messages) {
      out += message.topic.find("/health") != std::string::npos ? "H" : "e";
    }
    return out;
  }

  TestPorts ports_;
  sotto_host_random_t random_{};
  bool seeded_ = false;
  std::vector<uint8_t> queue_memory_;
  sotto_device_t device_{};
};

// The first attempt is at boot; after the n-th failure the next waits r_n mod (ceiling_n + 1),
// ceiling_n = min(16 s, 1 s * 2^(n-1)), r_n the random port's next draw (the first draw went to
// the boot id).
TEST_F(DeviceLinkTest, BackoffWithFullJitterFollowsTheRandomPortExactly) {
  ports_.link_control = true;
  ports_.connect_refused = true;
  ports_.link_up = false;
  seed(42);
  ASSERT_EQ(boot({1000, 16000, SOTTO_JITTER_FULL}), SOTTO_OK);
  run_until(40000);

  ReferenceRandom reference(42);
  EXPECT_EQ(stats().boot_id, (reference.next() & 0xffff0000u) | 1u);
  std::vector<uint64_t> expected = {0};
  for (uint32_t n = 1; expected.size() < ports_.connect_times_ms.size(); ++n) {
    const uint64_t ceiling = std::min<uint64_t>(16000, uint64_t{1000} << (n - 1));
    expected.push_back(expected.back() + reference.next() % (ceiling + 1));
  }
  EXPECT_EQ(ports_.connect_times_ms, expected);
  // Seed 42 worked out by hand from the formula above:
  ASSERT_GE(ports_.connect_times_ms.size(), 8u);
  EXPECT_EQ(
      std::vector<uint64_t>(ports_.connect_times_ms.begin(), ports_.connect_times_ms.begin() + 8),
      (std::vector<uint64_t>{0, 784, 1535, 3927, 9843, 19989, 20529, 29351}));
  EXPECT_EQ(stats().connect_attempts, ports_.connect_times_ms.size());
}

TEST_F(DeviceLinkTest, WithoutJitterTheDelaysDoubleUpToTheMaximum) {
  ports_.link_control = true;
  ports_.connect_refused = true;
  ports_.link_up = false;
  ASSERT_EQ(boot({500, 3000, SOTTO_JITTER_NONE}), SOTTO_OK);
  run_until(12000);
  EXPECT_EQ(ports_.connect_times_ms, (std::vector<uint64_t>{0, 500, 1500, 3500, 6500, 9500}));
}

// A lost link waits before its first attempt too (devices that lost the broker together do
// not all come back at once), and an acknowledged publish starts the backoff again.
TEST_F(DeviceLinkTest, LostLinkBacksOffAndAnAcknowledgementResetsTheBackoff) {
  ports_.link_control = true;
  ports_.link_up = false;
  ASSERT_EQ(boot({1000, 60000, SOTTO_JITTER_NONE}), SOTTO_OK);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);  // connects at once, sends Health
  EXPECT_EQ(topics(ports_.published), "H");
  ports_.link_up = false;  // the broker goes away
  ports_.connect_refused = true;
  ports_.now_ms = 10000;
  EXPECT_EQ(sotto_device_poll(&device_), SOTTO_ERR_TRANSPORT);  // notices: retry at 11 s
  run_until(15000);  // attempts at 11 s, 13 s (2 s), then 17 s (4 s) is still ahead
  EXPECT_EQ(ports_.connect_times_ms, (std::vector<uint64_t>{0, 11000, 13000}));
  ports_.connect_refused = false;
  run_until(17000);  // the 17 s attempt succeeds; Health acknowledged: the backoff resets
  EXPECT_EQ(stats().health_published, 2u);
  ports_.link_up = false;
  ports_.now_ms = 20000;
  EXPECT_EQ(sotto_device_poll(&device_), SOTTO_ERR_TRANSPORT);
  run_until(21000);
  EXPECT_EQ(ports_.connect_times_ms, (std::vector<uint64_t>{0, 11000, 13000, 17000, 21000}));
}

// Without link control the port keeps its own link; the device still waits out the backoff
// before it publishes again.
TEST_F(DeviceLinkTest, PublishOnlyPortsPaceTheirRetriesTheSameWay) {
  ports_.link_up = false;
  ASSERT_EQ(boot({1000, 60000, SOTTO_JITTER_NONE}), SOTTO_OK);
  emit(1);
  run_until(7999);  // tries at 0, 1 s, 3 s, 7 s
  EXPECT_EQ(ports_.publish_attempts, 4);
  EXPECT_EQ(stats().publish_failures, 4u);
  ports_.link_up = true;
  run_until(15000);  // the next try, at 15 s, goes through
  EXPECT_EQ(ports_.publish_attempts, 4 + 2);
  EXPECT_EQ(topics(ports_.published), "He");
}

// 10 queued events, window of 3: Health alone first (nothing behind it until acknowledged),
// then at most 3 in flight, each poll starting only as many as acknowledgements freed.
TEST_F(DeviceLinkTest, PublishWindowKeepsAtMostMaxInFlightUnacknowledged) {
  ports_.pipelined = true;
  ASSERT_EQ(boot({1000, 60000, SOTTO_JITTER_NONE}, 3), SOTTO_OK);
  emit(10);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(topics(ports_.in_flight), "H");
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(topics(ports_.in_flight), "H");  // not acknowledged: nothing behind it
  ports_.acknowledge(1);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(ports_.in_flight.size(), 3u);
  ports_.acknowledge(2);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  EXPECT_EQ(ports_.in_flight.size(), 3u);
  EXPECT_EQ(stats().delivered, 2u);
  EXPECT_EQ(stats().queued, 8u);  // the 3 in flight are still queued
  EXPECT_EQ(stats().in_flight, 3u);
  for (int i = 0; i < 10; ++i) {
    ports_.acknowledge(ports_.in_flight.size());
    sotto_device_poll(&device_);
  }
  EXPECT_EQ(topics(ports_.published), "H" + std::string(10, 'e'));
  EXPECT_EQ(ports_.most_in_flight, 3u);
  for (uint32_t i = 0; i < 10; ++i) {
    EXPECT_EQ(decode_event(ports_.published[1 + i]).seq, i);
  }
  EXPECT_EQ(stats().queued, 0u);
}

TEST_F(DeviceLinkTest, PublishBudgetBoundsWhatOnePollStarts) {
  ports_.pipelined = true;
  ASSERT_EQ(boot({1000, 60000, SOTTO_JITTER_NONE}, 16), SOTTO_OK);
  device_.max_publishes_per_poll = 5;  // as config.max_publishes_per_poll = 5
  emit(12);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  ports_.acknowledge(1);
  std::vector<size_t> started;
  for (int poll = 0; poll < 4; ++poll) {
    const size_t before = ports_.publish_attempts;
    ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
    started.push_back(ports_.publish_attempts - before);
    ports_.acknowledge(ports_.in_flight.size());
  }
  EXPECT_EQ(started, (std::vector<size_t>{5, 5, 2, 0}));
}

// A failure in flight: the acknowledged ones are delivered, the rest stay queued and go out
// again, in order, after the next Health.
TEST_F(DeviceLinkTest, FailureInFlightResendsEverythingUnacknowledgedInOrder) {
  ports_.pipelined = true;
  ASSERT_EQ(boot({1000, 60000, SOTTO_JITTER_NONE}, 4), SOTTO_OK);
  emit(6);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  ports_.acknowledge(1);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);  // events 0..3 in flight
  ports_.acknowledge(1);                             // event 0 arrives
  ports_.fail_in_flight();                           // the link drops with 1..3 unanswered
  EXPECT_EQ(sotto_device_poll(&device_), SOTTO_ERR_TRANSPORT);
  EXPECT_EQ(stats().delivered, 1u);
  EXPECT_EQ(stats().queued, 5u);
  ports_.link_up = true;
  ports_.now_ms += 1000;
  for (int i = 0; i < 6; ++i) {
    sotto_device_poll(&device_);
    ports_.acknowledge(ports_.in_flight.size());
  }
  EXPECT_EQ(topics(ports_.published), "HeH" + std::string(5, 'e'));
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(decode_event(ports_.published[3 + i]).seq, 1 + i);
  }
}

// Events dropped from the full RAM queue while in flight: their late acknowledgements remove
// nothing else.
TEST_F(DeviceLinkTest, AcknowledgementOfAnEventDroppedInFlightRemovesNothingElse) {
  ports_.pipelined = true;
  queue_memory_.assign(SOTTO_QUEUE_BYTES_FOR_EVENTS(4), 0);
  sotto_device_config_t config{};
  config.device_id = "pump-7";
  config.site = "plant-1";
  config.ports = ports_.ports();
  config.queue_buffer = queue_memory_.data();
  config.queue_buffer_bytes = queue_memory_.size();
  config.queue_max_events = 4;
  config.max_in_flight = 2;
  ASSERT_EQ(sotto_device_init(&device_, &config), SOTTO_OK);
  emit(4);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);
  ports_.acknowledge(1);
  ASSERT_EQ(sotto_device_poll(&device_), SOTTO_OK);  // events 0 and 1 in flight
  emit(3);                                           // 0, 1 and 2 dropped to make room
  EXPECT_EQ(stats().dropped, 3u);
  for (int i = 0; i < 6; ++i) {
    ports_.acknowledge(ports_.in_flight.size());
    sotto_device_poll(&device_);
  }
  std::vector<uint32_t> seqs;
  for (size_t i = 1; i < ports_.published.size(); ++i) {
    seqs.push_back(decode_event(ports_.published[i]).seq);
  }
  EXPECT_EQ(seqs, (std::vector<uint32_t>{0, 1, 3, 4, 5, 6}));
  EXPECT_EQ(stats().queued, 0u);
  EXPECT_EQ(stats().delivered, 4u);  // 0 and 1 were acknowledged after they were dropped
}

}  // namespace
}  // namespace sotto::test
