// sottod: the gateway daemon. Loads the configuration, locks its data directory, opens the store,
// and runs until SIGTERM or SIGINT:
//   ingest thread   MQTT subscriber -> journal (acknowledged once written) ... mqtt_subscriber.h
//   writer thread   journal -> store in batches, rollout writes, retention ... ingest_writer.h
//   event loop      HTTP API and web dashboard on a reader of its own, rollout engine, signals
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include "api_service.h"
#include "config.h"
#include "dashboard_routes.h"
#include "data_dir_lock.h"
#include "device_class_routes.h"
#include "ingest.h"
#include "ingest_health.h"
#include "ingest_writer.h"
#include "journal.h"
#include "log.h"
#include "metrics.h"
#include "mqtt_subscriber.h"
#include "open_store.h"
#include "registry.h"
#include "rollout_service.h"
#include "router.h"
#include "version.h"
#include "writer_thread_rollouts.h"
#include "writer_thread_trust.h"

namespace {

using namespace sotto::gw;

constexpr const char *kUsage = R"(usage: sottod [--config PATH] [overrides]
  --config PATH               TOML configuration (see deploy/sottod.toml for every key and default)
  --broker URL                mqtt.broker, e.g. ssl://127.0.0.1:8883 (tcp:// for plain MQTT)
  --pki DIR                   mqtt.ca_file, cert_file, key_file = DIR/ca.crt, gateway.crt,
                              gateway.key (a directory made by sottoctl pki init)
  --client-id ID              mqtt.client_id
  --db PATH                   store.path (its directory is the data directory)
  --http-port N               http.port
  --help                      this text
  --version                   print the version and exit
)";

struct Arguments {
  std::optional<std::string> config_path, broker, pki_dir, client_id, db;
  std::optional<uint16_t> http_port;
  bool help = false;
  bool version = false;
};

Arguments parse_arguments(int argc, char **argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      args.help = true;
      continue;
    }
    if (flag == "--version") {
      args.version = true;
      continue;
    }
    static const char *kValued[] = {"--config",    "--broker", "--pki",
                                    "--client-id", "--db",     "--http-port"};
    if (std::find(std::begin(kValued), std::end(kValued), flag) == std::end(kValued)) {
      throw std::invalid_argument("unknown option '" + flag + "'");
    }
    if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
    std::string value = argv[++i];
    if (flag == "--config") {
      args.config_path = value;
    } else if (flag == "--broker") {
      args.broker = value;
    } else if (flag == "--pki") {
      args.pki_dir = value;
    } else if (flag == "--client-id") {
      args.client_id = value;
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

// Every uplink shape; sotto/v1/+/+/+ also catches unknown channels so they are counted.
const std::vector<std::string> kUplinkTopics = {"sotto/v1/+/+/+", "sotto/v1/+/+/ota/status"};

IngestWriterOptions writer_options(const Config &config) {
  IngestWriterOptions options;
  options.retention_days = config.store.retention_days;
  if (const char *hold = std::getenv("SOTTO_TEST_WRITER_HOLD_MS")) {
    options.test_hold = std::chrono::milliseconds(std::strtol(hold, nullptr, 10));
  }
  return options;
}

// The configuration file (if any) with the command line's overrides on top.
Config load_with_overrides(const Arguments &args) {
  Config config;
  if (args.config_path) config = load_config(*args.config_path);
  if (args.broker) config.mqtt.broker = *args.broker;
  if (args.pki_dir) {
    config.mqtt.ca_file = *args.pki_dir + "/ca.crt";
    config.mqtt.cert_file = *args.pki_dir + "/gateway.crt";
    config.mqtt.key_file = *args.pki_dir + "/gateway.key";
  }
  if (args.client_id) config.mqtt.client_id = *args.client_id;
  if (args.db) config.store.path = *args.db;
  if (args.http_port) config.http.port = *args.http_port;
  validate_config(config);
  return config;
}

// SIGHUP: reopens the log, reads the configuration again and applies what can change while
// running; every other changed key is named as needing a restart.
class Reloader {
 public:
  Reloader(const Arguments &args, Config &running, Router &router, Ingest &ingest,
           IngestWriter &writer)
      : args_(args), running_(running), router_(router), ingest_(ingest), writer_(writer) {}

  void reload() {
    try {
      reopen_log();
      if (!args_.config_path) {
        log_line(LogLevel::kInfo, "SIGHUP: log reopened; no --config file to read again");
        return;
      }
      const Config next = load_with_overrides(args_);
      std::vector<std::string> applied, restart;
      for (const std::string &key : changed_keys(running_, next)) {
        if (key == "log.path") {
          set_log_file(next.log.path);
          running_.log = next.log;
        } else if (key == "aggregate.low_battery_mv") {
          router_.set_low_battery_mv(next.aggregate.low_battery_mv);
          running_.aggregate.low_battery_mv = next.aggregate.low_battery_mv;
        } else if (key == "store.retention_days") {
          writer_.set_retention_days(next.store.retention_days);
          running_.store.retention_days = next.store.retention_days;
        } else if (key == "ingest.reject_log_interval_s") {
          const uint32_t seconds = next.ingest.reject_log_interval_s;
          writer_.run([this, seconds](StoreWriter &) {
            ingest_.set_reject_log_interval(seconds);
            return 0;
          });
          running_.ingest.reject_log_interval_s = seconds;
        } else {
          restart.push_back(key);
          continue;
        }
        applied.push_back(key);
      }
      std::string text = "SIGHUP: log reopened, " + *args_.config_path + " read again";
      text += applied.empty() ? "; nothing to apply" : "; applied " + join(applied);
      log_line(LogLevel::kInfo, text);
      if (!restart.empty()) {
        log_line(LogLevel::kWarning,
                 "SIGHUP: " + join(restart) + " changed; takes effect after a restart of sottod");
      }
    } catch (const std::exception &error) {
      log_line(LogLevel::kError, std::string("SIGHUP: nothing changed: ") + error.what());
    }
  }

 private:
  static std::string join(const std::vector<std::string> &keys) {
    std::string text;
    for (const std::string &key : keys) text += (text.empty() ? "" : ", ") + key;
    return text;
  }

  const Arguments &args_;
  Config &running_;
  Router &router_;
  Ingest &ingest_;
  IngestWriter &writer_;
};

int run(const Arguments &args, Config config) {
  set_log_file(config.log.path);
  const std::filesystem::path db_dir = std::filesystem::path(config.store.path).parent_path();
  const std::string data_dir = (db_dir.empty() ? std::filesystem::path(".") : db_dir).string();
  ensure_directory(data_dir, "data (store.path's)");
  DataDirLock lock(data_dir);
  if (!config.mqtt.persistence_dir.empty()) {
    log_line(LogLevel::kWarning,
             "mqtt.persistence_dir is no longer used: acknowledged messages "
             "are kept in " +
                 data_dir + "/journal; remove the key");
  }

  std::unique_ptr<Store> store = open_store(config.store);
  std::unique_ptr<StoreWriter> writer = store->writer();
  Registry registry(writer->load_registry(), config.aggregate.window_s);
  JournalOptions journal_options;
  journal_options.dir = data_dir + "/journal";
  journal_options.max_unapplied_bytes = config.ingest.journal_max_bytes;
  journal_options.sync_each_append = config.store.synchronous == "full";
  Journal journal(journal_options, registry.journal_position());
  Metrics metrics;
  IngestHealth health(metrics);
  Ingest ingest(registry, *writer, metrics, config.ingest);
  IngestWriter ingest_writer(journal, ingest, registry, *writer, health, metrics,
                             writer_options(config));
  std::unique_ptr<StoreReader> reader = store->reader();

  boost::asio::io_context io;
  Router router(*reader, metrics, health,
                ApiSettings{config.aggregate.window_s, config.aggregate.low_battery_mv});
  add_dashboard_routes(router);
  // Class names are written by the store's one writer thread, like the rollout engine's writes.
  add_device_class_routes(router, *reader, [&](const DeviceClassRow &row) {
    ingest_writer.run([&](StoreWriter &store_writer) {
      store_writer.add_device_class(row);
      return 0;
    });
  });
  ApiService http(io, config, *store, ingest_writer, router);
  http.start();
  WriterThreadRollouts rollout_writes(ingest_writer);
  WriterThreadTrust trust_writes(ingest_writer);
  RolloutService rollouts(io, config, *store, rollout_writes, trust_writes, router, ingest);
  ingest_writer.start();  // first replays what the journal holds beyond the store
  rollouts.start();

  MqttSubscriberOptions subscriber_options;
  subscriber_options.broker = config.mqtt.broker;
  subscriber_options.client_id = config.mqtt.client_id;
  subscriber_options.keepalive_s = static_cast<uint16_t>(config.mqtt.keepalive_s);
  subscriber_options.session_expiry_s = config.mqtt.session_expiry_s;
  subscriber_options.filters = kUplinkTopics;
  subscriber_options.ca_file = config.mqtt.ca_file;
  subscriber_options.cert_file = config.mqtt.cert_file;
  subscriber_options.key_file = config.mqtt.key_file;
  subscriber_options.username = config.mqtt.username;
  subscriber_options.password = config.mqtt.password;
  MqttSubscriber subscriber(
      subscriber_options,
      [&](const std::vector<ReceivedMessage> &batch) {
        std::string why;
        if (!journal.append(batch, &why)) {
          health.journal_refused(why);
          return false;
        }
        metrics.messages += batch.size();
        health.journal_accepted();
        return true;
      },
      [&](bool subscribed, const std::string &) { health.set_subscribed(subscribed); });
  subscriber.start();
  log_line(LogLevel::kInfo, "serving " + http.url() + " with store " + store->describe() +
                                " and journal " + journal.dir());

  Reloader reloader(args, config, router, ingest, ingest_writer);
  boost::asio::signal_set hangups(io, SIGHUP);
  std::function<void()> on_hangup = [&] {
    hangups.async_wait([&](const boost::system::error_code &error, int) {
      if (error) return;
      reloader.reload();
      on_hangup();
    });
  };
  on_hangup();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code &, int signal_number) {
    log_line(LogLevel::kInfo,
             std::string("stopping on ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM"));
    rollouts.stop();
    subscriber.stop();  // what was not acknowledged stays queued at the broker
    http.stop();
    hangups.cancel();
    io.stop();
  });
  io.run();
  ingest_writer.stop();  // applies what the journal holds, unless the store cannot commit
  log_line(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  Config config;
  Arguments args;
  try {
    args = parse_arguments(argc, argv);
    if (args.help) {
      std::cout << kUsage;
      return 0;
    }
    if (args.version) {
      std::cout << version_line("sottod") << "\n";
      return 0;
    }
    config = load_with_overrides(args);
  } catch (const std::exception &error) {
    std::cerr << "sottod: " << error.what() << "\n" << kUsage;
    return 2;
  }
  try {
    return run(args, config);
  } catch (const std::exception &error) {
    log_line(LogLevel::kError, error.what());
    return 1;
  }
}
