// See tls_probe.h.
#include "tls_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

namespace sotto::test {
namespace {

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "closed";
  const char *reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
}

std::vector<unsigned char> connect_packet(const std::string &client_id) {
  std::vector<unsigned char> body = {0x00,
                                     0x04,
                                     'M',
                                     'Q',
                                     'T',
                                     'T',
                                     0x04,
                                     0x02,
                                     0x00,
                                     0x3c,
                                     static_cast<unsigned char>(client_id.size() >> 8),
                                     static_cast<unsigned char>(client_id.size() & 0xff)};
  body.insert(body.end(), client_id.begin(), client_id.end());
  std::vector<unsigned char> packet = {0x10, static_cast<unsigned char>(body.size())};
  packet.insert(packet.end(), body.begin(), body.end());
  return packet;
}

int connect_socket(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("tls probe: nothing listens on 127.0.0.1:" + std::to_string(port));
  }
  timeval timeout{10, 0};  // a safety net: the broker answers in milliseconds
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

// Called for each session ticket the broker sends; app data is the flag to raise.
int on_session_ticket(SSL *ssl, SSL_SESSION * /*session*/) {
  *static_cast<bool *>(SSL_get_app_data(ssl)) = true;
  return 0;  // the session is not kept
}

// In TLS 1.3 the broker judges the client's certificate after the handshake has completed on
// the client's side: it answers with session tickets when it accepted it and with an alert when
// not. A CONNECT sent before that verdict arrives makes the broker close a socket with unread
// data, and the TCP reset that follows can discard the alert ("closed" instead of the reason).
// So wait for the first ticket or the alert. "" when a ticket came (or TLS 1.2, where the
// verdict is part of the handshake), otherwise the refusal.
std::string tls13_verdict(SSL *ssl, const bool &ticket_arrived) {
  if (SSL_version(ssl) != TLS1_3_VERSION) return "";
  // Each read takes one record; the socket's receive timeout bounds a silent broker.
  for (int records = 0; records < 8 && !ticket_arrived; ++records) {
    unsigned char byte = 0;
    const int read = SSL_read(ssl, &byte, 1);
    if (read > 0) return "broker sent data before CONNECT";
    if (SSL_get_error(ssl, read) != SSL_ERROR_WANT_READ) return openssl_reason();
  }
  return ticket_arrived ? "" : "no session ticket and no alert from the broker";
}

}  // namespace

std::string mqtt_connect_over_tls(int port, const std::string &client_id, const TlsProbe &probe) {
  if (client_id.size() > 100) throw std::invalid_argument("tls probe: client id too long");
  ERR_clear_error();
  SSL_CTX *context = SSL_CTX_new(TLS_client_method());
  if (probe.max_version != 0 && probe.max_version < TLS1_2_VERSION) {
    SSL_CTX_set_security_level(context, 0);  // so this client can offer what the broker refuses
  }
  if (probe.min_version != 0) SSL_CTX_set_min_proto_version(context, probe.min_version);
  if (probe.max_version != 0) SSL_CTX_set_max_proto_version(context, probe.max_version);
  if (SSL_CTX_load_verify_locations(context, probe.ca_file.c_str(), nullptr) != 1 ||
      (!probe.cert_file.empty() &&
       (SSL_CTX_use_certificate_file(context, probe.cert_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(context, probe.key_file.c_str(), SSL_FILETYPE_PEM) != 1))) {
    SSL_CTX_free(context);
    throw std::runtime_error("tls probe: cannot load " + probe.ca_file + " / " + probe.cert_file +
                             ": " + openssl_reason());
  }
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  // Session tickets are how tls13_verdict learns that the broker accepted the certificate; a
  // read returns after each non-data record instead of waiting for data.
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_sess_set_new_cb(context, on_session_ticket);
  SSL_CTX_clear_mode(context, SSL_MODE_AUTO_RETRY);
  const int fd = connect_socket(port);
  SSL *ssl = SSL_new(context);
  bool ticket_arrived = false;
  SSL_set_app_data(ssl, &ticket_arrived);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  SSL_set_fd(ssl, fd);
  std::string outcome;
  const std::vector<unsigned char> connect = connect_packet(client_id);
  unsigned char connack[4] = {};
  outcome = SSL_connect(ssl) == 1 ? tls13_verdict(ssl, ticket_arrived) : openssl_reason();
  SSL_set_mode(ssl, SSL_MODE_AUTO_RETRY);  // from here on a read waits for the CONNACK
  if (outcome.empty()) {
    if (SSL_write(ssl, connect.data(), static_cast<int>(connect.size())) <= 0) {
      outcome = openssl_reason();
    } else {
      int got = 0;
      while (got < 4) {
        const int n = SSL_read(ssl, connack + got, 4 - got);
        if (n <= 0) break;
        got += n;
      }
      outcome = got == 4 && connack[0] == 0x20 ? "CONNACK " + std::to_string(connack[3])
                                               : openssl_reason();
    }
  }
  SSL_free(ssl);
  ::close(fd);
  SSL_CTX_free(context);
  return outcome;
}

}  // namespace sotto::test
