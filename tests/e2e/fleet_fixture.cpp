// The end-to-end fixture: broker, sottod and sotto-sim as real processes.
#include "fleet_fixture.h"

#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "device_certificates.h"
#include "http_client.h"
#include "sotto/messages.h"

#ifndef SOTTO_BIN_DIR
#error "SOTTO_BIN_DIR must name the directory holding sottod and sotto-sim"
#endif

namespace sotto::test {

GatewayProcess::GatewayProcess(std::string dir, std::string broker_url, std::string pki_dir)
    : dir_(std::move(dir)),
      broker_url_(std::move(broker_url)),
      pki_dir_(std::move(pki_dir)),
      db_path_(dir_ + "/sotto.db"),
      http_port_(free_loopback_port()) {}

GatewayProcess::~GatewayProcess() {
  if (process_) kill_hard();
}

void GatewayProcess::set_config(const std::string &toml, bool https) {
  config_path_ = dir_ + "/sottod.toml";
  std::ofstream(config_path_) << toml;
  https_ = https;
}

void GatewayProcess::launch() {
  std::vector<std::string> args{"--broker", broker_url_,   "--db",
                                db_path_,   "--http-port", std::to_string(http_port_)};
  if (!pki_dir_.empty()) args.insert(args.end(), {"--pki", pki_dir_});
  if (!config_path_.empty()) args.insert(args.end(), {"--config", config_path_});
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  process_ = std::make_unique<Process>(SOTTO_BIN_DIR "/sottod", args, dir_ + "/sottod.log", env_);
}

void GatewayProcess::start() {
  launch();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const int status = http_get(http_port_, "/healthz").status;
    if (status == 200 || (https_ && status != 0)) return;
    if (!process_->running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("sottod did not become healthy; log:\n" + log());
}

void GatewayProcess::kill_hard() {
  process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(10));
  process_.reset();
}

int GatewayProcess::stop() {
  process_->signal(SIGTERM);
  int status = process_->wait(std::chrono::seconds(30));
  process_.reset();
  return status;
}

std::string GatewayProcess::log() const {
  return read_file(dir_ + "/sottod.log");
}

double GatewayProcess::metric(const std::string &series) const {
  std::istringstream lines(http_get(http_port_, "/metrics", token_).body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0)
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
  }
  return -1;
}

void FleetTest::SetUp() {
  const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = make_temp_dir(std::string("e2e-") + info->name());
  broker_ = std::make_unique<Broker>(info->name(), broker_link());
  gateway_ = std::make_unique<GatewayProcess>(dir_, broker_->gateway_url(), broker_->pki_dir());
  configure_gateway(*gateway_);
  gateway_->start();
}

std::vector<std::string> FleetTest::sim_broker_flags() const {
  std::vector<std::string> flags{"--broker", broker_->url(), "--broker-pid-file",
                                 broker_->pid_file()};
  if (!broker_->pki_dir().empty()) flags.insert(flags.end(), {"--pki", broker_->pki_dir()});
  return flags;
}

std::unique_ptr<Process> FleetTest::start_sim(const std::vector<std::string> &flags) {
  std::vector<std::string> args = flags;
  const std::vector<std::string> broker = sim_broker_flags();
  args.insert(args.end(), broker.begin(), broker.end());
  args.insert(args.end(), {"--summary-json", summary_path(), "--quiet"});
  return std::make_unique<Process>(SOTTO_BIN_DIR "/sotto-sim", args, dir_ + "/sotto-sim.log");
}

TlsFiles FleetTest::device_identity(const std::string &device, const std::string &site) {
  const std::string dir = dir_ + "/devices/" + device;
  TlsFiles files{broker_->pki_dir() + "/ca.crt", dir + "/device.crt", dir + "/device.key"};
  if (std::filesystem::exists(files.cert_file)) return files;
  const auto issued =
      gw::pki::provision_devices(gw::pki::PkiPaths{broker_->pki_dir()}, {{device, site, "1"}},
                                 std::time(nullptr), gw::pki::kDefaultDeviceDays);
  std::filesystem::create_directories(dir);
  std::ofstream(files.key_file) << issued.at(0).key_pem;
  std::ofstream(files.cert_file) << issued.at(0).certificate_pem;
  broker_->reload();
  return files;
}

std::unique_ptr<RawClient> FleetTest::connect_device(const std::string &device,
                                                     const std::string &site) {
  return std::make_unique<RawClient>(broker_->url(), "hand-made-" + device,
                                     device_identity(device, site));
}

void FleetTest::expect_publish_refused(const std::string &device, const std::string &site,
                                       const std::string &topic,
                                       const std::vector<uint8_t> &payload) {
  auto client = connect_device(device, site);
  EXPECT_EQ(client->publish_reason(topic, payload), kReasonNotAuthorized) << topic;
  EXPECT_TRUE(client->closed_by_broker_within(std::chrono::seconds(10))) << topic;
}

SimResult FleetTest::run_sim(const std::vector<std::string> &flags, std::chrono::seconds timeout) {
  auto sim = start_sim(flags);
  SimResult result;
  result.exit_code = sim->wait(timeout);
  result.summary_json = read_file(summary_path());
  return result;
}

CtlResult run_sottoctl(const std::string &dir, const std::vector<std::string> &args) {
  static int runs = 0;
  const std::string log = dir + "/sottoctl-" + std::to_string(++runs) + ".log";
  Process ctl(SOTTO_BIN_DIR "/sottoctl", args, log);
  const int code = ctl.wait(std::chrono::seconds(60));
  return {code, read_file(log)};
}

namespace {

// Read-only access to the gateway's database while it runs (WAL allows a concurrent reader).
class Database {
 public:
  explicit Database(const std::string &path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Database() { sqlite3_close(db_); }
  sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("bad query: ") + sqlite3_errmsg(db_));
    }
    return statement;
  }

 private:
  sqlite3 *db_ = nullptr;
};

}  // namespace

std::vector<std::pair<uint32_t, uint64_t>> FleetTest::stored_events(
    const std::string &device) const {
  Database db(gateway_->db_path());
  sqlite3_stmt *query = db.prepare(
      "SELECT b.boot_id, e.seq FROM events e JOIN boots b ON b.boot_key = e.boot_key "
      "JOIN devices d ON d.device_key = b.device_key WHERE d.device_id = ?1 "
      "ORDER BY e.seq");
  sqlite3_bind_text(query, 1, device.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::pair<uint32_t, uint64_t>> rows;
  while (sqlite3_step(query) == SQLITE_ROW) {
    rows.emplace_back(static_cast<uint32_t>(sqlite3_column_int64(query, 0)),
                      static_cast<uint64_t>(sqlite3_column_int64(query, 1)));
  }
  sqlite3_finalize(query);
  return rows;
}

long FleetTest::stored_event_count() const {
  Database db(gateway_->db_path());
  sqlite3_stmt *query = db.prepare("SELECT COUNT(*) FROM events");
  long count =
      sqlite3_step(query) == SQLITE_ROW ? static_cast<long>(sqlite3_column_int64(query, 0)) : -1;
  sqlite3_finalize(query);
  return count;
}

// Reads the journal format of gateway/ingest/journal.h on its own, so the check does not trust
// the code under test: records after the store's position, in every segment from there on.
long FleetTest::journal_records_beyond_store() const {
  int64_t segment = 0, offset = 0;
  {
    Database db(gateway_->db_path());
    sqlite3_stmt *query = db.prepare("SELECT segment, offset FROM journal_position");
    if (sqlite3_step(query) == SQLITE_ROW) {
      segment = sqlite3_column_int64(query, 0);
      offset = sqlite3_column_int64(query, 1);
    }
    sqlite3_finalize(query);
  }
  const std::filesystem::path journal =
      std::filesystem::path(gateway_->db_path()).parent_path() / "journal";
  std::vector<std::filesystem::path> segments;
  for (const auto &entry : std::filesystem::directory_iterator(journal)) {
    if (entry.path().extension() == ".journal") segments.push_back(entry.path());
  }
  std::sort(segments.begin(), segments.end());
  long records = 0;
  for (const auto &path : segments) {
    const int64_t number = std::stoll(path.filename().string());
    if (number < segment) continue;
    const std::string bytes = read_file(path.string());
    size_t at = number == segment ? static_cast<size_t>(offset) : 8;
    while (at + 8 <= bytes.size()) {
      uint32_t length = 0;
      std::memcpy(&length, bytes.data() + at, 4);  // little endian, as written on x86 and arm64
      if (length == 0 || at + 8 + length > bytes.size()) break;
      at += 8 + length;
      ++records;
    }
  }
  return records;
}

bool FleetTest::wait_for_stored(long count, std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (stored_event_count() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// What a well-behaved device sends, encoded with the SDK's codec (for RawClient).
std::vector<uint8_t> encode(const sotto_event_t &event) {
  std::vector<uint8_t> bytes(SOTTO_EVENT_MAX_ENCODED_BYTES);
  size_t length = 0;
  EXPECT_EQ(sotto_event_encode(&event, bytes.data(), bytes.size(), &length), SOTTO_OK);
  bytes.resize(length);
  return bytes;
}

std::vector<uint8_t> encode(const sotto_health_t &health) {
  std::vector<uint8_t> bytes(SOTTO_HEALTH_MAX_ENCODED_BYTES);
  size_t length = 0;
  EXPECT_EQ(sotto_health_encode(&health, bytes.data(), bytes.size(), &length), SOTTO_OK);
  bytes.resize(length);
  return bytes;
}

sotto_health_t health_of(const std::string &device, uint32_t boot_id) {
  sotto_health_t health = {};
  health.boot_id = boot_id;
  health.uptime_s = 10;
  health.battery_mv = 3300;
  health.sdk_version = 100;
  health.device_tag = sotto_device_tag(device.c_str());
  return health;
}

}  // namespace sotto::test
