// Serves the Router over HTTP/1.1, or HTTPS when given a TLS context, on the event loop: one
// session object per connection, a timeout on every read, one response in flight at a time.
//
// Every request that cannot be served gets a status and a JSON error before the connection
// closes, never a silent close: request line over the header limit 414, headers 431, body 413,
// broken syntax 400 (malformed_request), a request cut short 400 (incomplete_request), an HTTP
// version other than 1.0/1.1 505, plain HTTP sent to the HTTPS port 400 (https_required). A
// request left unfinished past the read timeout is closed without an answer (Beast closes the
// socket when its timer fires). After such an answer the server stops sending, reads
// and discards what the client still sends for a moment, then closes, so the client reads the
// answer instead of a connection reset.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "router.h"

namespace sotto::gw {

struct HttpLimits {
  uint32_t max_header_bytes = 8192;               // the request line and headers together
  uint64_t max_body_bytes = 16 * 1024 * 1024;     // a bundle upload
  std::chrono::milliseconds read_timeout{15000};  // for each request, and a TLS handshake
};

class HttpServer {
 public:
  // Binds and listens at once (throws naming the address when that fails). tls: serve HTTPS
  // only (kept by reference); nullptr: plain HTTP.
  HttpServer(boost::asio::io_context &io, const boost::asio::ip::tcp::endpoint &endpoint,
             Router &router, HttpLimits limits = {}, boost::asio::ssl::context *tls = nullptr);
  void start();
  void stop();
  uint16_t port() const;

 private:
  void do_accept();

  boost::asio::io_context &io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Router &router_;
  HttpLimits limits_;
  boost::asio::ssl::context *tls_;
};

}  // namespace sotto::gw
