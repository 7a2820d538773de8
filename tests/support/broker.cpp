// Starts mosquitto with the shipped broker settings plus a private listener and persistence dir.
#include "broker.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#ifndef SOTTO_MOSQUITTO
#error "SOTTO_MOSQUITTO must name the mosquitto binary"
#endif
#ifndef SOTTO_SHIPPED_BROKER_CONFIG
#error "SOTTO_SHIPPED_BROKER_CONFIG must name deploy/mosquitto.conf"
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

}  // namespace

std::string run_as_invoking_user_line() {
  const passwd *user = ::getpwuid(::getuid());
  return std::string("user ") + (user != nullptr ? user->pw_name : "root") + "\n";
}

Broker::Broker(const std::string &name)
    : dir_(make_temp_dir("broker-" + name)), port_(free_loopback_port()) {
  config_path_ = dir_ + "/mosquitto.conf";
  std::ifstream shipped(SOTTO_SHIPPED_BROKER_CONFIG);
  if (!shipped) throw std::runtime_error("cannot read " SOTTO_SHIPPED_BROKER_CONFIG);
  std::ofstream config(config_path_);
  std::string line;
  bool listener = false;
  while (std::getline(shipped, line)) {
    if (line.rfind("listener ", 0) == 0) {
      config << "listener " << port_ << " 127.0.0.1\n";  // the shipped file's one listener
      listener = true;
    } else if (!is_machine_specific(line)) {
      config << line << "\n";
    }
  }
  if (!listener) throw std::runtime_error(SOTTO_SHIPPED_BROKER_CONFIG " has no listener line");
  config << "allow_anonymous true\n"
         << run_as_invoking_user_line() << "persistence_location " << dir_ << "/\n"
         << "log_dest stderr\n";
  config.close();
  start();
}

Broker::~Broker() {
  stop();
}

void Broker::start() {
  process_ = std::make_unique<Process>(
      SOTTO_MOSQUITTO, std::vector<std::string>{"-c", config_path_}, dir_ + "/mosquitto.log");
  if (!wait_for_port(port_, std::chrono::seconds(20))) {
    throw std::runtime_error("mosquitto did not listen on port " + std::to_string(port_) +
                             "; log: " + read_file(dir_ + "/mosquitto.log"));
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
