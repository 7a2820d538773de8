// The device runtime with its queue in flash, across reboots and power cuts, against a model of
// the gateway's rules: an event belongs to the boot of the latest Health the device published
// before it, and is stored once per (boot id, sequence). Power is cut during every storage op
// of a run (boot counter, queue appends, sent marks, sector erases), the device reboots and
// drains; every event whose emit returned OK must be stored exactly once under its own boot.
// The one duplicate allowed is the event whose sent mark the cut interrupted (acknowledged, not
// yet marked): it is published again with the same boot and sequence, and the gateway drops it.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "flash_queue_fixture.h"
#include "test_ports.h"

namespace sotto::test {
namespace {

using EventKey = std::pair<uint32_t, uint32_t>;  // (boot id, sequence)

using Events = std::map<EventKey, uint8_t>;  // -> the event's class_id (its content here)

// What sottod does with the messages, in order (gateway/store/event_store.cpp): the first copy
// of each (boot, sequence) is stored, later ones are duplicates.
struct GatewayModel {
  std::optional<uint32_t> boot;
  Events stored;
  int duplicates = 0;
  int without_boot = 0;

  void consume(const std::vector<Published> &published) {
    for (const Published &message : published) {
      if (message.topic.find("/health") != std::string::npos) {
        boot = decode_health(message).boot_id;
      } else if (!boot) {
        without_boot += 1;
      } else {
        const sotto_event_t event = decode_event(message);
        duplicates += stored.insert({{*boot, event.seq}, event.class_id}).second ? 0 : 1;
      }
    }
  }
};

constexpr uint64_t kNoCut = ~uint64_t{0};

class RebootingDevice {
 public:
  RebootingDevice(bool pipelined, uint64_t cut_after_ops, sotto_ram_storage_tear_t tear)
      : flash_(256, 6) {
    ports_.use_storage(flash_.port());
    ports_.pipelined = pipelined;
    if (cut_after_ops != kNoCut) {
      sotto_host_storage_cut_power_during(flash_.storage(), cut_after_ops, tear);
    }
  }

  bool powered() { return sotto_host_storage_power_is_cut(flash_.storage()) == 0; }

  // Power on (after a cut: power back) and init, which reads the queue back from flash.
  void boot() {
    for (int attempt = 0; attempt < 3; ++attempt) {
      sotto_host_storage_restore_power(flash_.storage());
      sotto_device_config_t config{};
      config.device_id = "soil-7";
      config.site = "farm-north";
      config.ports = ports_.ports();
      config.queue_in_flash = 1;
      config.max_in_flight = 3;
      config.reconnect = {100, 100, SOTTO_JITTER_NONE};
      if (sotto_device_init(&device_, &config) == SOTTO_OK) {
        return;
      }
    }
    ADD_FAILURE() << "device did not boot";
  }

  // Emits while powered; an emit the cut interrupted may or may not have reached flash.
  void emit(uint8_t first, uint8_t count) {
    for (uint8_t i = first; i < first + count && powered(); ++i) {
      sotto_event_t event{};
      event.kind = SOTTO_EVENT_THRESHOLD;
      event.class_id = i;
      event.reading_count = 1;
      event.readings[0] = {SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE, 100 + i};
      const EventKey key = {device_.boot_id, device_.next_seq};
      const sotto_err_t err = sotto_device_emit(&device_, &event);
      (err == SOTTO_OK ? emitted : maybe)[key] = i;
      EXPECT_TRUE(err == SOTTO_OK || err == SOTTO_ERR_STORAGE) << sotto_err_name(err);
    }
  }

  // Polls while powered, acknowledging whatever is in flight, until nothing is left.
  void send(int polls) {
    for (int i = 0; i < polls && powered(); ++i) {
      ports_.now_ms += 100;  // past any backoff
      sotto_device_poll(&device_);
      ports_.acknowledge(ports_.in_flight.size());
      sotto_device_stats_t stats{};
      sotto_device_get_stats(&device_, &stats);
      if (stats.queued == 0 && stats.in_flight == 0 && stats.health_published > 0) {
        return;
      }
    }
  }

  void run_script() {
    boot();
    emit(0, 6);
    device_.max_publishes_per_poll = 2;
    send(3);  // part of the queue goes out
    device_.max_publishes_per_poll = 0;
    ports_.link_up = false;
    ports_.now_ms += 60000;  // these events carry uptime 60 s
    emit(10, 12);
    send(1);
    boot();  // a reboot with the last boot's events still queued
    emit(30, 4);
    ports_.link_up = true;
    send(40);
    emit(40, 3);
    send(40);
    if (!powered()) {
      boot();  // the cut came late: power back, drain
      send(80);
    }
  }

  uint64_t storage_ops() { return flash_.ops(); }
  sotto_host_storage_t *storage() { return flash_.storage(); }
  void link(bool up) { ports_.link_up = up; }
  const std::vector<Published> &published() const { return ports_.published; }
  uint32_t queued() {
    sotto_device_stats_t stats{};
    sotto_device_get_stats(&device_, &stats);
    return stats.queued;
  }

  Events emitted;
  Events maybe;  // emits a power cut interrupted: they may have reached flash

 private:
  FlashRegion flash_;
  TestPorts ports_;
  sotto_device_t device_{};
};

void check_exactly_once(RebootingDevice &device) {
  GatewayModel gateway;
  gateway.consume(device.published());
  EXPECT_EQ(gateway.without_boot, 0);
  EXPECT_LE(gateway.duplicates, 1);
  EXPECT_EQ(device.queued(), 0u);
  for (const auto &[key, class_id] : device.emitted) {
    auto stored = gateway.stored.find(key);
    ASSERT_NE(stored, gateway.stored.end()) << "lost: boot " << key.first << " seq " << key.second;
    EXPECT_EQ(stored->second, class_id)
        << "another event stored as boot " << key.first << " seq " << key.second;
  }
  for (const auto &[key, class_id] : gateway.stored) {
    auto emitted = device.emitted.find(key);
    auto maybe = device.maybe.find(key);
    const bool known = (emitted != device.emitted.end() && emitted->second == class_id) ||
                       (maybe != device.maybe.end() && maybe->second == class_id);
    EXPECT_TRUE(known) << "stored under the wrong boot or never emitted: boot " << key.first
                       << " seq " << key.second;
  }
}

void cut_everywhere(bool pipelined) {
  RebootingDevice clean(pipelined, kNoCut, {0, 0});
  clean.run_script();
  check_exactly_once(clean);
  ASSERT_EQ(clean.emitted.size(), 25u);
  const uint64_t total_ops = clean.storage_ops();
  const sotto_ram_storage_tear_t tears[] = {{0, 0}, {1, 0}, {8 * 6 + 5, 1}, {100000, 0}};
  int runs = 0;
  for (const sotto_ram_storage_tear_t &tear : tears) {
    for (uint64_t k = 0; k < total_ops; ++k) {
      SCOPED_TRACE(testing::Message()
                   << "cut during op " << k + 1 << " of " << total_ops << ", tear " << tear.bits
                   << (tear.from_end ? " from end" : ""));
      RebootingDevice device(pipelined, k, tear);
      device.run_script();
      check_exactly_once(device);
      runs += 1;
    }
  }
  testing::Test::RecordProperty("cut_points", runs);
}

TEST(DeviceReboot, QueuedEventsOfAnEarlierBootGoOutUnderTheirOwnBoot) {
  RebootingDevice device(false, kNoCut, {0, 0});
  device.run_script();
  check_exactly_once(device);
  // Boot 1: its Health and 5 events (3 polls of 2). Boot 2: boot 1's Health again, its other
  // 13 events, boot 2's Health, its 7 events.
  std::string kinds;
  std::vector<uint32_t> health_boots;
  std::vector<uint32_t> health_uptimes;
  for (const Published &message : device.published()) {
    const bool health = message.topic.find("/health") != std::string::npos;
    if (health) {
      health_boots.push_back(decode_health(message).boot_id);
      health_uptimes.push_back(decode_health(message).uptime_s);
    }
    kinds += health ? "H" : "e";
  }
  EXPECT_EQ(kinds,
            "H" + std::string(5, 'e') + "H" + std::string(13, 'e') + "H" + std::string(7, 'e'));
  EXPECT_EQ(health_boots, (std::vector<uint32_t>{1, 1, 2}));
  // Boot 1 is announced again as if it ended when boot 2 began: 0 s into boot 2 plus the 60 s
  // its newest queued event was stamped with.
  EXPECT_EQ(health_uptimes, (std::vector<uint32_t>{0, 60, 0}));
}

// A flash write that fails without a reboot (it may still have stored the record) uses up the
// event's sequence number: the next event must not take it, or the gateway would keep the
// failed one and drop the next as its duplicate.
TEST(DeviceReboot, AFailedAppendUsesUpItsSequenceNumber) {
  RebootingDevice device(false, kNoCut, {0, 0});
  device.boot();
  device.link(false);
  device.emit(0, 1);
  sotto_host_storage_cut_power_during(device.storage(), 0, {100000, 0});  // stored, then failed
  device.emit(1, 1);
  sotto_host_storage_restore_power(device.storage());  // a glitch, not a reboot
  device.emit(2, 1);
  device.link(true);
  device.send(20);
  EXPECT_EQ(device.emitted.size(), 2u);
  EXPECT_EQ(device.maybe.size(), 1u);
  check_exactly_once(device);
  GatewayModel gateway;
  gateway.consume(device.published());
  EXPECT_EQ(gateway.stored, (Events{{{1, 0}, 0}, {{1, 1}, 1}, {{1, 2}, 2}}));
}

TEST(DeviceReboot, EveryPowerCutKeepsEachEventExactlyOnceUnderItsBoot) {
  cut_everywhere(false);
}

TEST(DeviceReboot, EveryPowerCutKeepsEachEventExactlyOnceWithPublishesInFlight) {
  cut_everywhere(true);
}

}  // namespace
}  // namespace sotto::test
