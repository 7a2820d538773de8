// A bare TLS client written with OpenSSL, for tests that must name exactly why the broker
// refused a connection: it completes the handshake, sends an MQTT 3.1.1 CONNECT and reads the
// CONNACK. (Paho reports a TLS 1.3 refusal, which arrives after the handshake, only as a lost
// connection.) Under TLS 1.3 it waits for the broker's verdict on its certificate, a session
// ticket or an alert, before sending CONNECT: sent earlier, the broker's close could reset the
// connection and lose the alert.
#pragma once

#include <string>

namespace sotto::test {

struct TlsProbe {
  std::string ca_file;    // the broker's certificate must chain to it and name 127.0.0.1
  std::string cert_file;  // the client's certificate and key; empty: none shown
  std::string key_file;
  int min_version = 0;  // e.g. TLS1_2_VERSION; 0: OpenSSL's default
  int max_version = 0;  // 0: the highest OpenSSL has
};

// "CONNACK 0" (or another return code) when the broker let the client in; otherwise OpenSSL's
// reason for the failure, e.g. "sslv3 alert certificate revoked", or "closed" when the broker
// hung up without a TLS alert.
std::string mqtt_connect_over_tls(int port, const std::string &client_id, const TlsProbe &probe);

}  // namespace sotto::test
