// A private mosquitto on a random loopback port, configured like the shipped broker: the
// settings of deploy/mosquitto.conf, and for TLS brokers the listener, certificates, CRL and ACL
// of deploy/mosquitto-tls.conf over a fresh fleet PKI of its own.
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

enum class BrokerLink {
  kPlain,  // tcp://, anonymous clients allowed: for tests of the device port alone
  kTls,    // ssl://, what sotto deploys: certificates from pki_dir(), the fleet ACL
};

class Broker {
 public:
  // Starts it; throws if it does not listen. A TLS broker first runs `pki init` (gateway/pki)
  // into pki_dir(), whose CA, CRL and ACL it then reads.
  explicit Broker(const std::string &name, BrokerLink link = BrokerLink::kPlain);
  ~Broker();

  // Graceful stop: mosquitto writes its persistence file on SIGTERM.
  void stop();
  // SIGKILL: what it holds only in memory is gone.
  void kill_hard();
  // The file mosquitto saves its sessions and queued messages to.
  std::string persistence_file() const { return dir_ + "/mosquitto.db"; }
  void start();
  // SIGHUP, as sottoctl sends it; waits until the broker's log says it reloaded.
  void reload();
  int port() const { return port_; }
  std::string url() const;
  const std::string &pki_dir() const { return pki_dir_; }  // "" for a plain broker
  std::string pid_file() const { return dir_ + "/mosquitto.pid"; }
  std::string log() const;

 private:
  std::string dir_;
  std::string config_path_;
  std::string pki_dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

}  // namespace sotto::test
