// A private mosquitto on a random loopback port, configured like the shipped deploy/mosquitto.conf.
#pragma once

#include <memory>
#include <string>

#include "process.h"

namespace sotto::test {

// The config line that keeps a private broker running as the invoking user. Started as root
// without it, mosquitto switches to its own `mosquitto` user, which cannot write a persistence
// directory under the build tree, and where that user cannot traverse / (a chroot made with
// mode 0700) it accepts TCP connections but refuses every MQTT connect.
std::string run_as_invoking_user_line();

class Broker {
 public:
  explicit Broker(const std::string &name);  // starts it; throws if it does not listen
  ~Broker();

  // Graceful stop: mosquitto writes its persistence file on SIGTERM.
  void stop();
  // SIGKILL: what it holds only in memory is gone.
  void kill_hard();
  // The file mosquitto saves its sessions and queued messages to.
  std::string persistence_file() const { return dir_ + "/mosquitto.db"; }
  void start();
  int port() const { return port_; }
  std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string dir_;
  std::string config_path_;
  int port_;
  std::unique_ptr<Process> process_;
};

}  // namespace sotto::test
