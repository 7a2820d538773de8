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
  const int fd = connect_socket(port);
  SSL *ssl = SSL_new(context);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  SSL_set_fd(ssl, fd);
  std::string outcome;
  const std::vector<unsigned char> connect = connect_packet(client_id);
  unsigned char connack[4] = {};
  if (SSL_connect(ssl) != 1 ||
      SSL_write(ssl, connect.data(), static_cast<int>(connect.size())) <= 0) {
    outcome = openssl_reason();
  } else {
    int got = 0;
    while (got < 4) {
      const int n = SSL_read(ssl, connack + got, 4 - got);
      if (n <= 0) break;
      got += n;
    }
    outcome =
        got == 4 && connack[0] == 0x20 ? "CONNACK " + std::to_string(connack[3]) : openssl_reason();
  }
  SSL_free(ssl);
  ::close(fd);
  SSL_CTX_free(context);
  return outcome;
}

}  // namespace sotto::test
