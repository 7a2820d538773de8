// A real HttpServer on a loopback port over a real SQLite store and Router, for the API tests:
// each test fills the store and adds routes or guards before serve(), then talks HTTP to port().
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "http_server.h"
#include "metrics.h"
#include "router.h"
#include "test_store.h"

namespace sotto::gw {

class ApiServerFixture : public ::testing::Test {
 protected:
  // A new database named after the test group (nothing left from an earlier run), its reader,
  // and a Router on it with the shipped API settings.
  void open_store(const std::string &name) {
    path_ = ::testing::TempDir() + "/sotto-" + name + "-" + std::to_string(::getpid()) + ".db";
    for (const char *suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    store_ = std::make_unique<test::TestStore>(path_);
    reader_ = store_->store().reader();
    router_ = std::make_unique<Router>(*reader_, metrics_, health_, ApiSettings{3600, 3300});
  }

  // Serves router_ on 127.0.0.1 (an ephemeral port) from a thread of its own; HTTPS with tls.
  void serve(const HttpLimits &limits = HttpLimits{}, boost::asio::ssl::context *tls = nullptr) {
    server_ = std::make_unique<HttpServer>(
        io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0),
        *router_, limits, tls);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  int port() const { return server_->port(); }

  void TearDown() override {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string path_;
  Metrics metrics_;
  IngestHealth health_{metrics_};
  boost::asio::io_context io_;
  std::unique_ptr<test::TestStore> store_;
  std::unique_ptr<StoreReader> reader_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

}  // namespace sotto::gw
