// sottoctl's side of sottod's HTTP API: one blocking request per call over a fresh connection
// (an operator CLI makes a handful of calls; keep-alive would buy nothing), plain HTTP or HTTPS
// (the server's certificate checked against a CA file or the system's CAs, and its name or
// address against the URL's host), with the operator's bearer token when one is given.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace sotto::gw::ctl {

// Nothing answered at the gateway's address (refused, unresolvable, timed out).
class GatewayUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The gateway answered with a non-2xx status; what() carries its error message.
class GatewayError : public std::runtime_error {
 public:
  GatewayError(int status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// The gateway answered a request but the answer could not be trusted or read (the TLS
// handshake failed: wrong CA, wrong name). What it means is in what().
class GatewayTlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct GatewayUrl {
  bool tls = false;  // https://
  std::string host;
  std::string port;
  std::string base_path;  // without a trailing slash; "" for the root
};

// Parses http(s)://HOST[:PORT][/PATH] (port 80 or 443 by default); throws std::invalid_argument
// naming what is wrong.
GatewayUrl parse_gateway_url(const std::string &url);

struct GatewayCredentials {
  std::string token;    // sent as "Authorization: Bearer TOKEN" when not empty
  std::string ca_file;  // https: the CA that signed the gateway's certificate ("": system CAs)
};

class GatewayClient {
 public:
  GatewayClient(GatewayUrl url, std::chrono::milliseconds timeout,
                GatewayCredentials credentials = {});

  // target starts with "/" (e.g. "/api/v1/devices?site=farm-north"); returns the 2xx body.
  std::string get(const std::string &target);
  std::string post(const std::string &target, const std::string &body,
                   const std::string &content_type);

  const GatewayUrl &url() const { return url_; }

 private:
  std::string request(int method, const std::string &target, const std::string &body,
                      const std::string &content_type);

  GatewayUrl url_;
  std::chrono::milliseconds timeout_;
  GatewayCredentials credentials_;
};

// Percent-encodes a query parameter value.
std::string url_encode(const std::string &value);

}  // namespace sotto::gw::ctl
