// RawClient over Paho's C++ client (MQTT 5, its TLS build).
#include "raw_client.h"

#include <mqtt/async_client.h>

#include <cstdio>
#include <mutex>
#include <thread>

namespace sotto::test {
namespace {

constexpr auto kTimeout = std::chrono::seconds(10);

}  // namespace

RawClient::RawClient(const std::string &broker_url, const std::string &client_id,
                     const TlsFiles &tls, const std::string &username)
    : client_(std::make_unique<mqtt::async_client>(broker_url, client_id,
                                                   mqtt::create_options(MQTTVERSION_5))) {
  auto options = mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_5)
                     .clean_start(true)
                     .keep_alive_interval(std::chrono::seconds(30))
                     .connect_timeout(kTimeout)
                     .finalize();
  // The first error OpenSSL reports names the reason a handshake failed.
  auto tls_error = std::make_shared<std::pair<std::mutex, std::string>>();
  if (!tls.ca_file.empty()) {
    auto ssl = mqtt::ssl_options_builder()
                   .trust_store(tls.ca_file)
                   .enable_server_cert_auth(true)
                   .verify(true)
                   .error_handler([tls_error](const std::string &text) {
                     std::lock_guard<std::mutex> lock(tls_error->first);
                     if (tls_error->second.empty()) tls_error->second = text;
                   })
                   .finalize();
    if (!tls.cert_file.empty()) {
      ssl.set_key_store(tls.cert_file);
      ssl.set_private_key(tls.key_file);
    }
    options.set_ssl(ssl);
  }
  if (!username.empty()) options.set_user_name(username);
  client_->start_consuming();
  try {
    client_->connect(options)->wait_for(kTimeout + std::chrono::seconds(5));
  } catch (const mqtt::exception &error) {
    std::lock_guard<std::mutex> lock(tls_error->first);
    throw ConnectRefused(
        "cannot connect to " + broker_url + " as " + client_id + ": " + error.what(),
        tls_error->second);
  }
  if (!client_->is_connected()) {
    throw ConnectRefused("no CONNACK from " + broker_url + " within the timeout", "");
  }
}

RawClient::~RawClient() {
  try {
    if (client_->is_connected()) client_->disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception &) {  // the broker went first; nothing left to close
  }
}

int RawClient::publish_reason(const std::string &topic, const std::vector<uint8_t> &payload) {
  auto message = mqtt::make_message(topic, payload.data(), payload.size(), 1, false);
  try {
    mqtt::delivery_token_ptr token = client_->publish(message);
    if (!token->wait_for(kTimeout)) throw std::runtime_error("no PUBACK for " + topic);
    return token->get_reason_code();
  } catch (const mqtt::exception &error) {
    // Paho fails the token when the PUBACK carries an error reason (0x80 and above).
    if (error.get_reason_code() >= 0x80) return error.get_reason_code();
    throw std::runtime_error("publish to " + topic + " failed: " + error.what());
  }
}

void RawClient::publish(const std::string &topic, const std::vector<uint8_t> &payload) {
  const int reason = publish_reason(topic, payload);
  if (reason >= 0x80) {
    char code[16];
    std::snprintf(code, sizeof code, "0x%02x", reason);
    throw std::runtime_error("publish to " + topic + " refused by the broker: reason " + code);
  }
}

bool RawClient::closed_by_broker_within(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (client_->is_connected()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void RawClient::subscribe(const std::string &filter) {
  try {
    client_->subscribe(filter, 1)->wait_for(kTimeout);
  } catch (const mqtt::exception &error) {
    throw std::runtime_error("subscribe to " + filter + " refused: " + error.what());
  }
}

std::vector<std::pair<std::string, std::vector<uint8_t>>> RawClient::received_within(
    std::chrono::milliseconds wait) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> messages;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (auto now = std::chrono::steady_clock::now(); now < deadline;
       now = std::chrono::steady_clock::now()) {
    mqtt::const_message_ptr message;
    if (!client_->try_consume_message_for(&message, deadline - now) || !message) continue;
    const std::string &payload = message->get_payload_str();
    messages.emplace_back(message->get_topic(),
                          std::vector<uint8_t>(payload.begin(), payload.end()));
  }
  return messages;
}

std::optional<MqttMessage> RawClient::next(std::chrono::milliseconds timeout) {
  mqtt::const_message_ptr message;
  if (!client_->try_consume_message_for(&message, timeout) || !message) return std::nullopt;
  const std::string &payload = message->get_payload_str();
  return MqttMessage{message->get_topic(), std::vector<uint8_t>(payload.begin(), payload.end())};
}

}  // namespace sotto::test
