// Serves the Router over HTTP/1.1 on the event loop: one session object per connection, a
// timeout on every read, one response in flight at a time.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "router.h"

namespace sotto::gw {

class HttpServer {
 public:
  // Binds and listens at once (throws naming the address when that fails).
  HttpServer(boost::asio::io_context &io, const boost::asio::ip::tcp::endpoint &endpoint,
             Router &router);
  void start();
  void stop();
  uint16_t port() const;

 private:
  void do_accept();

  boost::asio::io_context &io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Router &router_;
};

}  // namespace sotto::gw
