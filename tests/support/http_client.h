// A minimal blocking HTTP/1.1 client for tests (no keep-alive, loopback only).
#pragma once

#include <string>

namespace sotto::test {

struct HttpResponse {
  int status = 0;  // 0 when the connection failed
  std::string body;
};

HttpResponse http_get(int port, const std::string &target);
// The body goes as application/octet-stream.
HttpResponse http_post(int port, const std::string &target, const std::string &body);

}  // namespace sotto::test
