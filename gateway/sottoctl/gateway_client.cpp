// Blocking HTTP/1.1 client on Boost.Beast for sottoctl.
#include "gateway_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>

namespace sotto::gw::ctl {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;

GatewayUrl parse_gateway_url(const std::string &url) {
  GatewayUrl parsed;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    parsed.tls = true;
    rest = url.substr(8);
  } else {
    throw std::invalid_argument("gateway URL '" + url + "' must start with http:// or https://");
  }
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  parsed.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!parsed.base_path.empty() && parsed.base_path.back() == '/') parsed.base_path.pop_back();
  size_t colon = authority.rfind(':');
  parsed.host = authority.substr(0, colon);
  parsed.port =
      colon == std::string::npos ? (parsed.tls ? "443" : "80") : authority.substr(colon + 1);
  if (parsed.host.empty()) throw std::invalid_argument("gateway URL '" + url + "' has no host");
  bool numeric = !parsed.port.empty() && parsed.port.size() <= 5;
  for (char c : parsed.port) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
  if (!numeric || std::stoul(parsed.port) == 0 || std::stoul(parsed.port) > 65535) {
    throw std::invalid_argument("gateway URL '" + url + "' has an invalid port '" + parsed.port +
                                "'");
  }
  return parsed;
}

GatewayClient::GatewayClient(GatewayUrl url, std::chrono::milliseconds timeout,
                             GatewayCredentials credentials)
    : url_(std::move(url)), timeout_(timeout), credentials_(std::move(credentials)) {}

std::string GatewayClient::get(const std::string &target) {
  return request(static_cast<int>(http::verb::get), target, "", "");
}

std::string GatewayClient::post(const std::string &target, const std::string &body,
                                const std::string &content_type) {
  return request(static_cast<int>(http::verb::post), target, body, content_type);
}

namespace {

// sottod answers errors as {"error": "...", "code": "..."}: "code: error"; the raw body for
// anything else.
std::string error_message(const std::string &body) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    const auto &object = parsed.as_object();
    if (const auto *message = object.if_contains("error"); message && message->is_string()) {
      const auto *code = object.if_contains("code");
      return (code != nullptr && code->is_string() ? std::string(code->as_string()) + ": " : "") +
             std::string(message->as_string());
    }
  }
  return body.empty() ? "(no message)" : body;
}

}  // namespace

namespace {

// One request and its answer over a connected stream (plain or TLS).
template <typename Stream>
http::response<http::string_body> exchange(Stream &stream,
                                           const http::request<http::string_body> &req,
                                           const std::string &where) {
  try {
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64UL * 1024 * 1024);
    http::read(stream, buffer, parser);
    return parser.release();
  } catch (const boost::system::system_error &e) {
    throw GatewayUnreachable("gateway at " + where + " did not answer: " + e.code().message());
  }
}

}  // namespace

std::string GatewayClient::request(int method, const std::string &target, const std::string &body,
                                   const std::string &content_type) {
  const std::string where =
      std::string(url_.tls ? "https://" : "http://") + url_.host + ":" + url_.port;
  boost::asio::io_context io;
  beast::tcp_stream tcp(io);
  try {
    boost::asio::ip::tcp::resolver resolver(io);
    tcp.expires_after(timeout_);
    tcp.connect(resolver.resolve(url_.host, url_.port));
  } catch (const boost::system::system_error &e) {
    throw GatewayUnreachable("no gateway at " + where + ": " + e.code().message());
  }

  http::request<http::string_body> req(static_cast<http::verb>(method), url_.base_path + target,
                                       11);
  req.set(http::field::host, url_.host);
  req.set(http::field::user_agent, "sottoctl");
  if (!credentials_.token.empty()) {
    req.set(http::field::authorization, "Bearer " + credentials_.token);
  }
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  req.body() = body;
  req.prepare_payload();

  http::response<http::string_body> res;
  boost::system::error_code ignored;
  if (url_.tls) {
    ssl::context tls(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    tls.set_verify_mode(ssl::verify_peer);
    try {
      if (credentials_.ca_file.empty()) {
        tls.set_default_verify_paths();
      } else {
        tls.load_verify_file(credentials_.ca_file);
      }
    } catch (const boost::system::system_error &e) {
      throw std::runtime_error("--ca-file " + credentials_.ca_file +
                               ": not a PEM certificate file (" + e.code().message() + ")");
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls);
    stream.set_verify_callback(ssl::host_name_verification(url_.host));
    // SNI for a name; an address is checked against the certificate's IP entries instead.
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(url_.host, not_an_address);
    if (not_an_address) SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str());
    try {
      stream.handshake(ssl::stream_base::client);
    } catch (const boost::system::system_error &e) {
      throw GatewayTlsError(
          "gateway at " + where + ": TLS handshake failed: " + e.code().message() +
          (credentials_.ca_file.empty()
               ? " (is the gateway's certificate signed by a CA this machine trusts? give it "
                 "with --ca-file)"
               : " (is " + where + "'s certificate signed by " + credentials_.ca_file +
                     " and issued for " + url_.host + "?)"));
    }
    res = exchange(stream, req, where);
    stream.shutdown(ignored);
  } else {
    res = exchange(tcp, req, where);
    tcp.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  }

  int status = static_cast<int>(res.result_int());
  if (status < 200 || status >= 300) {
    throw GatewayError(status, "gateway: HTTP " + std::to_string(status) + " for " + target + ": " +
                                   error_message(res.body()));
  }
  return std::move(res.body());
}

std::string url_encode(const std::string &value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace sotto::gw::ctl
