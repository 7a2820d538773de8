// Load generator and bare subscriber for the gateway ingest benchmark (deploy/bench-gateway.sh).
//
//   sotto-bench-ingest publish --broker URL --devices D --events N [--site S]
//       publishes one Health per device, then N events round-robin over the devices (QoS 1),
//       and waits until the broker has acknowledged every message.
//   sotto-bench-ingest drain --broker URL --client-id ID --expect N [--prepare]
//       a bare subscriber with a persistent session: --prepare only creates the session; without
//       it, it counts messages until N have arrived and prints {"messages":N,"seconds":S,"rate":R}.
// Both take --ca FILE --cert FILE --key FILE for an ssl:// broker (the client's certificate
// must be allowed the fleet's topics by the broker's ACL).
#include <mqtt/async_client.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "sotto/messages.h"

namespace {

using Clock = std::chrono::steady_clock;

std::map<std::string, std::string> parse_flags(int argc, char **argv, int first) {
  std::map<std::string, std::string> flags;
  for (int i = first; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + flag + "'");
    if (flag == "--prepare") {
      flags[flag] = "1";
    } else if (i + 1 < argc) {
      flags[flag] = argv[++i];
    } else {
      throw std::invalid_argument(flag + " needs a value");
    }
  }
  return flags;
}

std::string required(const std::map<std::string, std::string> &flags, const std::string &name) {
  auto it = flags.find(name);
  if (it == flags.end()) throw std::invalid_argument("missing " + name);
  return it->second;
}

// TLS for ssl:// brokers, from --ca/--cert/--key.
void apply_tls(const std::map<std::string, std::string> &flags, mqtt::connect_options &options) {
  if (flags.count("--ca") == 0) return;
  auto tls = mqtt::ssl_options_builder().trust_store(flags.at("--ca")).verify(true).finalize();
  tls.set_key_store(required(flags, "--cert"));
  tls.set_private_key(required(flags, "--key"));
  options.set_ssl(tls);
}

std::vector<uint8_t> encode_health(const std::string &device) {
  sotto_health_t health = {};
  health.boot_id = sotto_device_tag(device.c_str()) ^ 0x5a5a5a5au;
  health.uptime_s = 60;
  health.battery_mv = 3600;
  health.sdk_version = 100;
  health.device_tag = sotto_device_tag(device.c_str());
  health.device_class = 1;
  std::vector<uint8_t> bytes(SOTTO_HEALTH_MAX_ENCODED_BYTES);
  size_t length = 0;
  if (sotto_health_encode(&health, bytes.data(), bytes.size(), &length) != SOTTO_OK) std::abort();
  bytes.resize(length);
  return bytes;
}

std::vector<uint8_t> encode_event(uint32_t seq) {
  sotto_event_t event = {};
  event.kind = SOTTO_EVENT_THRESHOLD;
  event.class_id = static_cast<uint8_t>(seq % 4);
  event.score = static_cast<uint8_t>(seq % 251);
  event.seq = seq;
  event.uptime_s = 60 + seq;
  event.reading_count = 1;
  event.readings[0] = {SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE,
                       static_cast<int32_t>(150 + seq % 300)};
  std::vector<uint8_t> bytes(SOTTO_EVENT_MAX_ENCODED_BYTES);
  size_t length = 0;
  if (sotto_event_encode(&event, bytes.data(), bytes.size(), &length) != SOTTO_OK) std::abort();
  bytes.resize(length);
  return bytes;
}

int publish(const std::map<std::string, std::string> &flags) {
  const std::string broker = required(flags, "--broker");
  const long devices = std::stol(required(flags, "--devices"));
  const long events = std::stol(required(flags, "--events"));
  const std::string site = flags.count("--site") ? flags.at("--site") : "bench";
  const int window = 20000;  // Paho's default of 100 buffered messages would throttle the load
  mqtt::async_client client(broker, "sotto-bench-publisher",
                            mqtt::create_options(MQTTVERSION_5, window));
  auto options =
      mqtt::connect_options_builder().mqtt_version(MQTTVERSION_5).clean_start(true).finalize();
  apply_tls(flags, options);
  client.connect(options)->wait();

  std::vector<std::string> prefixes;
  for (long d = 0; d < devices; ++d) {
    std::string device = "dev-" + std::to_string(d);
    prefixes.push_back("sotto/v1/" + site + "/");
    prefixes.back() += device + "/";
    auto health = encode_health(device);
    client.publish(prefixes.back() + "health", health.data(), health.size(), 1, false)->wait();
  }
  std::vector<mqtt::delivery_token_ptr> in_flight;
  for (long i = 0; i < events; ++i) {
    auto payload = encode_event(static_cast<uint32_t>(i / devices));
    in_flight.push_back(client.publish(prefixes[static_cast<size_t>(i % devices)] + "event",
                                       payload.data(), payload.size(), 1, false));
    if (in_flight.size() >= static_cast<size_t>(window / 2)) {
      for (auto &token : in_flight) token->wait();
      in_flight.clear();
    }
  }
  for (auto &token : in_flight) token->wait();
  client.disconnect()->wait();
  std::printf("{\"published_health\": %ld, \"published_events\": %ld}\n", devices, events);
  return 0;
}

int drain(const std::map<std::string, std::string> &flags) {
  const std::string broker = required(flags, "--broker");
  const std::string client_id = required(flags, "--client-id");
  const bool prepare = flags.count("--prepare") != 0;
  const long expect = prepare ? 0 : std::stol(required(flags, "--expect"));

  mqtt::async_client client(broker, client_id, mqtt::create_options(MQTTVERSION_5));
  std::atomic<long> received{0};
  std::atomic<long long> first_ns{0}, last_ns{0};
  client.set_message_callback([&](const mqtt::const_message_ptr &) {
    long long now = Clock::now().time_since_epoch().count();
    if (received.fetch_add(1) == 0) first_ns = now;
    last_ns = now;
  });
  auto options =
      mqtt::connect_options_builder().mqtt_version(MQTTVERSION_5).clean_start(false).finalize();
  // Set on the final object: Paho C++ 1.2 loses connect properties when the builder is copied.
  options.set_properties({{mqtt::property::SESSION_EXPIRY_INTERVAL, 3600}});
  apply_tls(flags, options);
  client.connect(options)->wait();
  if (prepare) {
    client.subscribe("sotto/v1/+/+/#", 1)->wait();
    client.disconnect()->wait();
    std::printf("{\"prepared\": true}\n");
    return 0;
  }
  auto deadline = Clock::now() + std::chrono::minutes(5);
  while (received < expect && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  client.disconnect()->wait();
  if (received < expect) {
    std::fprintf(stderr, "drain: only %ld of %ld messages arrived\n", received.load(), expect);
    return 1;
  }
  double seconds = static_cast<double>(last_ns - first_ns) / 1e9;
  std::printf("{\"messages\": %ld, \"seconds\": %.6f, \"rate\": %.1f}\n", received.load(), seconds,
              static_cast<double>(received.load() - 1) / seconds);
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  try {
    if (argc < 2) throw std::invalid_argument("usage: sotto-bench-ingest publish|drain --flags...");
    std::string mode = argv[1];
    auto flags = parse_flags(argc, argv, 2);
    if (mode == "publish") return publish(flags);
    if (mode == "drain") return drain(flags);
    throw std::invalid_argument("unknown mode '" + mode + "' (publish, drain)");
  } catch (const std::exception &error) {
    std::fprintf(stderr, "sotto-bench-ingest: %s\n", error.what());
    return 2;
  }
}
