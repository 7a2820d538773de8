// Beast HTTP sessions for the gateway API.
#include "http_server.h"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "log.h"

namespace sotto::gw {
namespace {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

constexpr std::chrono::seconds kReadTimeout{15};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Router &router) : stream_(std::move(socket)), router_(router) {}
  void start() { do_read(); }

 private:
  void do_read() {
    request_ = {};
    stream_.expires_after(kReadTimeout);
    http::async_read(
        stream_, buffer_, request_,
        [self = shared_from_this()](beast::error_code error, size_t) { self->on_read(error); });
  }

  void on_read(beast::error_code error) {
    if (error == http::error::end_of_stream || error == beast::error::timeout) return close();
    if (error) return close();
    response_ = router_.handle(request_);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code write_error, size_t) {
                        self->on_write(write_error);
                      });
  }

  void on_write(beast::error_code error) {
    if (error || !response_.keep_alive()) return close();
    do_read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Router &router_;
  Request request_;
  Response response_;
};

}  // namespace

HttpServer::HttpServer(boost::asio::io_context &io, const tcp::endpoint &endpoint, Router &router)
    : io_(io), acceptor_(io), router_(router) {
  boost::system::error_code error;
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(boost::asio::socket_base::max_listen_connections, error);
  if (error) {
    // error.message() only: what() would add Boost's source location.
    throw std::runtime_error("http: cannot listen on " + endpoint.address().to_string() + ":" +
                             std::to_string(endpoint.port()) + ": " + error.message() +
                             (error == boost::asio::error::address_in_use
                                  ? " (another process has that port; set http.port or --http-port)"
                                  : " (see http.listen and http.port)"));
  }
}

void HttpServer::start() {
  do_accept();
}

void HttpServer::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

uint16_t HttpServer::port() const {
  return acceptor_.local_endpoint().port();
}

void HttpServer::do_accept() {
  acceptor_.async_accept(io_, [this](beast::error_code error, tcp::socket socket) {
    if (error == boost::asio::error::operation_aborted) return;
    if (error) {
      log_line(LogLevel::kWarning, "http accept failed: " + error.message());
    } else {
      std::make_shared<Session>(std::move(socket), router_)->start();
    }
    do_accept();
  });
}

}  // namespace sotto::gw
