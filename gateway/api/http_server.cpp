// Beast HTTP and HTTPS sessions for the gateway API (see the header for what each malformed
// request is answered with).
#include "http_server.h"

#include <array>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "log.h"

namespace sotto::gw {
namespace {

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

// After an error answer: how long and how much of the rest of the request is read and dropped.
constexpr std::chrono::seconds kDrainTimeout{2};
constexpr size_t kMaxDrainBytes = 1 << 20;

bool is_http_error(const beast::error_code &error) {
  return error.category() == beast::http::make_error_code(http::error::bad_method).category();
}

std::string remote_of(const tcp::socket &socket) {
  beast::error_code error;
  const tcp::endpoint peer = socket.remote_endpoint(error);
  return error ? "" : peer.address().to_string();
}

// What a failed read is answered with; nullopt when there is no one to answer (the client left
// between requests, the connection broke, or it stayed silent past the read timeout: Beast has
// closed the socket by then). request_line_done: the parser got past the request line.
std::optional<Response> answer_to_read_error(const beast::error_code &error, bool request_line_done,
                                             const HttpLimits &limits) {
  const std::string limit = std::to_string(limits.max_header_bytes);
  if (error == http::error::header_limit) {
    if (!request_line_done) {
      return error_reply(http::status::uri_too_long, "request_line_too_long",
                         "request line over " + limit + " bytes");
    }
    return error_reply(http::status::request_header_fields_too_large, "headers_too_large",
                       "request line and headers over " + limit + " bytes");
  }
  if (error == http::error::bad_version) {
    return error_reply(http::status::http_version_not_supported, "http_version_not_supported",
                       "only HTTP/1.0 and HTTP/1.1 are served");
  }
  if (error == http::error::body_limit) {
    return error_reply(http::status::payload_too_large, "body_too_large",
                       "request body over " + std::to_string(limits.max_body_bytes) +
                           " bytes (http.max_body_bytes)");
  }
  if (error == http::error::partial_message) {
    return error_reply(http::status::bad_request, "incomplete_request",
                       "the connection ended in the middle of the request");
  }
  if (error != http::error::end_of_stream && is_http_error(error)) {
    return error_reply(http::status::bad_request, "malformed_request",
                       "malformed HTTP request: " + error.message());
  }
  return std::nullopt;
}

// One connection's requests, for a plain or a TLS stream. Derived gives stream() and the
// shutdown that fits it.
template <class Derived>
class Session {
 public:
  Session(beast::flat_buffer buffer, Router &router, const HttpLimits &limits,
          RequestContext context)
      : buffer_(std::move(buffer)),
        router_(router),
        limits_(limits),
        context_(std::move(context)) {}

 protected:
  Derived &derived() { return static_cast<Derived &>(*this); }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(limits_.max_header_bytes);
    parser_->body_limit(limits_.max_body_bytes);
    beast::get_lowest_layer(derived().stream()).expires_after(limits_.read_timeout);
    http::async_read(derived().stream(), buffer_, *parser_,
                     [self = derived().shared_from_this()](beast::error_code error, size_t) {
                       self->on_read(error);
                     });
  }

  void on_read(beast::error_code error) {
    if (error) {
      // The parser fills in the target once the request line is complete.
      const bool request_line_done = !parser_->get().target().empty();
      std::optional<Response> answer = answer_to_read_error(error, request_line_done, limits_);
      if (!answer) return derived().shut_down();
      return send_last(std::move(*answer));
    }
    Request request = parser_->release();
    if (request.version() != 10 && request.version() != 11) {
      return send_last(
          error_reply(http::status::http_version_not_supported, "http_version_not_supported",
                      "HTTP/" + std::to_string(request.version() / 10) + "." +
                          std::to_string(request.version() % 10) + " is not served; use HTTP/1.1"));
    }
    response_ = router_.handle(request, context_);
    write(response_.keep_alive());
  }

  // The last answer on this connection; then the connection closes gracefully.
  void send_last(Response response) {
    response_ = std::move(response);
    response_.keep_alive(false);
    write(false);
  }

  void write(bool keep_alive) {
    http::async_write(
        derived().stream(), response_,
        [self = derived().shared_from_this(), keep_alive](beast::error_code error, size_t) {
          if (error) return self->close_now();
          if (!keep_alive) return self->shut_down();
          self->do_read();
        });
  }

  void close_now() {
    beast::error_code ignored;
    beast::get_lowest_layer(derived().stream()).socket().close(ignored);
  }

  beast::flat_buffer buffer_;
  Router &router_;
  HttpLimits limits_;
  RequestContext context_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
};

class PlainSession : public Session<PlainSession>,
                     public std::enable_shared_from_this<PlainSession> {
 public:
  PlainSession(beast::tcp_stream stream, beast::flat_buffer buffer, Router &router,
               const HttpLimits &limits, RequestContext context)
      : Session(std::move(buffer), router, limits, std::move(context)),
        stream_(std::move(stream)) {}

  void start() { do_read(); }
  // A plain request on the HTTPS port: named, not served.
  void refuse_plain_http() {
    send_last(error_reply(http::status::bad_request, "https_required",
                          "this port serves HTTPS only; use an https:// URL"));
  }
  beast::tcp_stream &stream() { return stream_; }

  // Stops sending, then reads and drops what the client still sends (its answer is out) for a
  // moment, so closing does not reset the connection before the client has read the answer.
  void shut_down() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kDrainTimeout);
    drain();
  }

 private:
  void drain() {
    stream_.async_read_some(boost::asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code error, size_t bytes) {
                              self->drained_ += bytes;
                              if (error || self->drained_ > kMaxDrainBytes) {
                                return self->close_now();
                              }
                              self->drain();
                            });
  }

  beast::tcp_stream stream_;
  std::array<char, 4096> drain_buffer_{};
  size_t drained_ = 0;
};

class TlsSession : public Session<TlsSession>, public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(beast::tcp_stream stream, ssl::context &tls, beast::flat_buffer buffer, Router &router,
             const HttpLimits &limits, RequestContext context)
      : Session(std::move(buffer), router, limits, std::move(context)),
        stream_(std::move(stream), tls) {}

  // The bytes the detector read are the start of the client's hello.
  void start() {
    beast::get_lowest_layer(stream_).expires_after(limits_.read_timeout);
    stream_.async_handshake(ssl::stream_base::server, buffer_.data(),
                            [self = shared_from_this()](beast::error_code error, size_t used) {
                              if (error) return self->close_now();  // no HTTP to answer in
                              self->buffer_.consume(used);
                              self->do_read();
                            });
  }
  beast::ssl_stream<beast::tcp_stream> &stream() { return stream_; }

  // close_notify, and the client's, within the drain time.
  void shut_down() {
    beast::get_lowest_layer(stream_).expires_after(kDrainTimeout);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close_now(); });
  }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};

// On the HTTPS port: TLS sessions for TLS clients, a named refusal for plain HTTP ones.
class Detector : public std::enable_shared_from_this<Detector> {
 public:
  Detector(tcp::socket socket, ssl::context &tls, Router &router, const HttpLimits &limits)
      : stream_(std::move(socket)), tls_(tls), router_(router), limits_(limits) {}

  void run() {
    stream_.expires_after(limits_.read_timeout);
    beast::async_detect_ssl(stream_, buffer_,
                            [self = shared_from_this()](beast::error_code error, bool is_tls) {
                              self->on_detect(error, is_tls);
                            });
  }

 private:
  void on_detect(beast::error_code error, bool is_tls) {
    if (error) return;  // closed or silent before a first byte
    RequestContext context{remote_of(stream_.socket())};
    if (is_tls) {
      std::make_shared<TlsSession>(std::move(stream_), tls_, std::move(buffer_), router_, limits_,
                                   std::move(context))
          ->start();
    } else {
      std::make_shared<PlainSession>(std::move(stream_), std::move(buffer_), router_, limits_,
                                     std::move(context))
          ->refuse_plain_http();
    }
  }

  beast::tcp_stream stream_;
  ssl::context &tls_;
  Router &router_;
  HttpLimits limits_;
  beast::flat_buffer buffer_;
};

}  // namespace

HttpServer::HttpServer(boost::asio::io_context &io, const tcp::endpoint &endpoint, Router &router,
                       HttpLimits limits, ssl::context *tls)
    : io_(io), acceptor_(io), router_(router), limits_(limits), tls_(tls) {
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
    } else if (tls_ != nullptr) {
      std::make_shared<Detector>(std::move(socket), *tls_, router_, limits_)->run();
    } else {
      RequestContext context{remote_of(socket)};
      std::make_shared<PlainSession>(beast::tcp_stream(std::move(socket)), beast::flat_buffer(),
                                     router_, limits_, std::move(context))
          ->start();
    }
    do_accept();
  });
}

}  // namespace sotto::gw
