// Nothing acknowledged is lost, with a real mosquitto and sottod: kill -9 of sottod at twenty
// points with acknowledged messages provably only in its journal, a broker restart with a
// backlog, a broker kill -9 (loses exactly what came after its last save, as the README says), a
// full disk and a held write lock (backpressure, then everything stored once), a second sottod on
// the same data directory. Every count is exact.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "fleet_fixture.h"
#include "http_client.h"
#include "raw_publisher.h"

namespace sotto::test {
namespace {

constexpr uint32_t kBoot = 77;
const std::string kSite = "plant";

std::vector<uint8_t> event_bytes(uint32_t seq) {
  return encode(sotto_event_t{
      SOTTO_EVENT_THRESHOLD, 1, static_cast<uint8_t>(seq % 251), seq, 100 + seq, 0, {}});
}

// One device publishing at QoS 1 through its own connection: `acknowledged` counts the events the
// broker acknowledged to it, which is what the device takes as delivered.
class CountedDevice {
 public:
  CountedDevice(const std::string &broker_url, std::string id)
      : id_(std::move(id)), publisher_(broker_url, id_ + "-device") {
    publisher_.publish(topic("health"), encode(health_of(id_, kBoot)));
  }
  void publish_events(uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) publish_next();
  }
  void publish_next() {
    publisher_.publish(topic("event"), event_bytes(acknowledged_));
    ++acknowledged_;
  }
  uint32_t acknowledged() const { return acknowledged_; }
  const std::string &id() const { return id_; }

 private:
  std::string topic(const char *channel) const {
    return "sotto/v1/" + kSite + "/" + id_ + "/" + channel;
  }
  std::string id_;
  RawPublisher publisher_;
  std::atomic<uint32_t> acknowledged_{0};
};

class IngestDurability : public FleetTest {
 protected:
  // Every event the device saw acknowledged is stored exactly once, in its boot.
  void expect_stored_exactly_once(const std::string &device, uint32_t acknowledged) {
    ASSERT_TRUE(wait_for_stored(acknowledged, std::chrono::seconds(120)))
        << "stored " << stored_event_count() << " of " << acknowledged;
    const auto rows = stored_events(device);
    std::set<uint64_t> seqs;
    for (const auto &[boot, seq] : rows) {
      EXPECT_EQ(boot, kBoot);
      seqs.insert(seq);
    }
    EXPECT_EQ(rows.size(), size_t{acknowledged});
    EXPECT_EQ(seqs.size(), size_t{acknowledged});
    if (!seqs.empty()) {
      EXPECT_EQ(*seqs.begin(), 0u);
      EXPECT_EQ(*seqs.rbegin(), uint64_t{acknowledged - 1});
    }
    EXPECT_EQ(stored_event_count(), static_cast<long>(acknowledged));
  }

  boost::json::object healthz() const {
    const HttpResponse response = http_get(gateway_->http_port(), "/healthz");
    if (response.status == 0) return {};
    auto body = boost::json::parse(response.body).as_object();
    body["http_status"] = response.status;
    return body;
  }

  // Waits until /healthz reports `status`; returns its body.
  boost::json::object wait_for_health(const std::string &status) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      auto body = healthz();
      if (body.contains("status") && body.at("status").as_string() == status) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "healthz never said " << status << "; log:\n" << gateway_->log();
    return {};
  }

  std::string write_config(const std::string &text) const {
    const std::string path = dir_ + "/sottod.toml";
    std::ofstream(path) << text;
    return path;
  }
};

// The writer holds every batch 150 ms, so acknowledged messages sit in the journal only; kills
// land after 1, 2, ... 10 messages of a run and at ten seeded random points later.
class KilledGateway : public IngestDurability {
  void configure_gateway(GatewayProcess &gateway) override {
    gateway.set_env({"SOTTO_TEST_WRITER_HOLD_MS=150"});
  }
};

TEST_F(KilledGateway, KilledAtTwentyPointsLosesNothingAndStoresNothingTwice) {
  CountedDevice device(broker_->url(), "crash-1");
  std::atomic<bool> publishing{true};
  std::thread publisher([&] {
    while (publishing) {
      device.publish_next();
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  std::vector<long> kill_points;
  for (long k = 1; k <= 10; ++k) kill_points.push_back(k);
  std::mt19937 random(20261205);
  for (int i = 0; i < 10; ++i)
    kill_points.push_back(std::uniform_int_distribution<long>(20, 300)(random));
  std::vector<long> journaled_at_kill;
  for (long point : kill_points) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (gateway_->metric("sotto_ingest_messages_total") < static_cast<double>(point) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    gateway_->kill_hard();
    journaled_at_kill.push_back(journal_records_beyond_store());
    gateway_->start();
  }
  publishing = false;
  publisher.join();
  expect_stored_exactly_once(device.id(), device.acknowledged());
  std::cout << "acknowledged " << device.acknowledged() << "; journal records beyond the store at "
            << "each kill: " << ::testing::PrintToString(journaled_at_kill) << "\n";
  // The crash window was hit: acknowledged messages were only in the journal at most kills.
  const long hits = std::count_if(journaled_at_kill.begin(), journaled_at_kill.end(),
                                  [](long records) { return records > 0; });
  EXPECT_GE(hits, 10) << "journal records beyond the store at each kill: "
                      << ::testing::PrintToString(journaled_at_kill);
}

TEST_F(IngestDurability, BrokerRestartWithABacklogDeliversEveryEventOnce) {
  ASSERT_EQ(gateway_->stop(), 0);
  CountedDevice device(broker_->url(), "backlog-1");
  device.publish_events(1200);
  broker_->stop();  // writes its persistence file
  broker_->start();
  gateway_->start();
  expect_stored_exactly_once(device.id(), 1200);
}

// README: a broker kill -9 (or power cut) loses what it received after its last autosave
// (autosave_interval in deploy/mosquitto.conf); what it saved survives.
TEST_F(IngestDurability, BrokerKilledHardLosesOnlyWhatCameAfterItsLastSave) {
  ASSERT_EQ(gateway_->stop(), 0);
  CountedDevice device(broker_->url(), "saved-1");
  device.publish_events(300);  // A: saved at the next autosave
  auto saved_at = [&] {
    struct stat info {};
    return ::stat(broker_->persistence_file().c_str(), &info) == 0
               ? info.st_mtim.tv_sec * 1000000000L + info.st_mtim.tv_nsec
               : 0L;
  };
  const long before = saved_at();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (saved_at() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(saved_at(), before) << "mosquitto never autosaved";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the save finish writing
  device.publish_events(200);  // B: only in the broker's memory until the next autosave
  broker_->kill_hard();
  broker_->start();
  gateway_->start();
  // A marker published now is delivered after everything the session held: once it is stored,
  // nothing more of A or B can come.
  RawPublisher marker(broker_->url(), "marker-device");
  marker.publish("sotto/v1/" + kSite + "/" + device.id() + "/event", event_bytes(1000));
  ASSERT_TRUE(wait_for_stored(301, std::chrono::seconds(60)));
  const auto rows = stored_events(device.id());
  std::set<uint64_t> seqs;
  for (const auto &[boot, seq] : rows) seqs.insert(seq);
  EXPECT_EQ(rows.size(), 301u);
  EXPECT_EQ(seqs.size(), 301u);
  EXPECT_EQ(*seqs.rbegin(), 1000u);
  EXPECT_EQ(*std::next(seqs.rbegin()), 299u);  // all of A, none of B
}

// A 4 MiB tmpfs holds sottod's data directory; a filler file takes every byte left.
class FullDisk : public IngestDurability {
 protected:
  void configure_gateway(GatewayProcess &gateway) override {
    mount_ = dir_ + "/small-disk";
    std::filesystem::create_directories(mount_);
    mounted_ = std::system(("mount -t tmpfs -o size=4m sotto-test " + mount_).c_str()) == 0;
    if (mounted_) gateway.set_db_path(mount_ + "/sotto.db");
  }
  void TearDown() override {
    if (gateway_) gateway_->kill_hard();
    if (mounted_) {
      EXPECT_EQ(std::system(("umount " + mount_).c_str()), 0);
    }
  }
  void fill() {
    std::FILE *filler = std::fopen((mount_ + "/filler").c_str(), "wb");
    ASSERT_NE(filler, nullptr);
    std::vector<char> block(4096, 'x');
    while (std::fwrite(block.data(), 1, block.size(), filler) == block.size() &&
           std::fflush(filler) == 0) {
    }
    std::fclose(filler);
  }

  std::string mount_;
  bool mounted_ = false;
};

TEST_F(FullDisk, FullDiskPausesIngestWithoutAcknowledgingAndResumesWithNothingLost) {
  if (!mounted_) GTEST_SKIP() << "mounting a tmpfs needs root";
  CountedDevice device(broker_->url(), "disk-1");
  device.publish_events(10);
  ASSERT_TRUE(wait_for_stored(10, std::chrono::seconds(30)));
  fill();
  device.publish_events(490);  // the broker acknowledges them; sottod cannot
  const auto paused = wait_for_health("backpressure");
  EXPECT_EQ(paused.at("http_status").as_int64(), 503);
  EXPECT_NE(std::string(paused.at("reason").as_string()).find("No space left on device"),
            std::string::npos)
      << paused;
  EXPECT_EQ(gateway_->metric("sotto_ingest_backpressure"), 1);
  // It stopped taking messages (a few more may fit in the journal's last partly used page).
  const double taken = gateway_->metric("sotto_ingest_messages_total");
  EXPECT_LT(taken, 501);
  std::filesystem::remove(mount_ + "/filler");
  wait_for_health("ok");
  expect_stored_exactly_once(device.id(), 500);
  // Everything was taken exactly once: nothing acknowledged twice, nothing left behind.
  EXPECT_EQ(gateway_->metric("sotto_ingest_messages_total"), 501);
  EXPECT_EQ(gateway_->metric("sotto_ingest_duplicates_total"), 0);
  EXPECT_EQ(gateway_->metric("sotto_ingest_backpressure_episodes_total"), 1);
  const std::string log = gateway_->log();
  EXPECT_NE(log.find("ingest paused, nothing more is acknowledged: journal: cannot write"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("ingest resumed after"), std::string::npos) << log;
}

// An operator's sqlite3 holds the write lock: the store stalls, the journal fills to its limit
// (64 KiB here), ingest stops acknowledging, and all of it is stored once the lock goes.
class HeldLock : public IngestDurability {
  void configure_gateway(GatewayProcess &gateway) override {
    gateway.set_extra_args({"--config", write_config("[ingest]\njournal_max_bytes = 65536\n")});
  }
};

TEST_F(HeldLock, HeldWriteLockStallsTheStoreThenPausesIngestAndNothingIsLost) {
  CountedDevice device(broker_->url(), "lock-1");
  sqlite3 *operator_session = nullptr;
  ASSERT_EQ(sqlite3_open(gateway_->db_path().c_str(), &operator_session), SQLITE_OK);
  // sottod's writer may be committing (the device's connect Health) at this moment: wait for
  // its lock as an operator's sqlite3 with .timeout would, rather than fail on SQLITE_BUSY.
  ASSERT_EQ(sqlite3_busy_timeout(operator_session, 30000), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(operator_session, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  device.publish_events(3000);  // about 150 KB of journal: over the limit
  const auto paused = wait_for_health("backpressure");
  EXPECT_NE(
      std::string(paused.at("reason").as_string()).find("over ingest.journal_max_bytes (65536)"),
      std::string::npos)
      << paused;
  EXPECT_EQ(gateway_->metric("sotto_store_stalled"), 1);
  EXPECT_EQ(stored_event_count(), 0);
  const double taken = gateway_->metric("sotto_ingest_messages_total");
  EXPECT_GT(taken, 0);
  EXPECT_LT(taken, 3001);  // it stopped consuming; the broker holds the rest
  EXPECT_EQ(sqlite3_exec(operator_session, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(operator_session);
  wait_for_health("ok");
  expect_stored_exactly_once(device.id(), 3000);
  EXPECT_EQ(gateway_->metric("sotto_store_stall_episodes_total"), 1);
  EXPECT_NE(gateway_->log().find("store cannot commit, messages wait in the journal: store " +
                                 gateway_->db_path() + ":"),
            std::string::npos)
      << gateway_->log();
}

TEST_F(IngestDurability, SecondGatewayOnTheSameDataDirectoryIsRefusedByName) {
  GatewayProcess second(dir_, broker_->url());
  second.launch();
  EXPECT_EQ(second.wait_exit(std::chrono::seconds(30)), 1);
  const std::string log = read_file(dir_ + "/sottod.log");
  EXPECT_NE(log.find("another sottod (pid "), std::string::npos) << log;
  EXPECT_NE(
      log.find("is running on the data directory " + dir_ + " (it holds " + dir_ + "/sottod.lock)"),
      std::string::npos)
      << log;
  EXPECT_EQ(healthz().at("status").as_string(), "ok");  // the first one is untouched
}

// SIGHUP reopens the log (logrotate moved it), reads the configuration again, applies what can
// change while running and names what needs a restart; sottod keeps running.
class Reload : public IngestDurability {
 protected:
  void configure_gateway(GatewayProcess &gateway) override {
    log_path_ = dir_ + "/file.log";
    gateway.set_extra_args({"--config", config_with("low_battery_mv = 3300", "keepalive_s = 30")});
  }
  std::string config_with(const std::string &aggregate, const std::string &mqtt) const {
    return write_config("[log]\npath = \"" + log_path_ + "\"\n[aggregate]\n" + aggregate +
                        "\n[mqtt]\n" + mqtt + "\n");
  }
  long low_battery_devices() const {
    const auto fleet = boost::json::parse(http_get(gateway_->http_port(), "/api/v1/fleet").body);
    return static_cast<long>(
        fleet.at("sites").as_array().at(0).at("low_battery_devices").as_int64());
  }

  std::string log_path_;
};

TEST_F(Reload, SighupReopensTheLogAppliesWhatItCanAndNamesWhatNeedsARestart) {
  CountedDevice device(broker_->url(), "hup-1");  // its Health reports 3300 mV
  device.publish_events(1);
  ASSERT_TRUE(wait_for_stored(1, std::chrono::seconds(30)));
  EXPECT_EQ(low_battery_devices(), 0);
  config_with("low_battery_mv = 3400", "keepalive_s = 45");
  std::filesystem::rename(log_path_, log_path_ + ".1");
  gateway_->signal(SIGHUP);
  std::string log;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (log.find("takes effect after a restart") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = read_file(log_path_);
  }
  EXPECT_NE(log.find("SIGHUP: log reopened, " + dir_ +
                     "/sottod.toml read again; applied "
                     "aggregate.low_battery_mv"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("SIGHUP: mqtt.keepalive_s changed; takes effect after a restart of sottod"),
            std::string::npos)
      << log;
  EXPECT_EQ(low_battery_devices(), 1);
  EXPECT_TRUE(gateway_->running());
  EXPECT_EQ(healthz().at("status").as_string(), "ok");
}

}  // namespace
}  // namespace sotto::test
