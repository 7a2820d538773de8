// A private mosquitto on random loopback ports, configured like the shipped broker: the
// settings of deploy/mosquitto.conf, and for TLS brokers the listeners (the devices' and
// sottod's own), certificates, CRL and ACL of deploy/mosquitto-tls.conf over a fresh fleet PKI
// of its own.
#pragma once

#include <memory>
#include <string>
#include <vector>

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
  // How many reloads the log shows, and a wait until it shows more than `before` (for a SIGHUP
  // someone else sent, e.g. sottoctl); throws after 20 s.
  size_t reload_count() const;
  void wait_for_reload_after(size_t before) const;
  // The devices' listener.
  int port() const { return port_; }
  std::string url() const;
  // sottod's own listener (a TLS broker's second listener: certificates from the gateway link CA
  // only); a plain broker's one listener otherwise.
  int gateway_port() const { return listener_ports_.size() > 1 ? listener_ports_[1] : port_; }
  std::string gateway_url() const;
  // Every listener the broker opened, the devices' first.
  const std::vector<int> &listener_ports() const { return listener_ports_; }
  const std::string &pki_dir() const { return pki_dir_; }  // "" for a plain broker
  std::string pid_file() const { return dir_ + "/mosquitto.pid"; }
  std::string log() const;

 private:
  size_t count_in_log(const std::string &text) const;

  std::string dir_;
  std::string config_path_;
  std::string pki_dir_;
  int port_;
  std::vector<int> listener_ports_;
  std::unique_ptr<Process> process_;
};

}  // namespace sotto::test
