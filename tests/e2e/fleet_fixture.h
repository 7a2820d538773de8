// End-to-end fixture: a private broker, a real sottod on it, and sotto-sim runs against both.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "broker.h"
#include "process.h"
#include "sotto/messages.h"

namespace sotto::test {

// sottod as a child process with its own data directory (SQLite file and ingest journal), which
// survives restarts of the process (that is what the crash tests are about).
class GatewayProcess {
 public:
  GatewayProcess(std::string dir, std::string broker_url);
  ~GatewayProcess();

  // sottod.toml text passed with --config (the command line still sets broker, database and
  // port); with https, readiness is any answer on the port.
  void set_config(const std::string &toml, bool https = false);
  // The bearer token metric() sends (a viewer's is enough).
  void set_token(const std::string &token) { token_ = token; }

  void start();  // waits until /healthz says ready (subscribed)
  // Starts without waiting for readiness (a test that expects it not to become ready).
  void launch();
  // Added to the command line / environment of the next start().
  void set_extra_args(std::vector<std::string> args) { extra_args_ = std::move(args); }
  void set_env(std::vector<std::string> env) { env_ = std::move(env); }
  bool running() { return process_ && process_->running(); }
  void signal(int signal_number) { process_->signal(signal_number); }
  int wait_exit(std::chrono::milliseconds timeout) { return process_->wait(timeout); }
  void kill_hard();  // SIGKILL: no chance to flush or say goodbye
  int stop();        // SIGTERM; returns the exit status
  int http_port() const { return http_port_; }
  const std::string &db_path() const { return db_path_; }
  void set_db_path(std::string path) { db_path_ = std::move(path); }
  std::string log() const;

  // The value of one Prometheus series from /metrics ("name" or "name{labels}"); -1 if absent.
  double metric(const std::string &series) const;

 private:
  std::string dir_;
  std::string broker_url_;
  std::string db_path_;
  int http_port_;
  std::string config_path_;
  bool https_ = false;
  std::string token_;
  std::vector<std::string> extra_args_;
  std::vector<std::string> env_;
  std::unique_ptr<Process> process_;
};

struct SimResult {
  int exit_code = -1;
  std::string summary_json;
};

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Called before the gateway's first start (extra flags, environment, data directory).
  virtual void configure_gateway(GatewayProcess &) {}

  // Runs sotto-sim to completion with the given extra flags (plus --broker and --summary-json).
  SimResult run_sim(const std::vector<std::string> &flags, std::chrono::seconds timeout);
  // Starts sotto-sim in the background.
  std::unique_ptr<Process> start_sim(const std::vector<std::string> &flags);
  std::string summary_path() const { return dir_ + "/sim-summary.json"; }

  // Events stored for a device as (boot_id, seq) rows, read from the gateway's SQLite file.
  std::vector<std::pair<uint32_t, uint64_t>> stored_events(const std::string &device) const;
  long stored_event_count() const;
  // Journal records sottod acknowledged that its store has not committed yet (read from the
  // journal files beside the database and the position the store recorded).
  long journal_records_beyond_store() const;
  // Waits until the gateway has stored `count` events in total (or the deadline passes).
  bool wait_for_stored(long count, std::chrono::seconds timeout) const;

  std::string dir_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<GatewayProcess> gateway_;
};

struct CtlResult {
  int exit_code;
  std::string output;  // stdout and stderr, in order
};
// Runs sottoctl to completion with args; its output is kept in DIR/sottoctl-N.log.
CtlResult run_sottoctl(const std::string &dir, const std::vector<std::string> &args);

// A device's messages as the SDK encodes them, for tests that publish by hand.
std::vector<uint8_t> encode(const sotto_event_t &event);
std::vector<uint8_t> encode(const sotto_health_t &health);
// Health of `device` in boot `boot_id`: 3300 mV, SDK 100, 10 s up.
sotto_health_t health_of(const std::string &device, uint32_t boot_id);

}  // namespace sotto::test
