// sottod's HTTP API: the Router behind bearer-token authentication and the audit log
// (gateway/auth), served over HTTP or HTTPS (http.tls_certificate / http.tls_key).
//
// Tokens are required whenever http.listen is beyond loopback, and on loopback when
// http.require_token is set; sottod refuses to start when they are required and the store holds
// no unrevoked token, since nobody could then use the API (`sottoctl token create` writes the
// first one on the gateway machine).
//
// Audit rows are queued for the store writer thread (audit_log.h says what that can lose);
// GET /api/v1/audit first waits for the rows queued before it, so a client reads its own.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "api_guard.h"
#include "audit_log.h"
#include "authenticator.h"
#include "config.h"
#include "http_server.h"
#include "ingest_writer.h"
#include "router.h"
#include "store.h"

namespace sotto::gw {

class ApiService {
 public:
  // Binds at once; throws std::runtime_error naming the setting when the API must not start.
  ApiService(boost::asio::io_context &io, const Config &config, Store &store, IngestWriter &writes,
             Router &router);
  void start() { server_->start(); }
  void stop() { server_->stop(); }
  std::string url() const;  // http(s)://LISTEN:PORT, for the log

 private:
  HttpConfig config_;
  std::unique_ptr<StoreReader> reader_;
  Authenticator authenticator_;
  AuditLog audit_;
  ApiGuard guard_;
  std::optional<boost::asio::ssl::context> tls_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace sotto::gw
