// Token and fleet-key writes of the HTTP API (key trust and retire), run on the store writer
// thread (IngestWriter::run) like the rollout engine's, so one thread writes the store and these
// writes never wait on ingest's transactions in busy_timeout. Audit rows do not come this way:
// they are queued (sottod/api_service.cpp, IngestWriter::post) so no request waits for one.
#pragma once

#include "ingest_writer.h"
#include "store.h"

namespace sotto::gw {

class WriterThreadTrust : public TrustWriter {
 public:
  explicit WriterThreadTrust(IngestWriter &writer) : writer_(writer) {}

  bool insert_api_token(const ApiTokenRow &token) override {
    return writer_.run([&](StoreWriter &store) { return store.insert_api_token(token); });
  }
  bool revoke_api_token(const std::string &name_or_id, int64_t revoked_ms) override {
    return writer_.run(
        [&](StoreWriter &store) { return store.revoke_api_token(name_or_id, revoked_ms); });
  }
  int64_t append_audit(const AuditRow &row) override {
    return writer_.run([&](StoreWriter &store) { return store.append_audit(row); });
  }
  bool add_provisioned_key(const FleetKeyRow &key) override {
    return writer_.run([&](StoreWriter &store) { return store.add_provisioned_key(key); });
  }
  bool distrust_fleet_key(int64_t key_id, int64_t distrusted_ms) override {
    return writer_.run(
        [&](StoreWriter &store) { return store.distrust_fleet_key(key_id, distrusted_ms); });
  }

 private:
  IngestWriter &writer_;
};

}  // namespace sotto::gw
