// The host MQTT transport against a real mosquitto on a random loopback port: acknowledged
// publishes, delivery to a subscriber through sotto_device_on_message, outage and recovery with
// Health first (Paho reconnecting, or the SDK with its backoff), and a clear error for an
// unreachable broker.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker.h"
#include "process.h"
#include "sotto/device.h"
#include "sotto/port_host.h"

#ifndef SOTTO_MOSQUITTO
#error "SOTTO_MOSQUITTO must name the mosquitto binary"
#endif

namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 30s;  // generous: only reached when something is broken

bool wait_until(const std::function<bool()> &condition) {
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

// A private broker with the settings that do not lose QoS 1 messages.
class TestBroker {
 public:
  TestBroker()
      : dir_(sotto::test::make_temp_dir("device-transport")),
        port_(sotto::test::free_loopback_port()) {
    std::ofstream config(dir_ + "/mosquitto.conf");
    config << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\n"
           << "max_queued_messages 0\npersistence false\n"
           << sotto::test::run_as_invoking_user_line();
  }
  ~TestBroker() { stop(); }

  void start() {
    process_ = std::make_unique<sotto::test::Process>(
        SOTTO_MOSQUITTO, std::vector<std::string>{"-c", dir_ + "/mosquitto.conf"},
        dir_ + "/mosquitto.log");
    ASSERT_TRUE(sotto::test::wait_for_port(port_, kDeadline)) << "mosquitto did not listen";
  }
  void stop() {
    if (!process_) {
      return;
    }
    process_->signal(SIGTERM);
    process_->wait(20s);
    process_.reset();
  }
  std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  // For failure messages: what the broker said about the connection attempts.
  std::string log() const { return sotto::test::read_file(dir_ + "/mosquitto.log"); }

 private:
  std::string dir_;
  int port_;
  std::unique_ptr<sotto::test::Process> process_;
};

// A device on the host port: manual clock, RAM flash, one MQTT connection (Paho reconnecting
// on its own, or with sdk_reconnects the SDK).
class HostDevice {
 public:
  HostDevice(const std::string &url, const char *device_id, bool sdk_reconnects = false)
      : clock_(sotto_host_clock_create_manual(0)), queue_(SOTTO_QUEUE_BYTES_FOR_EVENTS(64)) {
    sotto_host_storage_config_t storage_config{};
    storage_config.sector_bytes = 256;
    storage_config.state_bytes = 1024;
    EXPECT_EQ(sotto_host_storage_create(&storage_config, &storage_), SOTTO_OK);
    std::string client_id = std::string("test-") + device_id;
    sotto_host_transport_config_t transport_config{};
    transport_config.broker_url = url.c_str();
    transport_config.client_id = client_id.c_str();
    transport_config.publish_timeout_ms = 10000;
    transport_config.sdk_reconnects = sdk_reconnects ? 1 : 0;
    EXPECT_EQ(sotto_host_transport_create(&transport_config, &transport_), SOTTO_OK);
    sotto_device_config_t config{};
    config.device_id = device_id;
    config.site = "site-a";
    config.ports.clock = sotto_host_clock_port(clock_);
    config.ports.storage = sotto_host_storage_port(storage_);
    config.ports.transport = sotto_host_transport_port(transport_);
    config.queue_buffer = queue_.data();
    config.queue_buffer_bytes = queue_.size();
    // Exact delays for the link control test: 1 s, 2 s, 4 s, ...
    config.reconnect = {1000, 8000, SOTTO_JITTER_NONE};
    EXPECT_EQ(sotto_device_init(&device_, &config), SOTTO_OK);
  }
  ~HostDevice() {
    sotto_host_transport_destroy(transport_);
    sotto_host_storage_destroy(storage_);
    sotto_host_clock_destroy(clock_);
  }

  sotto_err_t emit(uint8_t class_id) {
    sotto_event_t event{};
    event.kind = SOTTO_EVENT_ANOMALY;
    event.class_id = class_id;
    return sotto_device_emit(&device_, &event);
  }
  sotto_device_stats_t stats() {
    sotto_device_stats_t out{};
    sotto_device_get_stats(&device_, &out);
    return out;
  }
  // Polls until nothing is queued or in flight: publishes are pipelined (a poll starts them,
  // later polls collect their acknowledgements).
  bool drain() {
    return wait_until([&] {
      return sotto_device_poll(&device_) == SOTTO_OK && stats().queued == 0 &&
             stats().in_flight == 0;
    });
  }
  // Moves the device's clock past any backoff delay up to max_ms.
  void wait_out_backoff(uint64_t max_ms) { sotto_host_clock_advance_ms(clock_, max_ms); }

  sotto_host_clock_t *clock_;
  sotto_host_storage_t *storage_ = nullptr;
  sotto_host_transport_t *transport_ = nullptr;
  std::vector<uint8_t> queue_;
  sotto_device_t device_{};
};

// Collects what a subscribing device is handed through sotto_device_on_message.
struct Received {
  std::vector<std::string> topics;
  std::vector<sotto_err_t> results;
  static void record(void *ctx, const char *topic, sotto_err_t result) {
    auto *self = static_cast<Received *>(ctx);
    self->topics.push_back(topic);
    self->results.push_back(result);
  }
};

// Connects a device; a refusal names the transport's error and what the broker logged.
void connect_or_explain(const TestBroker &broker, HostDevice &device) {
  ASSERT_EQ(sotto_host_transport_connect(device.transport_, 20000), SOTTO_OK)
      << sotto_host_transport_last_error(device.transport_) << "\n"
      << broker.log();
}

TEST(HostTransport, PublishesAreAcknowledgedAndReachASubscriber) {
  TestBroker broker;
  broker.start();
  HostDevice listener(broker.url(), "listener");
  HostDevice sender(broker.url(), "sender");
  connect_or_explain(broker, listener);
  connect_or_explain(broker, sender);
  ASSERT_FALSE(HasFatalFailure());
  sotto_transport_port_t port = sotto_host_transport_port(listener.transport_);
  // Subscribed on the listener's own topic tree so its runtime accepts the address.
  ASSERT_EQ(port.subscribe(port.ctx, "sotto/v1/site-a/listener/#"), SOTTO_OK);

  for (uint8_t i = 0; i < 5; ++i) {
    ASSERT_EQ(sender.emit(i), SOTTO_OK);
  }
  ASSERT_TRUE(sender.drain());
  EXPECT_EQ(sender.stats().delivered, 5u);
  EXPECT_EQ(sender.stats().queued, 0u);
  EXPECT_EQ(sotto_host_transport_get_stats(sender.transport_).publish_acked, 6u);

  // A message addressed to the listener reaches its runtime, which names it unhandled (no area
  // takes downlink messages yet).
  sotto_transport_port_t sender_port = sotto_host_transport_port(sender.transport_);
  const uint8_t payload[] = {0x01, 0x02};
  ASSERT_EQ(sender_port.publish(sender_port.ctx, "sotto/v1/site-a/listener/ota/manifest", payload,
                                sizeof payload),
            SOTTO_OK);
  Received received;
  ASSERT_TRUE(wait_until([&] {
    sotto_host_transport_deliver_incoming(listener.transport_, &listener.device_, Received::record,
                                          &received);
    return received.topics.size() >= 1;
  }));
  ASSERT_EQ(received.topics.size(), 1u);
  EXPECT_EQ(received.topics[0], "sotto/v1/site-a/listener/ota/manifest");
  EXPECT_EQ(received.results[0], SOTTO_ERR_UNHANDLED_TOPIC);
}

TEST(HostTransport, OutageFailsPublishesAndRecoveryStartsWithHealth) {
  TestBroker broker;
  broker.start();
  HostDevice listener(broker.url(), "listener");
  HostDevice sender(broker.url(), "sender");
  connect_or_explain(broker, listener);
  connect_or_explain(broker, sender);
  ASSERT_FALSE(HasFatalFailure());
  sotto_transport_port_t port = sotto_host_transport_port(listener.transport_);
  // The listener watches the sender's topics; its runtime rejects them as foreign
  // (INVALID_ARGUMENT), which still shows each arrival and its order.
  ASSERT_EQ(port.subscribe(port.ctx, "sotto/v1/site-a/sender/#"), SOTTO_OK);
  ASSERT_TRUE(sender.drain());  // boot Health

  broker.stop();
  ASSERT_TRUE(wait_until([&] { return !sotto_host_transport_is_connected(sender.transport_); }));
  for (uint8_t i = 0; i < 3; ++i) {
    ASSERT_EQ(sender.emit(i), SOTTO_OK);
  }
  EXPECT_EQ(sotto_device_poll(&sender.device_), SOTTO_ERR_TRANSPORT);
  EXPECT_EQ(sender.stats().queued, 3u);

  broker.start();  // same port: both clients reconnect on their own
  ASSERT_TRUE(wait_until([&] {
    return sotto_host_transport_is_connected(sender.transport_) &&
           sotto_host_transport_is_connected(listener.transport_);
  }));
  // The listener re-subscribes after reconnecting; wait until its SUBACK can have arrived by
  // round-tripping one publish of its own through the broker.
  sotto_transport_port_t listener_port = sotto_host_transport_port(listener.transport_);
  Received received;
  ASSERT_TRUE(wait_until([&] {
    listener_port.publish(listener_port.ctx, "sotto/v1/site-a/sender/probe", nullptr, 0);
    sotto_host_transport_deliver_incoming(listener.transport_, &listener.device_, Received::record,
                                          &received);
    return !received.topics.empty();
  }));
  received = Received{};
  sender.wait_out_backoff(SOTTO_RECONNECT_MIN_DELAY_MS_DEFAULT);
  ASSERT_TRUE(sender.drain());
  EXPECT_EQ(sender.stats().delivered, 3u);
  EXPECT_EQ(sender.stats().health_published, 2u);

  ASSERT_TRUE(wait_until([&] {
    sotto_host_transport_deliver_incoming(listener.transport_, &listener.device_, Received::record,
                                          &received);
    size_t non_probe = 0;
    for (const auto &topic : received.topics) {
      non_probe += topic.find("probe") == std::string::npos;
    }
    return non_probe >= 4;
  }));
  std::vector<std::string> sender_topics;
  for (const auto &topic : received.topics) {
    if (topic.find("probe") == std::string::npos) {
      sender_topics.push_back(topic);
    }
  }
  ASSERT_EQ(sender_topics.size(), 4u);
  EXPECT_EQ(sender_topics[0], "sotto/v1/site-a/sender/health");
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(sender_topics[i], "sotto/v1/site-a/sender/event");
  }
  EXPECT_EQ(sotto_host_transport_get_stats(sender.transport_).connection_losses, 1u);
}

TEST(HostTransport, UnreachableBrokerIsAClearError) {
  int port = sotto::test::free_loopback_port();  // nothing listens here
  std::string url = "tcp://127.0.0.1:" + std::to_string(port);
  HostDevice device(url, "lonely");
  EXPECT_EQ(sotto_host_transport_connect(device.transport_, 20000), SOTTO_ERR_TRANSPORT);
  std::string error = sotto_host_transport_last_error(device.transport_);
  EXPECT_NE(error.find("cannot connect to " + url), std::string::npos) << error;
  ASSERT_EQ(device.emit(1), SOTTO_OK);
  EXPECT_EQ(sotto_device_poll(&device.device_), SOTTO_ERR_TRANSPORT);
  EXPECT_EQ(device.stats().queued, 1u);
}

TEST(HostTransport, ConnectsWhenTheBrokerAppearsLater) {
  TestBroker broker;  // configured, not started: its port refuses connections for now
  HostDevice device(broker.url(), "late");
  EXPECT_EQ(sotto_host_transport_connect(device.transport_, 20000), SOTTO_ERR_TRANSPORT);
  ASSERT_EQ(device.emit(1), SOTTO_OK);
  EXPECT_EQ(sotto_device_poll(&device.device_), SOTTO_ERR_TRANSPORT);

  broker.start();
  // Publishing (the device's poll, each backoff delay) retries the connection every retry
  // interval.
  ASSERT_TRUE(wait_until([&] {
    device.wait_out_backoff(SOTTO_RECONNECT_MAX_DELAY_MS_DEFAULT);
    sotto_device_poll(&device.device_);
    return device.stats().delivered == 1u;
  }));
  EXPECT_EQ(device.stats().delivered, 1u);
  EXPECT_EQ(device.stats().health_published, 1u);
  EXPECT_EQ(sotto_host_transport_get_stats(device.transport_).connects, 1u);
}

// With sdk_reconnects the SDK, not Paho, decides when to reconnect: after the broker goes away
// the device tries again 1 s after noticing, then 2 s after that failed attempt, and so on
// (no jitter here, for exact counts), and the new link starts with Health.
TEST(HostTransport, SdkReconnectsWithBackoffAfterTheBrokerReturns) {
  TestBroker broker;
  broker.start();
  HostDevice device(broker.url(), "backoff", true);
  ASSERT_TRUE(device.drain()) << sotto_host_transport_last_error(device.transport_) << "\n"
                              << broker.log();
  EXPECT_EQ(device.stats().connect_attempts, 1u);
  EXPECT_EQ(device.stats().health_published, 1u);

  broker.stop();
  ASSERT_TRUE(wait_until([&] { return !sotto_host_transport_is_connected(device.transport_); }));
  ASSERT_EQ(device.emit(7), SOTTO_OK);
  EXPECT_EQ(sotto_device_poll(&device.device_), SOTTO_ERR_TRANSPORT);  // notices the loss
  device.wait_out_backoff(999);
  EXPECT_EQ(sotto_device_poll(&device.device_), SOTTO_ERR_TRANSPORT);
  EXPECT_EQ(device.stats().connect_attempts, 1u);  // not yet
  device.wait_out_backoff(1);
  EXPECT_EQ(sotto_device_poll(&device.device_), SOTTO_ERR_TRANSPORT);
  EXPECT_EQ(device.stats().connect_attempts, 2u);  // 1 s after the loss, refused
  ASSERT_TRUE(wait_until(
      [&] { return sotto_host_transport_get_stats(device.transport_).connect_failures == 1; }));
  EXPECT_EQ(sotto_device_poll(&device.device_), SOTTO_ERR_TRANSPORT);  // notices: retry in 2 s
  device.wait_out_backoff(1999);
  EXPECT_EQ(sotto_device_poll(&device.device_), SOTTO_ERR_TRANSPORT);
  EXPECT_EQ(device.stats().connect_attempts, 2u);  // the second delay is 2 s

  broker.start();
  device.wait_out_backoff(1);
  ASSERT_TRUE(device.drain()) << sotto_host_transport_last_error(device.transport_);
  EXPECT_EQ(device.stats().connect_attempts, 3u);
  EXPECT_EQ(device.stats().delivered, 1u);
  EXPECT_EQ(device.stats().health_published, 2u);
  sotto_host_transport_stats_t transport = sotto_host_transport_get_stats(device.transport_);
  EXPECT_EQ(transport.connects, 2u);
  EXPECT_EQ(transport.connect_attempts, 3u);
  EXPECT_EQ(transport.connection_losses, 1u);
}

TEST(HostTransport, MalformedConfigIsRejected) {
  sotto_host_transport_t *transport = nullptr;
  sotto_host_transport_config_t config{};
  config.broker_url = "http://127.0.0.1:1";
  config.client_id = "x";
  EXPECT_EQ(sotto_host_transport_create(&config, &transport), SOTTO_ERR_INVALID_ARGUMENT);
  config.broker_url = "tcp://127.0.0.1:1";
  config.client_id = "";
  EXPECT_EQ(sotto_host_transport_create(&config, &transport), SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(transport, nullptr);
}

}  // namespace
