// sottod's API wiring and its start-up rules (see the header).
#include "api_service.h"

#include <boost/asio/ip/address.hpp>

#include "audit_routes.h"
#include "log.h"
#include "tls_context.h"

namespace sotto::gw {
namespace {

bool tokens_required(const HttpConfig &config) {
  return config.require_token || !listens_on_loopback_only(config);
}

}  // namespace

ApiService::ApiService(boost::asio::io_context &io, const Config &whole_config, Store &store,
                       IngestWriter &writes, Router &router)
    : config_(whole_config.http),
      reader_(store.reader()),
      authenticator_(*reader_, tokens_required(whole_config.http)),
      audit_([&writes](std::function<void(TrustWriter &)> write) {
        writes.post([write = std::move(write)](StoreWriter &writer) { write(writer); });
      }),
      guard_(authenticator_, audit_) {
  const HttpConfig &config = config_;
  if (authenticator_.required() && reader_->unrevoked_api_token_count() == 0) {
    const std::string why = config.require_token
                                ? "http.require_token is set"
                                : "http.listen " + config.listen + " is beyond loopback";
    throw std::runtime_error(
        why + ", so every request needs a bearer token, but " + store.describe() +
        " holds none; create one on this machine first: sottoctl token create --role operator "
        "--name NAME --db " +
        whole_config.store.path);
  }
  if (!listens_on_loopback_only(config) && config.tls_certificate.empty()) {
    log_line(LogLevel::kWarning,
             "http.listen " + config.listen +
                 " is beyond loopback without http.tls_certificate: bearer tokens cross the "
                 "network in clear text");
  }
  if (!config.tls_certificate.empty()) {
    tls_.emplace(make_server_tls_context(config.tls_certificate, config.tls_key));
  }
  add_audit_routes(router, *reader_, [&writes] { writes.wait_for_queued(); });
  router.protect(guard_);
  router.add_metrics([this] { return guard_.render_metrics(); });
  const boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(config.listen),
                                                config.port);
  HttpLimits limits;
  limits.max_body_bytes = config.max_body_bytes;
  server_ = std::make_unique<HttpServer>(io, endpoint, router, limits, tls_ ? &*tls_ : nullptr);
}

std::string ApiService::url() const {
  return std::string(tls_ ? "https://" : "http://") + config_.listen + ":" +
         std::to_string(server_->port()) +
         (authenticator_.required() ? " (bearer tokens required)" : " (tokens optional)");
}

}  // namespace sotto::gw
