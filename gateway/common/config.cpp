// Parses sottod.toml with toml++ and rejects anything it does not understand.
#include "config.h"

#include <toml++/toml.h>

#include <boost/asio/ip/address.hpp>
#include <set>
#include <stdexcept>

namespace sotto::gw {
namespace {

[[noreturn]] void fail(const std::string &key, const std::string &what) {
  throw std::runtime_error("config: " + key + ": " + what);
}

class Section {
 public:
  Section(const toml::table &root, std::string name) : name_(std::move(name)) {
    if (const toml::node *node = root.get(name_)) {
      table_ = node->as_table();
      if (table_ == nullptr) fail(name_, "expected a table");
    }
  }

  void read(const char *key, std::string *out) {
    if (const toml::node *node = find(key)) {
      auto value = node->value<std::string>();
      if (!value || !node->is_string()) fail(name_ + "." + key, "expected a string");
      *out = *value;
    }
  }

  void read(const char *key, bool *out) {
    if (const toml::node *node = find(key)) {
      if (!node->is_boolean()) fail(name_ + "." + key, "expected true or false");
      *out = *node->value<bool>();
    }
  }

  template <typename Integer>
  void read(const char *key, Integer *out, int64_t min, int64_t max) {
    if (const toml::node *node = find(key)) {
      if (!node->is_integer()) fail(name_ + "." + key, "expected an integer");
      int64_t value = *node->value<int64_t>();
      if (value < min || value > max) {
        fail(name_ + "." + key, "expected " + std::to_string(min) + ".." + std::to_string(max) +
                                    ", got " + std::to_string(value));
      }
      *out = static_cast<Integer>(value);
    }
  }

  // Every key present must have been read.
  void reject_unknown() const {
    if (table_ == nullptr) return;
    for (const auto &[key, node] : *table_) {
      if (known_.count(std::string(key.str())) == 0)
        fail(name_ + "." + std::string(key.str()), "unknown key");
    }
  }

 private:
  const toml::node *find(const char *key) {
    known_.insert(key);
    return table_ == nullptr ? nullptr : table_->get(key);
  }

  std::string name_;
  const toml::table *table_ = nullptr;
  std::set<std::string> known_;
};

}  // namespace

Config load_config(const std::string &path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error &error) {
    throw std::runtime_error("config: " + path + ": " + std::string(error.description()) +
                             " at line " + std::to_string(error.source().begin.line));
  }
  for (const auto &[key, node] : root) {
    static const std::set<std::string> kSections = {"log",    "mqtt",      "store",  "http",
                                                    "ingest", "aggregate", "rollout"};
    if (kSections.count(std::string(key.str())) == 0)
      fail(std::string(key.str()), "unknown section");
  }
  Config config;
  Section log(root, "log");
  log.read("path", &config.log.path);
  log.reject_unknown();
  Section mqtt(root, "mqtt");
  mqtt.read("broker", &config.mqtt.broker);
  mqtt.read("client_id", &config.mqtt.client_id);
  mqtt.read("session_expiry_s", &config.mqtt.session_expiry_s, 0, UINT32_MAX);
  mqtt.read("keepalive_s", &config.mqtt.keepalive_s, 1, 65535);
  mqtt.read("persistence_dir", &config.mqtt.persistence_dir);
  mqtt.read("ca_file", &config.mqtt.ca_file);
  mqtt.read("cert_file", &config.mqtt.cert_file);
  mqtt.read("key_file", &config.mqtt.key_file);
  mqtt.read("username", &config.mqtt.username);
  mqtt.read("password", &config.mqtt.password);
  mqtt.reject_unknown();
  Section store(root, "store");
  store.read("path", &config.store.path);
  store.read("synchronous", &config.store.synchronous);
  store.read("retention_days", &config.store.retention_days, 0, 36500);
  store.reject_unknown();
  Section http(root, "http");
  http.read("listen", &config.http.listen);
  http.read("port", &config.http.port, 1, 65535);
  http.read("require_token", &config.http.require_token);
  http.read("tls_certificate", &config.http.tls_certificate);
  http.read("tls_key", &config.http.tls_key);
  http.read("max_body_bytes", &config.http.max_body_bytes, 1024, int64_t{1} << 30);
  http.reject_unknown();
  Section ingest(root, "ingest");
  ingest.read("max_payload_bytes", &config.ingest.max_payload_bytes, 16, 1 << 20);
  ingest.read("reject_log_interval_s", &config.ingest.reject_log_interval_s, 1, 86400);
  ingest.read("journal_max_bytes", &config.ingest.journal_max_bytes, 1 << 16, int64_t{1} << 40);
  ingest.reject_unknown();
  Section aggregate(root, "aggregate");
  aggregate.read("window_s", &config.aggregate.window_s, 60, int64_t{31} * 86400);
  aggregate.read("low_battery_mv", &config.aggregate.low_battery_mv, 0, 65535);
  aggregate.reject_unknown();
  Section rollout(root, "rollout");
  rollout.read("device_answer_deadline_s", &config.rollout.device_answer_deadline_s, 1,
               int64_t{30} * 86400);
  rollout.reject_unknown();
  validate_config(config);
  return config;
}

void validate_config(const Config &config) {
  if (config.store.synchronous != "normal" && config.store.synchronous != "full") {
    fail("store.synchronous",
         "expected \"normal\" or \"full\", got \"" + config.store.synchronous + "\"");
  }
  const bool tls = config.mqtt.broker.rfind("ssl://", 0) == 0;
  if (!tls && config.mqtt.broker.rfind("tcp://", 0) != 0) {
    fail("mqtt.broker",
         "expected tcp://HOST:PORT or ssl://HOST:PORT, got \"" + config.mqtt.broker + "\"");
  }
  if (tls && config.mqtt.ca_file.empty()) {
    fail("mqtt.ca_file", "an ssl:// broker needs the CA file that signed its certificate");
  }
  // TLS files chosen on purpose next to a plain tcp:// broker are a mistake worth stopping for:
  // the operator believes the link is encrypted. The defaults are simply unused.
  const MqttConfig defaults;
  const bool tls_files_chosen = config.mqtt.ca_file != defaults.ca_file ||
                                config.mqtt.cert_file != defaults.cert_file ||
                                config.mqtt.key_file != defaults.key_file;
  if (!tls && tls_files_chosen &&
      !(config.mqtt.ca_file + config.mqtt.cert_file + config.mqtt.key_file).empty()) {
    fail("mqtt.broker", "TLS files are set but the broker is \"" + config.mqtt.broker +
                            "\" (plain MQTT); use ssl://HOST:PORT");
  }
  if (config.mqtt.cert_file.empty() != config.mqtt.key_file.empty()) {
    fail(config.mqtt.cert_file.empty() ? "mqtt.cert_file" : "mqtt.key_file",
         "mqtt.cert_file and mqtt.key_file go together");
  }
  if (config.mqtt.username.empty() && !config.mqtt.password.empty()) {
    fail("mqtt.username", "a password needs a username");
  }
  if (config.mqtt.client_id.empty()) fail("mqtt.client_id", "must not be empty");
  if (config.store.path.empty()) fail("store.path", "must not be empty");
  if (config.http.tls_certificate.empty() != config.http.tls_key.empty()) {
    fail(config.http.tls_key.empty() ? "http.tls_key" : "http.tls_certificate",
         "set both http.tls_certificate and http.tls_key for HTTPS, or neither");
  }
  boost::system::error_code error;
  boost::asio::ip::make_address(config.http.listen, error);
  if (error) {
    fail("http.listen",
         "expected an IP address (127.0.0.1, 0.0.0.0, ::1), got \"" + config.http.listen + "\"");
  }
}

bool listens_on_loopback_only(const HttpConfig &http) {
  boost::system::error_code error;
  const boost::asio::ip::address address = boost::asio::ip::make_address(http.listen, error);
  return !error && address.is_loopback();
}

std::vector<std::string> changed_keys(const Config &before, const Config &after) {
  std::vector<std::string> keys;
  auto compare = [&keys](const char *key, const auto &a, const auto &b) {
    if (!(a == b)) keys.push_back(key);
  };
  compare("log.path", before.log.path, after.log.path);
  compare("mqtt.broker", before.mqtt.broker, after.mqtt.broker);
  compare("mqtt.client_id", before.mqtt.client_id, after.mqtt.client_id);
  compare("mqtt.session_expiry_s", before.mqtt.session_expiry_s, after.mqtt.session_expiry_s);
  compare("mqtt.keepalive_s", before.mqtt.keepalive_s, after.mqtt.keepalive_s);
  compare("mqtt.ca_file", before.mqtt.ca_file, after.mqtt.ca_file);
  compare("mqtt.cert_file", before.mqtt.cert_file, after.mqtt.cert_file);
  compare("mqtt.key_file", before.mqtt.key_file, after.mqtt.key_file);
  compare("mqtt.username", before.mqtt.username, after.mqtt.username);
  compare("mqtt.password", before.mqtt.password, after.mqtt.password);
  compare("store.path", before.store.path, after.store.path);
  compare("store.synchronous", before.store.synchronous, after.store.synchronous);
  compare("store.retention_days", before.store.retention_days, after.store.retention_days);
  compare("http.listen", before.http.listen, after.http.listen);
  compare("http.port", before.http.port, after.http.port);
  compare("http.require_token", before.http.require_token, after.http.require_token);
  compare("http.tls_certificate", before.http.tls_certificate, after.http.tls_certificate);
  compare("http.tls_key", before.http.tls_key, after.http.tls_key);
  compare("http.max_body_bytes", before.http.max_body_bytes, after.http.max_body_bytes);
  compare("ingest.max_payload_bytes", before.ingest.max_payload_bytes,
          after.ingest.max_payload_bytes);
  compare("ingest.reject_log_interval_s", before.ingest.reject_log_interval_s,
          after.ingest.reject_log_interval_s);
  compare("ingest.journal_max_bytes", before.ingest.journal_max_bytes,
          after.ingest.journal_max_bytes);
  compare("aggregate.window_s", before.aggregate.window_s, after.aggregate.window_s);
  compare("aggregate.low_battery_mv", before.aggregate.low_battery_mv,
          after.aggregate.low_battery_mv);
  compare("rollout.device_answer_deadline_s", before.rollout.device_answer_deadline_s,
          after.rollout.device_answer_deadline_s);
  return keys;
}

}  // namespace sotto::gw
