// A minimal blocking HTTP/1.1 client for tests (no keep-alive, loopback only).
#pragma once

#include <string>

namespace sotto::test {

struct HttpResponse {
  int status = 0;       // 0 when the connection failed or the answer was not HTTP/1.1
  std::string headers;  // the status line and header lines as received
  std::string body;
};

// token: sent as "Authorization: Bearer TOKEN" when not empty.
HttpResponse http_get(int port, const std::string &target, const std::string &token = "");
// The body goes as application/octet-stream.
HttpResponse http_post(int port, const std::string &target, const std::string &body,
                       const std::string &token = "");
// Sends exactly these bytes on a fresh connection, half-closes it when shut_down_writing is
// set, and parses whatever comes back until the server closes: for malformed requests.
HttpResponse http_raw(int port, const std::string &bytes, bool shut_down_writing = false);

}  // namespace sotto::test
