// The device queue end to end (sotto-sim → mosquitto → sottod → SQLite): events queued in each
// device's flash while the broker is away come back in a reconnect storm and are stored once
// each; events queued before a device lost power go out after it boots again, under the boot
// they were stamped in. Exact counts throughout.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <thread>

#include "fleet_fixture.h"

namespace sotto::test {
namespace {

using namespace std::chrono_literals;

bool wait_for(const std::function<bool()> &condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

class DeviceQueue : public FleetTest {
 protected:
  bool log_says(const std::string &text) const {
    return read_file(dir_ + "/sotto-sim.log").find(text) != std::string::npos;
  }
  bool devices_known(int count) const {
    return wait_for([&] { return gateway_->metric("sotto_devices_known") >= count; }, 120s);
  }
};

// 30 devices hold 20 events each in flash while the broker is down, then reconnect (with
// backoff and jitter) and deliver all 600: each stored exactly once under its device's boot.
TEST_F(DeviceQueue, EventsQueuedWhileTheBrokerIsDownAreStoredOnceAfterTheStorm) {
  constexpr int kDevices = 30;
  constexpr int kEvents = 20;
  auto sim =
      start_sim({"--devices", std::to_string(kDevices), "--sites", "farm-storm:agri",
                 "--events-per-device", std::to_string(kEvents), "--hold-events",
                 "--queue-in-flash", "--queue-events", "64", "--reconnect-min-ms", "200",
                 "--reconnect-max-ms", "2000", "--duration", "300", "--drain-timeout", "60"});
  ASSERT_TRUE(devices_known(kDevices)) << read_file(dir_ + "/sotto-sim.log");
  broker_->stop();
  sim->signal(SIGUSR1);
  ASSERT_TRUE(wait_for([&] { return log_says("600 held events queued"); }, 60s))
      << read_file(dir_ + "/sotto-sim.log");
  broker_->start();
  ASSERT_EQ(sim->wait(300s), 0) << read_file(dir_ + "/sotto-sim.log");

  auto summary = boost::json::parse(read_file(summary_path())).as_object();
  const auto &totals = summary.at("totals").as_object();
  EXPECT_EQ(totals.at("emitted").to_number<long>(), kDevices * kEvents);
  EXPECT_EQ(totals.at("delivered").to_number<long>(), kDevices * kEvents);
  EXPECT_EQ(totals.at("dropped").to_number<long>(), 0);
  const auto &link = summary.at("link").as_object();
  EXPECT_GE(link.at("connection_losses").to_number<long>(), kDevices);
  EXPECT_GE(link.at("connects").to_number<long>(), 2 * kDevices);
  ASSERT_TRUE(wait_for_stored(long{kDevices} * kEvents, 120s)) << stored_event_count();
  EXPECT_EQ(stored_event_count(), kDevices * kEvents);
  for (const auto &entry : summary.at("devices").as_array()) {
    const auto &device = entry.as_object();
    const std::string id(device.at("device").as_string());
    std::set<uint64_t> seqs;
    for (const auto &[boot, seq] : stored_events(id)) {
      EXPECT_EQ(boot, device.at("boot_id").to_number<uint32_t>()) << id;
      seqs.insert(seq);
    }
    EXPECT_EQ(seqs.size(), size_t{kEvents}) << id;
  }
  EXPECT_EQ(gateway_->metric("sotto_ingest_events_without_boot_total"), 0);
}

// Devices queue 10 events each in flash with the broker down and lose power (SIGKILL: the
// flash files stay). Booted again, they send those 10 under their old boot id (a Health of the
// old boot goes first), then a Health of the new boot and 5 new events.
TEST_F(DeviceQueue, EventsQueuedBeforeAPowerLossGoOutUnderTheBootTheyWereStampedIn) {
  constexpr int kDevices = 5;
  const std::string state = dir_ + "/flash";
  ASSERT_EQ(system(("mkdir -p " + state).c_str()), 0);
  const std::vector<std::string> common = {"--devices",
                                           std::to_string(kDevices),
                                           "--sites",
                                           "orchard-7:agri",
                                           "--queue-in-flash",
                                           "--state-dir",
                                           state,
                                           "--reconnect-min-ms",
                                           "200",
                                           "--reconnect-max-ms",
                                           "1000",
                                           "--drain-timeout",
                                           "60"};
  std::vector<std::string> first = common;
  first.insert(first.end(), {"--events-per-device", "10", "--hold-events", "--duration", "300"});
  auto before = start_sim(first);
  ASSERT_TRUE(devices_known(kDevices)) << read_file(dir_ + "/sotto-sim.log");
  broker_->stop();
  before->signal(SIGUSR1);
  ASSERT_TRUE(wait_for([&] { return log_says("50 held events queued"); }, 60s))
      << read_file(dir_ + "/sotto-sim.log");
  before->signal(SIGKILL);
  before->wait(30s);
  broker_->start();

  std::vector<std::string> second = common;
  second.insert(second.end(), {"--events-per-device", "5", "--duration", "120"});
  SimResult after = run_sim(second, 180s);
  ASSERT_EQ(after.exit_code, 0) << read_file(dir_ + "/sotto-sim.log");
  ASSERT_TRUE(wait_for_stored(long{kDevices} * 15, 120s)) << stored_event_count();
  EXPECT_EQ(stored_event_count(), kDevices * 15);
  auto summary = boost::json::parse(after.summary_json).as_object();
  for (const auto &entry : summary.at("devices").as_array()) {
    const auto &device = entry.as_object();
    const std::string id(device.at("device").as_string());
    const auto new_boot = device.at("boot_id").to_number<uint32_t>();
    EXPECT_EQ(device.at("delivered").to_number<long>(), 15) << id;  // 10 old + 5 new
    std::map<uint32_t, std::set<uint64_t>> by_boot;
    for (const auto &[boot, seq] : stored_events(id)) {
      by_boot[boot].insert(seq);
    }
    ASSERT_EQ(by_boot.size(), 2u) << id;
    EXPECT_EQ(by_boot[new_boot], (std::set<uint64_t>{0, 1, 2, 3, 4})) << id;
    by_boot.erase(new_boot);
    EXPECT_EQ(by_boot.begin()->second, (std::set<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})) << id;
  }
  EXPECT_EQ(gateway_->metric("sotto_ingest_events_without_boot_total"), 0);
  EXPECT_EQ(gateway_->metric("sotto_ingest_duplicates_total"), 0);
}

}  // namespace
}  // namespace sotto::test
