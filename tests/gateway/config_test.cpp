// sottod configuration: defaults, and every kind of bad input named by its key.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include "config.h"

namespace sotto::gw {
namespace {

std::string write_config(const std::string &text) {
  std::string path = ::testing::TempDir() + "/sottod-" + std::to_string(::getpid()) + "-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml";
  std::ofstream(path) << text;
  return path;
}

std::string load_error(const std::string &text) {
  try {
    load_config(write_config(text));
  } catch (const std::runtime_error &error) {
    return error.what();
  }
  return "no error";
}

TEST(Config, EmptyFileGivesTheDocumentedDefaults) {
  Config config = load_config(write_config(""));
  EXPECT_EQ(config.mqtt.broker, "ssl://127.0.0.1:8884");
  EXPECT_EQ(config.mqtt.ca_file, "/etc/sotto/pki/ca.crt");
  EXPECT_EQ(config.mqtt.cert_file, "/etc/sotto/pki/gateway.crt");
  EXPECT_EQ(config.mqtt.key_file, "/etc/sotto/pki/gateway.key");
  EXPECT_EQ(config.mqtt.username, "sottod.gateway");
  EXPECT_EQ(config.mqtt.client_id, "sottod.gateway");
  EXPECT_EQ(config.mqtt.session_expiry_s, 604800u);
  EXPECT_EQ(config.store.synchronous, "normal");
  EXPECT_EQ(config.http.listen, "127.0.0.1");
  EXPECT_EQ(config.http.port, 8080);
  EXPECT_EQ(config.ingest.max_payload_bytes, 256u);
  EXPECT_EQ(config.aggregate.window_s, 3600u);
  EXPECT_EQ(config.rollout.device_answer_deadline_s, 1800u);
}

TEST(Config, ShippedExampleMatchesTheDefaults) {
  Config shipped = load_config(SOTTO_SHIPPED_GATEWAY_CONFIG);
  Config defaults;
  EXPECT_EQ(shipped.mqtt.broker, defaults.mqtt.broker);
  EXPECT_EQ(shipped.mqtt.ca_file, defaults.mqtt.ca_file);
  EXPECT_EQ(shipped.mqtt.cert_file, defaults.mqtt.cert_file);
  EXPECT_EQ(shipped.mqtt.key_file, defaults.mqtt.key_file);
  EXPECT_EQ(shipped.mqtt.persistence_dir, defaults.mqtt.persistence_dir);
  EXPECT_EQ(shipped.store.path, defaults.store.path);
  EXPECT_EQ(shipped.http.port, defaults.http.port);
  EXPECT_EQ(shipped.ingest.reject_log_interval_s, defaults.ingest.reject_log_interval_s);
  EXPECT_EQ(shipped.aggregate.low_battery_mv, defaults.aggregate.low_battery_mv);
  EXPECT_EQ(shipped.rollout.device_answer_deadline_s, defaults.rollout.device_answer_deadline_s);
  EXPECT_EQ(shipped.http.require_token, defaults.http.require_token);
  EXPECT_EQ(shipped.http.tls_certificate, defaults.http.tls_certificate);
  EXPECT_EQ(shipped.http.max_body_bytes, defaults.http.max_body_bytes);
}

TEST(Config, HttpAccessSettingsAreRead) {
  Config config = load_config(
      write_config("[http]\nlisten = \"0.0.0.0\"\nrequire_token = true\n"
                   "tls_certificate = \"/etc/sotto/pki/gateway.pem\"\n"
                   "tls_key = \"/etc/sotto/pki/gateway.key\"\nmax_body_bytes = 4096\n"));
  EXPECT_TRUE(config.http.require_token);
  EXPECT_EQ(config.http.tls_certificate, "/etc/sotto/pki/gateway.pem");
  EXPECT_EQ(config.http.tls_key, "/etc/sotto/pki/gateway.key");
  EXPECT_EQ(config.http.max_body_bytes, 4096u);
  EXPECT_FALSE(listens_on_loopback_only(config.http));
  EXPECT_FALSE(Config().http.require_token);
  EXPECT_TRUE(listens_on_loopback_only(Config().http));
  HttpConfig loopback;
  for (const char *address : {"127.0.0.1", "127.8.9.10", "::1"}) {
    loopback.listen = address;
    EXPECT_TRUE(listens_on_loopback_only(loopback)) << address;
  }
  for (const char *address : {"0.0.0.0", "::", "192.168.1.20"}) {
    loopback.listen = address;
    EXPECT_FALSE(listens_on_loopback_only(loopback)) << address;
  }
}

TEST(Config, HttpAccessMistakesAreNamed) {
  EXPECT_EQ(load_error("[http]\nrequire_token = \"yes\"\n"),
            "config: http.require_token: expected true or false");
  EXPECT_EQ(load_error("[http]\ntls_certificate = \"/x.pem\"\n"),
            "config: http.tls_key: set both http.tls_certificate and http.tls_key for HTTPS, or "
            "neither");
  EXPECT_EQ(load_error("[http]\nlisten = \"gateway.local\"\n"),
            "config: http.listen: expected an IP address (127.0.0.1, 0.0.0.0, ::1), got "
            "\"gateway.local\"");
  EXPECT_EQ(load_error("[http]\nmax_body_bytes = 10\n"),
            "config: http.max_body_bytes: expected 1024..1073741824, got 10");
}

TEST(Config, ValuesAreRead) {
  Config config =
      load_config(write_config("[mqtt]\nbroker = \"tcp://10.0.0.2:1884\"\n[store]\nsynchronous = "
                               "\"full\"\n[http]\nport = 9000\n"));
  EXPECT_EQ(config.mqtt.broker, "tcp://10.0.0.2:1884");
  EXPECT_EQ(config.store.synchronous, "full");
  EXPECT_EQ(config.http.port, 9000);
}

TEST(Config, PlainBrokerLeavesTheDefaultTlsFilesUnused) {
  Config config = load_config(write_config("[mqtt]\nbroker = \"tcp://10.0.0.2:1883\"\n"));
  EXPECT_EQ(config.mqtt.broker, "tcp://10.0.0.2:1883");
}

TEST(Config, TlsMistakesAreNamed) {
  EXPECT_EQ(load_error("[mqtt]\nbroker = \"tcp://10.0.0.2:1883\"\nca_file = \"/srv/ca.crt\"\n"),
            "config: mqtt.broker: TLS files are set but the broker is \"tcp://10.0.0.2:1883\" "
            "(plain MQTT); use ssl://HOST:PORT");
  EXPECT_EQ(load_error("[mqtt]\nca_file = \"\"\n"),
            "config: mqtt.ca_file: an ssl:// broker needs the CA file that signed its certificate");
  EXPECT_EQ(load_error("[mqtt]\nkey_file = \"\"\n"),
            "config: mqtt.key_file: mqtt.cert_file and mqtt.key_file go together");
  EXPECT_EQ(load_error("[mqtt]\nbroker = \"mqtts://x:8883\"\n"),
            "config: mqtt.broker: expected tcp://HOST:PORT or ssl://HOST:PORT, got "
            "\"mqtts://x:8883\"");
  EXPECT_EQ(load_error("[mqtt]\nusername = \"\"\npassword = \"secret\"\n"),
            "config: mqtt.username: a password needs a username");
}

TEST(Config, UnknownKeyIsNamed) {
  EXPECT_EQ(load_error("[mqtt]\nbrokr = \"x\"\n"), "config: mqtt.brokr: unknown key");
}

TEST(Config, UnknownSectionIsNamed) {
  EXPECT_EQ(load_error("[storage]\npath = \"x\"\n"), "config: storage: unknown section");
}

TEST(Config, WrongTypeIsNamed) {
  EXPECT_EQ(load_error("[http]\nport = \"8080\"\n"), "config: http.port: expected an integer");
}

TEST(Config, OutOfRangeIsNamed) {
  EXPECT_EQ(load_error("[http]\nport = 70000\n"),
            "config: http.port: expected 1..65535, got 70000");
  EXPECT_EQ(load_error("[rollout]\ndevice_answer_deadline_s = 0\n"),
            "config: rollout.device_answer_deadline_s: expected 1..2592000, got 0");
}

TEST(Config, BadChoiceIsNamed) {
  EXPECT_EQ(load_error("[store]\nsynchronous = \"sometimes\"\n"),
            "config: store.synchronous: expected \"normal\" or \"full\", got \"sometimes\"");
}

TEST(Config, SyntaxErrorNamesTheLine) {
  EXPECT_NE(load_error("[mqtt]\nbroker = \n").find("at line 2"), std::string::npos);
}

}  // namespace
}  // namespace sotto::gw
