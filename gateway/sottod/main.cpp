// sottod: the gateway daemon. Loads the configuration, opens the store, serves the HTTP API on
// an Asio event loop and ingests the fleet's MQTT messages until SIGTERM or SIGINT.
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "api_service.h"
#include "config.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "mqtt_ingest.h"
#include "open_store.h"
#include "registry.h"
#include "rollout_service.h"
#include "router.h"

namespace {

using namespace sotto::gw;

constexpr const char *kUsage = R"(usage: sottod [--config PATH] [overrides]
  --config PATH               TOML configuration (see deploy/sottod.toml for every key and default)
  --broker URL                mqtt.broker, e.g. tcp://127.0.0.1:1883
  --client-id ID              mqtt.client_id
  --mqtt-persistence-dir DIR  mqtt.persistence_dir
  --db PATH                   store.path
  --http-port N               http.port
  --help                      this text
)";

struct Arguments {
  std::optional<std::string> config_path, broker, client_id, persistence_dir, db;
  std::optional<uint16_t> http_port;
  bool help = false;
};

Arguments parse_arguments(int argc, char **argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      args.help = true;
      continue;
    }
    static const char *kValued[] = {
        "--config", "--broker", "--client-id", "--mqtt-persistence-dir", "--db", "--http-port"};
    if (std::find(std::begin(kValued), std::end(kValued), flag) == std::end(kValued)) {
      throw std::invalid_argument("unknown option '" + flag + "'");
    }
    if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
    std::string value = argv[++i];
    if (flag == "--config") {
      args.config_path = value;
    } else if (flag == "--broker") {
      args.broker = value;
    } else if (flag == "--client-id") {
      args.client_id = value;
    } else if (flag == "--mqtt-persistence-dir") {
      args.persistence_dir = value;
    } else if (flag == "--db") {
      args.db = value;
    } else if (flag == "--http-port") {
      size_t used = 0;
      unsigned long port = 0;
      try {
        port = std::stoul(value, &used);
      } catch (const std::exception &) {
        used = 0;
      }
      if (used != value.size() || port == 0 || port > 65535) {
        throw std::invalid_argument("--http-port: expected 1..65535, got '" + value + "'");
      }
      args.http_port = static_cast<uint16_t>(port);
    } else {
      throw std::invalid_argument("unknown option '" + flag + "'");
    }
  }
  return args;
}

void ensure_directory(const std::filesystem::path &dir, const std::string &what) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    throw std::runtime_error("cannot create " + what + " directory " + dir.string() + ": " +
                             error.message());
  }
}

int run(const Config &config) {
  ensure_directory(std::filesystem::path(config.store.path).parent_path().empty()
                       ? std::filesystem::path(".")
                       : std::filesystem::path(config.store.path).parent_path(),
                   "store");
  ensure_directory(config.mqtt.persistence_dir, "MQTT persistence");

  std::unique_ptr<Store> store = open_store(config.store);
  std::unique_ptr<StoreWriter> writer = store->writer();
  Registry registry(writer->load_registry(), config.aggregate.window_s);
  std::unique_ptr<StoreReader> reader = store->reader();
  Metrics metrics;
  Ingest ingest(registry, *writer, metrics, config.ingest);

  boost::asio::io_context io;
  Router router(*reader, metrics,
                ApiSettings{config.aggregate.window_s, config.aggregate.low_battery_mv});
  ApiService http(io, config, *store, router);
  http.start();
  MqttIngest mqtt(io, config.mqtt, ingest, metrics);
  RolloutService rollouts(io, config, *store, router, ingest);
  rollouts.start();
  mqtt.start();
  log_line(LogLevel::kInfo, "serving " + http.url() + " with store " + config.store.path);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code &, int signal_number) {
    log_line(LogLevel::kInfo,
             std::string("stopping on ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM"));
    rollouts.stop();
    mqtt.stop();  // waits for the message being stored; the rest stays queued at the broker
    http.stop();
    io.stop();
  });
  io.run();
  log_line(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  Config config;
  try {
    Arguments args = parse_arguments(argc, argv);
    if (args.help) {
      std::cout << kUsage;
      return 0;
    }
    if (args.config_path) config = load_config(*args.config_path);
    if (args.broker) config.mqtt.broker = *args.broker;
    if (args.client_id) config.mqtt.client_id = *args.client_id;
    if (args.persistence_dir) config.mqtt.persistence_dir = *args.persistence_dir;
    if (args.db) config.store.path = *args.db;
    if (args.http_port) config.http.port = *args.http_port;
    validate_config(config);
  } catch (const std::exception &error) {
    std::cerr << "sottod: " << error.what() << "\n" << kUsage;
    return 2;
  }
  try {
    return run(config);
  } catch (const std::exception &error) {
    log_line(LogLevel::kError, error.what());
    return 1;
  }
}
