// See mqtt_credentials.h.
#include "mqtt_credentials.h"

#include <atomic>
#include <chrono>

#include "log.h"

namespace sotto::gw {
namespace {

// Paho reports each OpenSSL error of every reconnect attempt; one line per minute is enough to
// name the cause (expired certificate, unknown CA, wrong host name) without flooding the log.
void log_tls_error(const std::string &text) {
  static std::atomic<int64_t> last_logged_s{-3600};
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
  int64_t last = last_logged_s.load();
  if (now_s - last >= 60 && last_logged_s.compare_exchange_strong(last, now_s)) {
    log_line(LogLevel::kWarning, "TLS with the broker: " + text);
  }
}

}  // namespace

void apply_mqtt_credentials(const MqttConfig &config, mqtt::connect_options &options) {
  if (config.broker.rfind("ssl://", 0) == 0) {
    auto tls = mqtt::ssl_options_builder()
                   .trust_store(config.ca_file)
                   .enable_server_cert_auth(true)
                   .verify(true)  // the broker's certificate must name the host we dialled
                   .error_handler(log_tls_error)
                   .finalize();
    if (!config.cert_file.empty()) {
      tls.set_key_store(config.cert_file);
      tls.set_private_key(config.key_file);
    }
    options.set_ssl(tls);
  }
  if (!config.username.empty()) {
    options.set_user_name(config.username);
    if (!config.password.empty()) options.set_password(config.password);
  }
}

}  // namespace sotto::gw
