// The HTTP server answers every malformed request with a status and a JSON error, never a
// dropped connection: raw requests over a real socket to a real HttpServer (plain and HTTPS).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_server_fixture.h"
#include "http_client.h"
#include "process.h"
#include "test_pki.h"
#include "tls_context.h"

namespace sotto::gw {
namespace {

using test::http_raw;

class HttpServerTest : public ApiServerFixture {
 protected:
  void SetUp() override { open_store("http"); }

  // Small limits, so the tests can exceed them cheaply.
  void serve(boost::asio::ssl::context *tls = nullptr) {
    HttpLimits limits;
    limits.max_body_bytes = 1024;
    limits.read_timeout = std::chrono::milliseconds(500);
    ApiServerFixture::serve(limits, tls);
  }

  // The answer's JSON error code; fails when the body is not valid JSON (Boost.JSON's parser
  // refuses invalid UTF-8 too).
  static std::string code_of(const test::HttpResponse &response) {
    boost::system::error_code error;
    const boost::json::value body = boost::json::parse(response.body, error);
    EXPECT_FALSE(error) << "not JSON: " << response.body;
    if (error || !body.is_object() || !body.as_object().contains("code")) return "";
    return std::string(body.at("code").as_string());
  }
};

TEST_F(HttpServerTest, RequestLineOverTheLimitGets414) {
  serve();
  const auto response = http_raw(port(), "GET /api/v1/devices?site=" + std::string(20000, 'a') +
                                             " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(response.status, 414) << response.headers;
  EXPECT_EQ(code_of(response), "request_line_too_long");
  EXPECT_NE(response.headers.find("Connection: close"), std::string::npos);
}

TEST_F(HttpServerTest, HeadersOverTheLimitGet431) {
  serve();
  const auto response =
      http_raw(port(), "GET /api/v1/devices HTTP/1.1\r\nHost: x\r\n" + std::string("X-Filler: ") +
                           std::string(20000, 'b') + "\r\n\r\n");
  EXPECT_EQ(response.status, 431) << response.headers;
  EXPECT_EQ(code_of(response), "headers_too_large");
}

TEST_F(HttpServerTest, BodyOverTheLimitGets413) {
  serve();
  const auto response =
      http_raw(port(), "POST /api/v1/devices HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                           std::string(5000, 'c'));
  EXPECT_EQ(response.status, 413) << response.headers;
  EXPECT_EQ(code_of(response), "body_too_large");
}

TEST_F(HttpServerTest, BrokenSyntaxGets400NamingIt) {
  serve();
  for (const std::string request :
       {"G@T / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nNo Colon Here\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: twelve\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    const auto response = http_raw(port(), request);
    EXPECT_EQ(response.status, 400) << request;
    EXPECT_EQ(code_of(response), "malformed_request") << request;
  }
}

TEST_F(HttpServerTest, RequestCutShortGets400) {
  serve();
  const auto response = http_raw(port(), "GET /api/v1/devi", true);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(code_of(response), "incomplete_request");
}

TEST_F(HttpServerTest, OtherHttpVersionsGet505) {
  serve();
  const auto response = http_raw(port(), "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n");
  EXPECT_EQ(response.status, 505);
  EXPECT_EQ(code_of(response), "http_version_not_supported");
}

TEST_F(HttpServerTest, BytesThatAreNotUtf8AreNeverEchoed) {
  serve();
  const auto escaped =
      http_raw(port(), "GET /api/v1/events?device=%FF%FE HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(escaped.status, 400);
  EXPECT_EQ(code_of(escaped), "bad_encoding");
  EXPECT_NE(escaped.body.find("query parameter 'device': not UTF-8 (byte 0xFF at offset 0)"),
            std::string::npos)
      << escaped.body;
  // Raw bytes in the path: whatever part of the server refuses them, the answer is JSON.
  const auto raw = http_raw(port(), "GET /api/v1/devices/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(raw.status, 400) << raw.body;
  EXPECT_FALSE(code_of(raw).empty());
  EXPECT_EQ(raw.body.find('\xff'), std::string::npos);
  // An overlong encoding of '/' (0xC0 0xAF) is not UTF-8 either.
  const auto overlong =
      http_raw(port(), "GET /api/v1/devices?site=%C0%AF HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(overlong.status, 400);
  EXPECT_EQ(code_of(overlong), "bad_encoding");
}

TEST_F(HttpServerTest, WellFormedUtf8IsServedAsBefore) {
  serve();
  const auto response = http_raw(port(),
                                 "GET /api/v1/devices?site=caf%C3%A9 HTTP/1.1\r\nHost: x\r\n"
                                 "Connection: close\r\n\r\n");
  EXPECT_EQ(response.status, 400);  // not an id, but named as such with the text intact
  EXPECT_NE(response.body.find("'caf\xc3\xa9' is not an id"), std::string::npos) << response.body;
}

TEST_F(HttpServerTest, PlainHttpOnTheHttpsPortIsNamed) {
  const std::string dir = test::make_temp_dir("http-server-tls");
  const test::TestPki pki = test::make_test_pki(dir);
  boost::asio::ssl::context tls = make_server_tls_context(pki.server_certificate, pki.server_key);
  serve(&tls);
  const auto response = http_raw(port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(code_of(response), "https_required");
}

TEST(TlsContext, KeyOfAnotherCertificateIsRefusedByName) {
  const std::string dir = test::make_temp_dir("tls-context");
  const test::TestPki pki = test::make_test_pki(dir);
  try {
    make_server_tls_context(pki.server_certificate, dir + "/test-ca.key");
    FAIL() << "accepted the CA's key for the server certificate";
  } catch (const std::runtime_error &error) {
    EXPECT_NE(std::string(error.what())
                  .find("http.tls_key: " + dir + "/test-ca.key is not the key of " +
                        pki.server_certificate),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(make_server_tls_context(dir + "/missing.pem", pki.server_key), std::runtime_error);
}

}  // namespace
}  // namespace sotto::gw
