// sottod's rollout wiring (see the header).
#include "rollout_service.h"

#include <boost/asio/post.hpp>
#include <filesystem>

#include "key_routes.h"
#include "log.h"
#include "rollout_routes.h"

namespace sotto::gw {
namespace {

RolloutEngineOptions engine_options(const Config &config) {
  RolloutEngineOptions options;
  options.device_answer_deadline_ms = config.rollout.device_answer_deadline_s * 1000;
  std::filesystem::path dir = std::filesystem::path(config.store.path).parent_path();
  options.bundle_dir = ((dir.empty() ? std::filesystem::path(".") : dir) / "bundles").string();
  return options;
}

}  // namespace

RolloutService::RolloutService(boost::asio::io_context &io, const Config &config, Store &store,
                               RolloutWriter &writes, TrustWriter &trust_writes, Router &router,
                               Ingest &ingest)
    : reader_(store.reader()),
      store_(*reader_, writes),
      publisher_(config.mqtt),
      engine_(io, engine_options(config), store_,
              [this](const std::string &topic, const std::vector<uint8_t> &payload) {
                return publisher_.publish(topic, payload);
              }) {
  add_rollout_routes(router, engine_);
  add_key_routes(router, engine_, *reader_, trust_writes);
  router.add_metrics([this] { return render_metrics(); });
  ingest.set_ota_status_handler(
      [this, &io](const Topic &topic, const std::vector<uint8_t> &payload, int64_t) {
        boost::asio::post(io, [this, site = topic.site, device = topic.device, payload] {
          try {
            engine_.on_status(site, device, payload);
          } catch (const std::exception &error) {
            log_line(LogLevel::kError, "rollout: status of " + device + ": " + error.what());
          }
        });
      });
}

std::string RolloutService::render_metrics() const {
  std::string out =
      "# HELP sotto_rollout_messages_published_total Offers, chunks and key rotations handed to "
      "the downlink.\n"
      "# TYPE sotto_rollout_messages_published_total counter\n"
      "sotto_rollout_messages_published_total " +
      std::to_string(engine_.published_messages()) +
      "\n"
      "# HELP sotto_rollout_refused_total Rollout starts refused before anything was sent, by "
      "code.\n"
      "# TYPE sotto_rollout_refused_total counter\n";
  for (const char *code : {"bad_bundle", "bad_rotation", "untrusted_key", "bad_signature",
                           "digest_mismatch", "version_not_newer"}) {
    const auto found = engine_.refused_starts().find(code);
    out += std::string("sotto_rollout_refused_total{code=\"") + code + "\"} " +
           std::to_string(found == engine_.refused_starts().end() ? 0 : found->second) + "\n";
  }
  return out;
}

}  // namespace sotto::gw
