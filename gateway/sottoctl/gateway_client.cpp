// Blocking HTTP/1.1 client on Boost.Beast for sottoctl.
#include "gateway_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>

namespace sotto::gw::ctl {

namespace beast = boost::beast;
namespace http = beast::http;

GatewayUrl parse_gateway_url(const std::string &url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    throw std::invalid_argument("gateway URL '" + url + "' must start with http://");
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  GatewayUrl parsed;
  parsed.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!parsed.base_path.empty() && parsed.base_path.back() == '/') parsed.base_path.pop_back();
  size_t colon = authority.rfind(':');
  parsed.host = authority.substr(0, colon);
  parsed.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (parsed.host.empty()) throw std::invalid_argument("gateway URL '" + url + "' has no host");
  bool numeric = !parsed.port.empty() && parsed.port.size() <= 5;
  for (char c : parsed.port) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
  if (!numeric || std::stoul(parsed.port) == 0 || std::stoul(parsed.port) > 65535) {
    throw std::invalid_argument("gateway URL '" + url + "' has an invalid port '" + parsed.port +
                                "'");
  }
  return parsed;
}

GatewayClient::GatewayClient(GatewayUrl url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

std::string GatewayClient::get(const std::string &target) {
  return request(static_cast<int>(http::verb::get), target, "", "");
}

std::string GatewayClient::post(const std::string &target, const std::string &body,
                                const std::string &content_type) {
  return request(static_cast<int>(http::verb::post), target, body, content_type);
}

namespace {

// sottod answers errors as {"error": "..."}; fall back to the raw body for anything else.
std::string error_message(const std::string &body) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    if (const auto *message = parsed.as_object().if_contains("error");
        message && message->is_string())
      return std::string(message->as_string());
  }
  return body.empty() ? "(no message)" : body;
}

}  // namespace

std::string GatewayClient::request(int method, const std::string &target, const std::string &body,
                                   const std::string &content_type) {
  const std::string where = "http://" + url_.host + ":" + url_.port;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  try {
    boost::asio::ip::tcp::resolver resolver(io);
    stream.expires_after(timeout_);
    stream.connect(resolver.resolve(url_.host, url_.port));
  } catch (const boost::system::system_error &e) {
    throw GatewayUnreachable("no gateway at " + where + ": " + e.code().message());
  }

  http::request<http::string_body> req(static_cast<http::verb>(method), url_.base_path + target,
                                       11);
  req.set(http::field::host, url_.host);
  req.set(http::field::user_agent, "sottoctl");
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  req.body() = body;
  req.prepare_payload();

  http::response<http::string_body> res;
  try {
    stream.expires_after(timeout_);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64UL * 1024 * 1024);
    http::read(stream, buffer, parser);
    res = parser.release();
  } catch (const boost::system::system_error &e) {
    throw GatewayUnreachable("gateway at " + where + " did not answer: " + e.code().message());
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);

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
