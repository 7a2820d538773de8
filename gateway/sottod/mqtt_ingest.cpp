// Paho MQTT C++ session of sottod.
#include "mqtt_ingest.h"

#include <boost/asio/post.hpp>
#include <chrono>

#include "log.h"
#include "mqtt_credentials.h"
#include "time_format.h"

namespace sotto::gw {
namespace {

// Every uplink shape; sotto/v1/+/+/+ also catches unknown channels so they are counted.
const std::vector<std::string> kTopics = {"sotto/v1/+/+/+", "sotto/v1/+/+/ota/status"};

class ActionListener : public mqtt::iaction_listener {
 public:
  ActionListener(std::function<void()> on_success,
                 std::function<void(const std::string &)> on_failure)
      : on_success_(std::move(on_success)), on_failure_(std::move(on_failure)) {}
  void on_success(const mqtt::token &) override { on_success_(); }
  void on_failure(const mqtt::token &token) override {
    on_failure_("code " + std::to_string(token.get_return_code()));
  }

 private:
  std::function<void()> on_success_;
  std::function<void(const std::string &)> on_failure_;
};

}  // namespace

MqttIngest::MqttIngest(boost::asio::io_context &io, const MqttConfig &config, Ingest &ingest,
                       Metrics &metrics)
    : io_(io),
      config_(config),
      ingest_(ingest),
      metrics_(metrics),
      client_(config.broker, config.client_id, mqtt::create_options(MQTTVERSION_5),
              config.persistence_dir),
      retry_timer_(io) {
  client_.set_message_callback([this](const mqtt::const_message_ptr &message) {
    const std::string &payload = message->get_payload_str();
    std::vector<uint8_t> bytes(payload.begin(), payload.end());
    ingest_.handle(message->get_topic(), bytes, now_ms());  // never throws
  });
  subscribe_listener_ = std::make_shared<ActionListener>(
      [this] {
        metrics_.mqtt_connected = 1;
        log_line(LogLevel::kInfo, "subscribed to the fleet's uplink topics");
      },
      [](const std::string &why) {
        log_line(LogLevel::kError, "subscribing to the fleet's topics failed (" + why + ")");
      });
  client_.set_connected_handler([this](const std::string &) {
    log_line(LogLevel::kInfo, "connected to " + config_.broker + " as " + config_.client_id);
    // The broker keeps the subscriptions in the session; subscribing again is harmless and
    // covers a broker that lost its state. Ready (healthz 200) once the broker confirms.
    client_.subscribe(mqtt::string_collection::create(kTopics), std::vector<int>(kTopics.size(), 1),
                      nullptr, *subscribe_listener_);
  });
  client_.set_connection_lost_handler([this](const std::string &cause) {
    metrics_.mqtt_connected = 0;
    log_line(LogLevel::kWarning, "lost the broker connection (" + cause + "); reconnecting");
  });
}

MqttIngest::~MqttIngest() {
  try {
    stop();
  } catch (...) {  // only a failed timer cancel or log write can get here; never leave a destructor
  }
}

void MqttIngest::start() {
  connect();
}

void MqttIngest::connect() {
  auto options = mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_5)
                     .clean_start(false)
                     .keep_alive_interval(std::chrono::seconds(config_.keepalive_s))
                     .automatic_reconnect(std::chrono::seconds(1), std::chrono::seconds(30))
                     .finalize();
  // Set on the final object: Paho C++ 1.2 loses connect properties when the builder is copied,
  // and without a session expiry the broker would drop our queue whenever we disconnect.
  options.set_properties(
      {{mqtt::property::SESSION_EXPIRY_INTERVAL, static_cast<int>(config_.session_expiry_s)}});
  apply_mqtt_credentials(config_, options);
  auto listener = std::make_shared<ActionListener>(
      [this] { boost::asio::post(io_, [this] { failed_attempts_ = 0; }); },
      [this](const std::string &why) {
        boost::asio::post(io_, [this, why] {
          if (failed_attempts_++ % 30 == 0) {
            log_line(LogLevel::kWarning,
                     "cannot connect to " + config_.broker + " (" + why + "); retrying");
          }
          retry_later();
        });
      });
  try {
    client_.connect(options, nullptr, *listener);
    listener_keepalive_ = listener;
  } catch (const mqtt::exception &error) {
    log_line(LogLevel::kError, std::string("mqtt connect: ") + error.what());
    retry_later();
  }
}

void MqttIngest::retry_later() {
  if (stopping_) return;
  retry_timer_.expires_after(std::chrono::seconds(1));
  retry_timer_.async_wait([this](const boost::system::error_code &error) {
    if (!error && !stopping_) connect();
  });
}

void MqttIngest::stop() {
  if (stopping_) return;
  stopping_ = true;
  retry_timer_.cancel();
  try {
    if (client_.is_connected()) client_.disconnect()->wait_for(std::chrono::seconds(5));
  } catch (const mqtt::exception &error) {
    log_line(LogLevel::kWarning, std::string("mqtt disconnect: ") + error.what());
  }
  metrics_.mqtt_connected = 0;
}

}  // namespace sotto::gw
