// Starts mosquitto with the shipped broker settings plus a private listener and persistence dir.
#include "broker.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pki_init.h"

#ifndef SOTTO_MOSQUITTO
#error "SOTTO_MOSQUITTO must name the mosquitto binary"
#endif
#ifndef SOTTO_SHIPPED_BROKER_CONFIG
#error "SOTTO_SHIPPED_BROKER_CONFIG must name deploy/mosquitto.conf"
#endif
#ifndef SOTTO_SHIPPED_BROKER_TLS_CONFIG
#error "SOTTO_SHIPPED_BROKER_TLS_CONFIG must name deploy/mosquitto-tls.conf"
#endif

namespace sotto::test {
namespace {

// Keeps the shipped settings (queue limits, persistence, session expiry, the listener's own
// settings) and drops only what ties the shipped file to one machine: its port, paths, logging
// and user.
bool is_machine_specific(const std::string &line) {
  for (const char *key : {"port", "persistence_location", "log_dest", "pid_file", "user",
                          "include_dir", "log_type", "password_file", "acl_file"}) {
    std::string prefix = key;
    if (line.rfind(prefix + " ", 0) == 0) return true;
  }
  return false;
}

std::string replace_all(std::string text, const std::string &from, const std::string &to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// deploy/mosquitto-tls.conf as shipped, with this PKI directory: its first listener on `port`,
// every further one on a free port of its own; returns the ports in the file's order.
std::vector<int> append_tls_settings(std::ostream &config, int port, const std::string &pki_dir) {
  std::ifstream shipped(SOTTO_SHIPPED_BROKER_TLS_CONFIG);
  if (!shipped) throw std::runtime_error("cannot read " SOTTO_SHIPPED_BROKER_TLS_CONFIG);
  std::vector<int> ports;
  std::string line;
  while (std::getline(shipped, line)) {
    if (line.rfind("listener ", 0) == 0) {
      int next = port;
      while (std::find(ports.begin(), ports.end(), next) != ports.end())
        next = free_loopback_port();
      ports.push_back(next);
      config << "listener " << next << " 127.0.0.1\n";
    } else {
      config << replace_all(line, "/etc/sotto/pki", pki_dir) << "\n";
    }
  }
  return ports;
}

// The shipped TLS listener's connection limit, for the plain listener that stands in for it.
std::string shipped_listener_limit() {
  std::ifstream shipped(SOTTO_SHIPPED_BROKER_TLS_CONFIG);
  std::string line;
  while (std::getline(shipped, line)) {
    if (line.rfind("max_connections ", 0) == 0) return line;
  }
  throw std::runtime_error(SOTTO_SHIPPED_BROKER_TLS_CONFIG " has no max_connections line");
}

}  // namespace

std::string run_as_invoking_user_line() {
  const passwd *user = ::getpwuid(::getuid());
  return std::string("user ") + (user != nullptr ? user->pw_name : "root") + "\n";
}

Broker::Broker(const std::string &name, BrokerLink link)
    : dir_(make_temp_dir("broker-" + name)), port_(free_loopback_port()) {
  config_path_ = dir_ + "/mosquitto.conf";
  std::ifstream shipped(SOTTO_SHIPPED_BROKER_CONFIG);
  if (!shipped) throw std::runtime_error("cannot read " SOTTO_SHIPPED_BROKER_CONFIG);
  std::ofstream config(config_path_);
  std::string line;
  while (std::getline(shipped, line)) {
    if (!is_machine_specific(line)) config << line << "\n";
  }
  config << run_as_invoking_user_line() << "persistence_location " << dir_ << "/\n"
         << "pid_file " << pid_file() << "\n"
         << "log_dest stderr\n";
  if (link == BrokerLink::kTls) {
    pki_dir_ = dir_ + "/pki";
    gw::pki::PkiInitOptions pki;
    pki.dir = pki_dir_;
    pki.now_s = static_cast<int64_t>(std::time(nullptr));
    gw::pki::init_pki(pki);
    listener_ports_ = append_tls_settings(config, port_, pki_dir_);
  } else {
    listener_ports_ = {port_};
    config << "listener " << port_ << " 127.0.0.1\n"
           << "allow_anonymous true\n"
           << shipped_listener_limit() << "\n";
  }
  config.close();
  start();
}

Broker::~Broker() {
  stop();
}

std::string Broker::url() const {
  return (pki_dir_.empty() ? "tcp://127.0.0.1:" : "ssl://127.0.0.1:") + std::to_string(port_);
}

std::string Broker::gateway_url() const {
  return (pki_dir_.empty() ? "tcp://127.0.0.1:" : "ssl://127.0.0.1:") +
         std::to_string(gateway_port());
}

std::string Broker::log() const {
  return read_file(dir_ + "/mosquitto.log");
}

void Broker::start() {
  const size_t started = count_in_log(" running");
  process_ = std::make_unique<Process>(
      SOTTO_MOSQUITTO, std::vector<std::string>{"-c", config_path_}, dir_ + "/mosquitto.log");
  for (int port : listener_ports_) {
    if (!wait_for_port(port, std::chrono::seconds(20))) {
      throw std::runtime_error("mosquitto did not listen on port " + std::to_string(port) +
                               "; log: " + log());
    }
  }
  // It listens before it handles signals: a SIGHUP (reload()) in between would end it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (count_in_log(" running") == started) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("mosquitto never logged that it is running; log: " + log());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

size_t Broker::count_in_log(const std::string &text) const {
  size_t count = 0;
  const std::string whole = log();
  for (size_t at = whole.find(text); at != std::string::npos; at = whole.find(text, at + 1))
    ++count;
  return count;
}

size_t Broker::reload_count() const {
  return count_in_log("Reloading config.");
}

void Broker::reload() {
  const size_t before = reload_count();
  process_->signal(SIGHUP);
  wait_for_reload_after(before);
}

void Broker::wait_for_reload_after(size_t before) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (reload_count() <= before) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("mosquitto did not log a reload after SIGHUP; log: " + log());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Broker::kill_hard() {
  if (!process_) return;
  process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(20));
  process_.reset();
}

void Broker::stop() {
  if (!process_) return;
  process_->signal(SIGTERM);
  process_->wait(std::chrono::seconds(20));
  process_.reset();
}

}  // namespace sotto::test
