// HTTP GET and POST over a plain socket, and raw bytes for malformed requests: enough to drive
// sottod's API and read its metrics in tests.
#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace sotto::test {

namespace {

std::string authorization(const std::string &token) {
  return token.empty() ? "" : "Authorization: Bearer " + token + "\r\n";
}

}  // namespace

// Sends the whole request on a fresh loopback connection and parses the answer; status 0 when
// the connection or the answer failed.
HttpResponse http_raw(int port, const std::string &request, bool shut_down_writing) {
  HttpResponse response;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
    ::close(fd);
    return response;
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return response;
    }
    sent += static_cast<size_t>(n);
  }
  if (shut_down_writing) ::shutdown(fd, SHUT_WR);
  std::string raw;
  char chunk[8192];
  for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;)
    raw.append(chunk, static_cast<size_t>(n));
  ::close(fd);
  size_t header_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || header_end == std::string::npos) return response;
  response.status = std::atoi(raw.c_str() + 9);
  std::string headers = raw.substr(0, header_end);
  response.headers = headers;
  std::string body = raw.substr(header_end + 4);
  if (headers.find("Transfer-Encoding: chunked") != std::string::npos ||
      headers.find("transfer-encoding: chunked") != std::string::npos) {
    std::string decoded;
    size_t at = 0;
    while (at < body.size()) {
      size_t line_end = body.find("\r\n", at);
      if (line_end == std::string::npos) break;
      size_t length = std::strtoul(body.c_str() + at, nullptr, 16);
      if (length == 0) break;
      decoded.append(body, line_end + 2, length);
      at = line_end + 2 + length + 2;
    }
    body = decoded;
  }
  response.body = body;
  return response;
}

HttpResponse http_get(int port, const std::string &target, const std::string &token) {
  return http_raw(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                            authorization(token) + "\r\n");
}

HttpResponse http_post(int port, const std::string &target, const std::string &body,
                       const std::string &token) {
  return http_raw(port, "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                            authorization(token) +
                            "Content-Type: application/octet-stream\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body);
}

}  // namespace sotto::test
