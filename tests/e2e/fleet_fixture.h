// End-to-end fixture: a private broker, a real sottod on it, and sotto-sim runs against both, all
// over TLS with certificates from the broker's fleet PKI, as deployed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "broker.h"
#include "process.h"
#include "raw_client.h"
#include "sotto/messages.h"

namespace sotto::test {

// sottod as a child process with its own data directory (SQLite file and ingest journal), which
// survives restarts of the process (that is what the crash tests are about). With a PKI
// directory it connects with the gateway certificate from it (to the broker's gateway_url()).
class GatewayProcess {
 public:
  GatewayProcess(std::string dir, std::string broker_url, std::string pki_dir = "");
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
  std::string pki_dir_;
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
  // The broker every test here runs: TLS with the fleet's certificates and ACL, as deployed.
  virtual BrokerLink broker_link() const { return BrokerLink::kTls; }

  // --broker, --pki and --broker-pid-file: how sotto-sim reaches this fixture's broker, each
  // device with its own certificate.
  std::vector<std::string> sim_broker_flags() const;
  // Runs sotto-sim to completion with the given extra flags (plus the broker flags and
  // --summary-json).
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

  // A certificate for the device at the site from the broker's fleet CA (provisioned through
  // gateway/pki like sottoctl device provision, once; the broker is reloaded to know it).
  TlsFiles device_identity(const std::string &device, const std::string &site);
  // A hand-made device: connected with its own certificate.
  std::unique_ptr<RawClient> connect_device(const std::string &device, const std::string &site);
  // The broker's whole verdict on one publish the ACL refuses, from a fresh connection of the
  // device: PUBACK 0x87, then the connection closed (mosquitto 2.0.11 with max_queued_messages 0).
  void expect_publish_refused(const std::string &device, const std::string &site,
                              const std::string &topic, const std::vector<uint8_t> &payload);

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
