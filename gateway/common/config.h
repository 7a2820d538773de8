// sottod's configuration: every key optional, defaults documented in deploy/sottod.toml.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sotto::gw {

struct MqttConfig {
  // ssl://HOST:PORT: TLS with the files below; tcp://HOST:PORT: plain MQTT (TLS files unused).
  // 8884: sottod's own loopback listener in deploy/mosquitto-tls.conf (devices use 8883).
  std::string broker = "ssl://127.0.0.1:8884";
  // TLS: the CA that signed the broker's certificate, and sottod's own certificate and key (its
  // identity at the broker). The broker's name must match its certificate. `sottoctl pki init
  // --out /etc/sotto/pki` writes all three.
  std::string ca_file = "/etc/sotto/pki/ca.crt";
  std::string cert_file = "/etc/sotto/pki/gateway.crt";
  std::string key_file = "/etc/sotto/pki/gateway.key";
  // sottod's name in the broker's ACL (broker_files.h). On its own listener no certificate maps
  // to a username, so sottod names itself; without a password it passes only a broker with no
  // password_file. Brokers that authenticate by password take their own username and password.
  std::string username = "sottod.gateway";
  std::string password;
  // Outside the device id alphabet: no device's client id (its CN) can take the session over.
  std::string client_id = "sottod.gateway";
  uint32_t session_expiry_s =
      7 * 24 * 3600;  // how long the broker keeps our queue while we are down
  uint32_t keepalive_s = 30;
  // No longer used (sotto 0.1 kept Paho's message store there); accepted so old configs start.
  std::string persistence_dir;
};

struct StoreConfig {
  // The database file; its directory is sottod's data directory (journal/, lock file, bundles/).
  std::string path = "/var/lib/sotto/sotto.db";
  std::string synchronous = "normal";  // normal: survives a process kill; full: survives power loss
  uint32_t retention_days = 90;        // events older than this are deleted; 0 keeps them
};

struct HttpConfig {
  std::string listen = "127.0.0.1";
  uint16_t port = 8080;
  // Bearer tokens on every request but /healthz. Always on when listen is beyond loopback.
  bool require_token = false;
  // Both set: the API speaks HTTPS only, with this certificate chain and key (PEM).
  std::string tls_certificate;
  std::string tls_key;
  uint64_t max_body_bytes = 16 * 1024 * 1024;  // a bundle upload
};

struct IngestConfig {
  uint32_t max_payload_bytes = 256;
  uint32_t reject_log_interval_s = 60;
  // Acknowledged messages the store has not taken yet; past this ingest stops acknowledging.
  uint64_t journal_max_bytes = 256ull << 20;
};

struct AggregateConfig {
  uint32_t window_s = 3600;
  uint32_t low_battery_mv = 3300;
};

struct RolloutConfig {
  uint32_t device_answer_deadline_s = 1800;  // silent this long mid-update: failed, no_answer
};

struct LogConfig {
  std::string path;  // "" logs to stderr (journald); a file is reopened on SIGHUP
};

struct Config {
  LogConfig log;
  MqttConfig mqtt;
  StoreConfig store;
  HttpConfig http;
  IngestConfig ingest;
  AggregateConfig aggregate;
  RolloutConfig rollout;
};

// Reads a TOML file. Throws std::runtime_error naming the key for unknown keys, wrong types and
// out-of-range values.
Config load_config(const std::string &path);
// Checks cross-field rules (also after command-line overrides); throws naming the key.
void validate_config(const Config &config);
// True when http.listen is a loopback address (127.0.0.0/8, ::1): nobody else can connect.
bool listens_on_loopback_only(const HttpConfig &http);
// The keys ("store.path", ...) whose values differ between the two.
std::vector<std::string> changed_keys(const Config &before, const Config &after);

}  // namespace sotto::gw
