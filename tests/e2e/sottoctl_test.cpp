// sottoctl against a real sottod: tables and JSON carry what the devices sent, and each kind of
// failure has its own exit status (1 gateway said no, 2 usage, 3 unreachable).
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fleet_fixture.h"

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
    auto valve = connect_device("valve-3", "farm-north");
    valve->publish("sotto/v1/farm-north/valve-3/health", encode(health_of("valve-3", 77)));
    for (uint32_t seq = 0; seq < 3; ++seq) {
      sotto_event_t event = {SOTTO_EVENT_THRESHOLD, 2, 255, seq, 20 + seq, 1, {}};
      event.readings[0] = {SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE, static_cast<int32_t>(180 - seq)};
      valve->publish("sotto/v1/farm-north/valve-3/event", encode(event));
    }
    auto press = connect_device("press-1", "plant-1");
    press->publish("sotto/v1/plant-1/press-1/health", encode(health_of("press-1", 5)));
    for (uint32_t seq = 0; seq < 2; ++seq) {
      press->publish("sotto/v1/plant-1/press-1/event",
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
  // SITE DEVICES MODELS EVENTS ANOMALY CLASSIFICATION THRESHOLD HEARTBEAT DROPPED LOW BATTERY
  // (2 words); neither device has a model: "rules:1".
  const std::vector<std::string> farm = {"farm-north", "1", "rules:1", "3", "0",
                                         "0",          "3", "0",       "0", "0"};
  const std::vector<std::string> plant = {"plant-1", "1", "rules:1", "2", "2",
                                          "0",       "0", "0",       "0", "0"};
  EXPECT_EQ(std::vector<std::string>(rows[1].begin(), rows[1].begin() + 10), farm);
  EXPECT_EQ(std::vector<std::string>(rows[2].begin(), rows[2].begin() + 10), plant);
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

// A sotto-sim fleet on one site: `devices` devices emitting `events` events each.
std::vector<std::string> backup_fleet(const std::string &site, int devices, int events,
                                      const std::string &time_scale) {
  return {"--devices",
          std::to_string(devices),
          "--sites",
          site + ":agri",
          "--events-per-device",
          std::to_string(events),
          "--queue-events",
          std::to_string(events),
          "--time-scale",
          time_scale,
          "--seed",
          "5",
          "--duration",
          "240",
          "--drain-timeout",
          "60"};
}

// What a backup file holds, read with SQLite itself rather than the code under test.
struct BackupContents {
  std::string integrity;
  std::string journal_mode;
  long events = -1;
  long devices = -1;
  long events_counted_by_devices = -1;  // SUM(devices.event_count): equal in a consistent copy
};

BackupContents read_backup(const std::string &path) {
  BackupContents contents;
  sqlite3 *db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return contents;
  }
  auto text = [db](const char *sql) {
    sqlite3_stmt *query = nullptr;
    std::string value;
    sqlite3_prepare_v2(db, sql, -1, &query, nullptr);
    if (sqlite3_step(query) == SQLITE_ROW)
      value = reinterpret_cast<const char *>(sqlite3_column_text(query, 0));
    sqlite3_finalize(query);
    return value;
  };
  contents.integrity = text("PRAGMA integrity_check");
  contents.journal_mode = text("PRAGMA journal_mode");
  contents.events = std::stol(text("SELECT COUNT(*) FROM events"));
  contents.devices = std::stol(text("SELECT COUNT(*) FROM devices"));
  contents.events_counted_by_devices = std::stol(text("SELECT SUM(event_count) FROM devices"));
  sqlite3_close(db);
  return contents;
}

// Files in dir whose name starts with prefix (a backup's leftovers would).
std::vector<std::string> files_starting_with(const std::string &dir, const std::string &prefix) {
  std::vector<std::string> names;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(Sottoctl, BackupWhileSottodRunsHoldsExactlyWhatWasStored) {
  SimResult first = run_sim(backup_fleet("farm-north", 10, 100, "3840"), std::chrono::seconds(240));
  ASSERT_EQ(first.exit_code, 0) << read_file(dir_ + "/sotto-sim.log");
  ASSERT_TRUE(wait_for_stored(1000, std::chrono::seconds(60))) << stored_event_count();

  const std::string path = dir_ + "/backups/first.db";
  std::filesystem::create_directories(dir_ + "/backups");
  auto result = run({"backup", path, "--db", gateway_->db_path()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  ASSERT_TRUE(std::filesystem::exists(path)) << result.output;
  EXPECT_EQ(result.output,
            "backed up " + gateway_->db_path() + " to " + path + ": 1000 events, 10 devices, " +
                std::to_string(std::filesystem::file_size(path)) + " bytes; integrity_check ok\n");
  const BackupContents contents = read_backup(path);
  EXPECT_EQ(contents.integrity, "ok");
  EXPECT_EQ(contents.journal_mode, "delete");  // a standalone file, nothing beside it
  EXPECT_EQ(contents.events, 1000);
  EXPECT_EQ(contents.devices, 10);
  EXPECT_EQ(contents.events_counted_by_devices, 1000);
  EXPECT_EQ(files_starting_with(dir_ + "/backups", "first.db"),
            std::vector<std::string>{"first.db"});
  EXPECT_TRUE(gateway_->running());
}

TEST_F(Sottoctl, BackupDuringIngestIsOneConsistentSnapshot) {
  // 20 devices sending 300 events each at about 5 events per device per second: the copy is
  // taken while sottod stores them.
  auto sim = start_sim(backup_fleet("orchard", 20, 300, "300"));
  ASSERT_TRUE(wait_for_stored(500, std::chrono::seconds(120))) << stored_event_count();
  const std::string path = dir_ + "/during.db";
  auto result = run({"backup", path, "--db", gateway_->db_path(), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  ASSERT_EQ(sim->wait(std::chrono::seconds(240)), 0) << read_file(dir_ + "/sotto-sim.log");
  ASSERT_TRUE(wait_for_stored(6000, std::chrono::seconds(60))) << stored_event_count();
  EXPECT_EQ(stored_event_count(), 6000);

  const auto printed = boost::json::parse(result.output).as_object();
  const BackupContents contents = read_backup(path);
  EXPECT_EQ(contents.integrity, "ok");
  EXPECT_EQ(printed.at("events").to_number<long>(), contents.events);
  EXPECT_EQ(printed.at("devices").to_number<long>(), contents.devices);
  EXPECT_EQ(printed.at("bytes").to_number<long>(),
            static_cast<long>(std::filesystem::file_size(path)));
  EXPECT_EQ(std::string(printed.at("backup").as_string()), path);
  // One commit's view: every stored event counted by its device, nothing half-written.
  EXPECT_GE(contents.events, 500);
  EXPECT_LE(contents.events, 6000);
  EXPECT_EQ(contents.events_counted_by_devices, contents.events);
}

TEST_F(Sottoctl, BackupRefusesAnExistingPathAndAnUnwritableOneByName) {
  publish_small_fleet();
  const std::string existing = dir_ + "/existing.db";
  std::ofstream(existing) << "an operator's file";
  auto refused = run({"backup", existing, "--db", gateway_->db_path()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("backup: " + existing +
                                " already exists; a backup never overwrites a file, give a new "
                                "path"),
            std::string::npos)
      << refused.output;
  EXPECT_EQ(read_file(existing), "an operator's file");

  const std::string nowhere = dir_ + "/no-such-dir/b.db";
  auto unwritable = run({"backup", nowhere, "--db", gateway_->db_path()});
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_NE(unwritable.output.find("backup to " + nowhere + ": cannot create a file in " + dir_ +
                                   "/no-such-dir: No such file or directory (the directory must "
                                   "exist and be writable by this user)"),
            std::string::npos)
      << unwritable.output;

  const std::string not_a_dir = existing + "/b.db";
  auto under_file = run({"backup", not_a_dir, "--db", gateway_->db_path()});
  EXPECT_EQ(under_file.exit_code, 1);
  EXPECT_NE(under_file.output.find("cannot create a file in " + existing + ": Not a directory"),
            std::string::npos)
      << under_file.output;

  auto no_store = run({"backup", dir_ + "/c.db", "--db", dir_ + "/missing.db"});
  EXPECT_EQ(no_store.exit_code, 1);
  EXPECT_NE(no_store.output.find("store " + dir_ +
                                 "/missing.db: no database file there (see store.path in "
                                 "sottod's configuration)"),
            std::string::npos)
      << no_store.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/c.db"));
  EXPECT_EQ(files_starting_with(dir_, "c.db"), std::vector<std::string>{});
}

TEST_F(Sottoctl, NoGatewayAtTheAddressExitsWithThree) {
  auto result = run({"fleet"}, "http://127.0.0.1:" + std::to_string(free_loopback_port()));
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.output.find("no gateway at http://127.0.0.1:"), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace sotto::test
