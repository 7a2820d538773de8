// Connects the rollout engine to the rest of sottod: device OtaStatus messages arrive on the
// store writer thread through Ingest (once their batch committed) and are posted to the event
// loop; offers, chunks and key rotations leave through a downlink client of their own (QoS 1,
// rollout_publisher.h); the HTTP API gets the /api/v1/rollouts and /api/v1/keys routes, and
// /metrics the engine's counters.
#pragma once

#include <boost/asio/io_context.hpp>
#include <string>

#include "config.h"
#include "ingest.h"
#include "rollout_engine.h"
#include "rollout_publisher.h"
#include "rollout_store.h"
#include "router.h"
#include "store.h"

namespace sotto::gw {

class RolloutService {
 public:
  // Bundles are kept in a "bundles" directory beside the database file.
  // Reads through its own reader of the store; writes through `writes` and `trust_writes` (both
  // on the store writer thread in sottod).
  RolloutService(boost::asio::io_context &io, const Config &config, Store &store,
                 RolloutWriter &writes, TrustWriter &trust_writes, Router &router, Ingest &ingest);
  // Connects the downlink and resumes rollouts a previous run left unfinished.
  void start() {
    publisher_.start();
    engine_.start();
  }
  void stop() {
    engine_.stop();
    publisher_.stop();
  }

 private:
  std::string render_metrics() const;

  std::unique_ptr<StoreReader> reader_;
  RolloutStore store_;
  RolloutPublisher publisher_;
  RolloutEngine engine_;
};

}  // namespace sotto::gw
