// Attacks on the fleet's links, against a real mosquitto with the shipped TLS listener and ACL,
// real certificates from sottoctl and gateway/pki, and a real sottod: each asserts the broker's
// exact verdict and that nothing reached SQLite.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include "device_certificates.h"
#include "fleet_fixture.h"
#include "http_client.h"
#include "pki_init.h"
#include "pki_layout.h"
#include "raw_client.h"
#include "sotto/messages.h"
#include "tls_probe.h"

namespace sotto::test {
namespace {

constexpr const char *kSoil7 = "sotto/v1/farm-north/soil-7/";
constexpr const char *kSoil8 = "sotto/v1/farm-north/soil-8/";

int64_t now_s() {
  return static_cast<int64_t>(std::time(nullptr));
}

class BrokerSecurity : public FleetTest {
 protected:
  struct CtlResult {
    int exit_code;
    std::string output;
  };
  CtlResult sottoctl(std::vector<std::string> args) {
    if (args.at(0) == "device") args.insert(args.end(), {"--pki", broker_->pki_dir()});
    args.insert(args.end(),
                {"--gateway", "http://127.0.0.1:" + std::to_string(gateway_->http_port())});
    const std::string log = dir_ + "/sottoctl-" + std::to_string(++ctl_runs_) + ".log";
    Process ctl(SOTTO_BIN_DIR "/sottoctl", args, log);
    const int code = ctl.wait(std::chrono::seconds(60));
    return {code, read_file(log)};
  }
  std::string connect_outcome(const TlsFiles &files, int max_version = 0) {
    TlsProbe probe{files.ca_file, files.cert_file, files.key_file, 0, max_version};
    return mqtt_connect_over_tls(broker_->port(), "probe", probe);
  }
  // A message the device is allowed to send, published after the ones under test and waited
  // for in SQLite: from one client the broker keeps order, so once it is stored, anything
  // refused before it would have been stored too.
  void publish_barrier(RawClient &client, const std::string &prefix, uint32_t seq) {
    client.publish(prefix + "event",
                   encode(sotto_event_t{SOTTO_EVENT_HEARTBEAT, 0, 0, seq, 30 + seq, 0, {}}));
  }
  long messages_seen() const {
    return static_cast<long>(gateway_->metric("sotto_ingest_messages_total"));
  }

  int ctl_runs_ = 0;
};

TEST_F(BrokerSecurity, ADeviceWithItsOwnCertificateIsLetIn) {
  EXPECT_EQ(connect_outcome(device_identity("soil-7", "farm-north")), "CONNACK 0");
  EXPECT_EQ(connect_outcome(device_identity("soil-7", "farm-north"), TLS1_2_VERSION), "CONNACK 0");
}

TEST_F(BrokerSecurity, AClientWithoutACertificateIsRefused) {
  EXPECT_EQ(connect_outcome({broker_->pki_dir() + "/ca.crt", "", ""}),
            "tlsv13 alert certificate required");
  EXPECT_EQ(connect_outcome({broker_->pki_dir() + "/ca.crt", "", ""}, TLS1_2_VERSION),
            "sslv3 alert handshake failure");
}

// deploy/mosquitto-tls.conf sets allow_anonymous true for sottod's listener: that is safe only
// while every listener it opens refuses a client without a certificate, TLS or not.
TEST_F(BrokerSecurity, EveryShippedListenerRefusesAClientWithoutACertificate) {
  ASSERT_EQ(broker_->listener_ports(),
            (std::vector<int>{broker_->port(), broker_->gateway_port()}));
  for (int port : broker_->listener_ports()) {
    const TlsProbe no_certificate{broker_->pki_dir() + "/ca.crt", "", "", 0, 0};
    EXPECT_EQ(mqtt_connect_over_tls(port, "probe", no_certificate),
              "tlsv13 alert certificate required")
        << "port " << port;
    const TlsProbe no_certificate_tls12{broker_->pki_dir() + "/ca.crt", "", "", 0, TLS1_2_VERSION};
    EXPECT_EQ(mqtt_connect_over_tls(port, "probe", no_certificate_tls12),
              "sslv3 alert handshake failure")
        << "port " << port;
    EXPECT_THROW(RawClient("tcp://127.0.0.1:" + std::to_string(port), "plain-probe"),
                 ConnectRefused)
        << "port " << port;
  }
}

// sottod's listener trusts the gateway link CA alone, and the devices' listener the fleet CA
// alone: a device certificate cannot reach sottod's rights, nor sottod's certificate a device's.
TEST_F(BrokerSecurity, SottodsListenerAdmitsSottodsCertificateAndNoDeviceCertificate) {
  const TlsFiles soil7 = device_identity("soil-7", "farm-north");
  const std::string pki = broker_->pki_dir();
  const TlsProbe device{soil7.ca_file, soil7.cert_file, soil7.key_file, 0, 0};
  const TlsProbe gateway{pki + "/ca.crt", pki + "/gateway.crt", pki + "/gateway.key", 0, 0};
  EXPECT_EQ(mqtt_connect_over_tls(broker_->gateway_port(), gw::pki::kGatewayIdentity, device),
            "tlsv1 alert unknown ca");
  EXPECT_EQ(mqtt_connect_over_tls(broker_->port(), "gateway-probe", gateway),
            "tlsv1 alert unknown ca");
  // Another client id than sottod's: the probe must not close sottod's own connection.
  EXPECT_EQ(mqtt_connect_over_tls(broker_->gateway_port(), "gateway-probe", gateway), "CONNACK 0");
}

TEST_F(BrokerSecurity, ACertificateFromAnotherCaIsRefused) {
  // Same device id and site, issued by a CA the broker does not trust.
  gw::pki::PkiInitOptions other;
  other.dir = dir_ + "/other-pki";
  other.now_s = now_s();
  gw::pki::init_pki(other);
  const auto issued = gw::pki::provision_devices(gw::pki::PkiPaths{other.dir},
                                                 {{"soil-7", "farm-north", "1"}}, now_s(), 30);
  std::ofstream(dir_ + "/other.crt") << issued[0].certificate_pem;
  std::ofstream(dir_ + "/other.key") << issued[0].key_pem;
  device_identity("soil-7", "farm-north");  // the real soil-7 exists: only the CA differs
  EXPECT_EQ(
      connect_outcome({broker_->pki_dir() + "/ca.crt", dir_ + "/other.crt", dir_ + "/other.key"}),
      "tlsv1 alert unknown ca");
}

TEST_F(BrokerSecurity, AnExpiredCertificateIsRefused) {
  const TlsFiles current = device_identity("soil-7", "farm-north");
  // The device's own key, certified by the fleet CA for a window that closed yesterday.
  const gw::pki::FleetCa ca(gw::pki::PkiPaths{broker_->pki_dir()});
  gw::pki::KeyPtr key = gw::pki::private_key_from_pem(read_file(current.key_file), "key");
  const std::vector<uint8_t> der = gw::pki::certificate_request_der(
      key.get(), "soil-7", {gw::pki::device_uri("farm-north", "soil-7")});
  const auto request = gw::pki::read_certificate_request(der.data(), der.size());
  gw::pki::CertificatePtr expired = ca.issue_device(request, {"soil-7", "farm-north", "1"},
                                                    now_s() - 30 * 86400, now_s() - 86400);
  std::ofstream(dir_ + "/expired.crt") << gw::pki::certificate_pem(expired.get());
  EXPECT_EQ(connect_outcome({current.ca_file, dir_ + "/expired.crt", current.key_file}),
            "sslv3 alert certificate expired");
  EXPECT_EQ(connect_outcome(current), "CONNACK 0");  // the same key with its valid certificate
}

TEST_F(BrokerSecurity, TlsOlderThan12IsRefused) {
  const TlsFiles soil7 = device_identity("soil-7", "farm-north");
  EXPECT_EQ(connect_outcome(soil7, TLS1_1_VERSION), "tlsv1 alert protocol version");
  EXPECT_EQ(connect_outcome(soil7, TLS1_3_VERSION), "CONNACK 0");
}

TEST_F(BrokerSecurity, ARevokedDeviceIsRefusedWithoutRestartingTheBrokerAndItsHistoryStays) {
  // The class is named in the gateway first: provision takes the name.
  CtlResult unnamed = sottoctl({"device", "provision", "soil-7", "--site", "farm-north", "--class",
                                "soil-probe", "--out", dir_ + "/unnamed", "--no-reload"});
  EXPECT_EQ(unnamed.exit_code, 1);
  EXPECT_NE(unnamed.output.find("unknown device class 'soil-probe' (the gateway knows: none;"),
            std::string::npos)
      << unnamed.output;
  CtlResult named = sottoctl({"class", "add", "soil-probe", "1"});
  ASSERT_EQ(named.exit_code, 0) << named.output;
  EXPECT_EQ(named.output, "class 1 is named soil-probe\n");
  // sottoctl provisions it; it reports and is stored.
  const std::string identity_dir = dir_ + "/soil-7-identity";
  CtlResult provisioned =
      sottoctl({"device", "provision", "soil-7", "--site", "farm-north", "--class", "soil-probe",
                "--out", identity_dir, "--broker-pid-file", broker_->pid_file()});
  ASSERT_EQ(provisioned.exit_code, 0) << provisioned.output;
  const TlsFiles files{identity_dir + "/ca.crt", identity_dir + "/device.crt",
                       identity_dir + "/device.key"};
  RawClient device(broker_->url(), "soil-7", files);
  device.publish(std::string(kSoil7) + "health", encode(health_of("soil-7", 41)));
  publish_barrier(device, kSoil7, 0);
  ASSERT_TRUE(wait_for_stored(1, std::chrono::seconds(30)));

  const size_t reloads = broker_->reload_count();
  CtlResult revoked =
      sottoctl({"device", "revoke", "soil-7", "--broker-pid-file", broker_->pid_file()});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
  EXPECT_NE(revoked.output.find("revoked soil-7: certificate "), std::string::npos);
  EXPECT_NE(revoked.output.find(") reloads its CRL, ACL and certificates (SIGHUP)"),
            std::string::npos)
      << revoked.output;
  // mosquitto handles the SIGHUP on its next loop. Probing before that would let the probe in
  // under soil-7's id (its CN) and close the connection the test goes on to use.
  broker_->wait_for_reload_after(reloads);
  EXPECT_EQ(connect_outcome(files), "sslv3 alert certificate revoked");
  // The connection it still holds lost its ACL entries with the same reload.
  const long seen = messages_seen();
  EXPECT_EQ(device.publish_reason(std::string(kSoil7) + "event",
                                  encode(sotto_event_t{SOTTO_EVENT_ANOMALY, 1, 250, 1, 31, 0, {}})),
            kReasonNotAuthorized);
  EXPECT_TRUE(device.closed_by_broker_within(std::chrono::seconds(10)));
  // A neighbour's message is the barrier: once it is stored the refused one would have been.
  auto neighbour = connect_device("soil-8", "farm-north");
  neighbour->publish(std::string(kSoil8) + "health", encode(health_of("soil-8", 5)));
  publish_barrier(*neighbour, kSoil8, 0);
  ASSERT_TRUE(wait_for_stored(2, std::chrono::seconds(30)));
  EXPECT_EQ(messages_seen(), seen + 2);

  // History stays: the gateway still lists it with its one event; the CA lists it as revoked.
  EXPECT_EQ(stored_events("soil-7").size(), 1u);
  CtlResult listed = sottoctl({"device", "list", "--certs"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  std::istringstream lines(listed.output);
  std::string line, soil7_line;
  while (std::getline(lines, line)) {
    if (line.rfind("soil-7 ", 0) == 0) soil7_line = line;
  }
  EXPECT_NE(soil7_line.find("farm-north  soil-probe"), std::string::npos) << listed.output;
  EXPECT_NE(soil7_line.find(" provisioned "), std::string::npos) << listed.output;
  EXPECT_NE(soil7_line.find(" revoked 20"), std::string::npos) << listed.output;
  EXPECT_NE(soil7_line.find("  1  "), std::string::npos) << listed.output;  // its one event
}

TEST_F(BrokerSecurity, ADevicePublishingAsAnotherDeviceIsRefusedAndNothingIsStored) {
  device_identity("soil-8", "farm-north");
  const long seen = messages_seen();
  for (const char *channel : {"event", "health", "ota/status"}) {
    expect_publish_refused("soil-7", "farm-north", std::string(kSoil8) + channel,
                           encode(sotto_event_t{SOTTO_EVENT_ANOMALY, 1, 255, 0, 1, 0, {}}));
  }
  // Nor may it speak for the gateway: downlinks, even its own.
  expect_publish_refused("soil-7", "farm-north", std::string(kSoil8) + "ota/offer", {0x0a, 0x00});
  expect_publish_refused("soil-7", "farm-north", std::string(kSoil7) + "ota/chunk", {0x0a, 0x00});
  auto soil7 = connect_device("soil-7", "farm-north");
  soil7->publish(std::string(kSoil7) + "health", encode(health_of("soil-7", 3)));
  publish_barrier(*soil7, kSoil7, 0);
  ASSERT_TRUE(wait_for_stored(1, std::chrono::seconds(30)));
  EXPECT_EQ(messages_seen(), seen + 2);
  EXPECT_EQ(stored_event_count(), 1);
  EXPECT_TRUE(stored_events("soil-8").empty());
  EXPECT_EQ(gateway_->metric("sotto_devices_known"), 1);
}

TEST_F(BrokerSecurity, ADevicePublishingUnderAnotherSiteIsRefusedAndNothingIsStored) {
  const long seen = messages_seen();
  expect_publish_refused("soil-7", "farm-north", "sotto/v1/farm-south/soil-7/health",
                         encode(health_of("soil-7", 9)));
  expect_publish_refused("soil-7", "farm-north", "sotto/v1/farm-south/soil-7/event",
                         encode(sotto_event_t{SOTTO_EVENT_THRESHOLD, 2, 200, 0, 5, 0, {}}));
  auto soil7 = connect_device("soil-7", "farm-north");
  soil7->publish(std::string(kSoil7) + "health", encode(health_of("soil-7", 9)));
  publish_barrier(*soil7, kSoil7, 0);
  ASSERT_TRUE(wait_for_stored(1, std::chrono::seconds(30)));
  EXPECT_EQ(messages_seen(), seen + 2);
  EXPECT_EQ(stored_event_count(), 1);
  const HttpResponse sites = http_get(gateway_->http_port(), "/api/v1/devices?site=farm-south");
  EXPECT_EQ(sites.body.find("soil-7"), std::string::npos) << sites.body;
}

TEST_F(BrokerSecurity, ADeviceSubscribingToAnotherDevicesDownlinksGetsNothing) {
  auto soil8 = connect_device("soil-8", "farm-north");
  soil8->subscribe(std::string(kSoil8) + "ota/offer");
  auto soil7 = connect_device("soil-7", "farm-north");
  // mosquitto 2.0.11 grants every subscription and applies the ACL to each delivery.
  soil7->subscribe(std::string(kSoil8) + "ota/offer");
  soil7->subscribe("sotto/v1/+/+/ota/#");
  soil7->subscribe("#");
  // The gateway's identity sends soil-8 an offer, as sottod's rollout engine would.
  const std::string pki = broker_->pki_dir();
  RawClient gateway(broker_->gateway_url(), "rollout-stand-in",
                    {pki + "/ca.crt", pki + "/gateway.crt", pki + "/gateway.key"},
                    gw::pki::kGatewayIdentity);
  gateway.publish(std::string(kSoil8) + "ota/offer", {0x08, 0x02});
  const auto delivered = soil8->received_within(std::chrono::seconds(2));
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].first, std::string(kSoil8) + "ota/offer");
  EXPECT_EQ(delivered[0].second, (std::vector<uint8_t>{0x08, 0x02}));
  EXPECT_TRUE(soil7->received_within(std::chrono::seconds(1)).empty());
}

}  // namespace
}  // namespace sotto::test
