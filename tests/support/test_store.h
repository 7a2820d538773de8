// A real SQLite gateway store for tests, with the one-message-per-transaction calls tests want:
// each record_* is its own IngestBatch, committed at once.
#pragma once

#include <memory>
#include <string>

#include "registry.h"
#include "store.h"

namespace sotto::test {

class TestStore {
 public:
  // Creates (or reopens) the database at path.
  explicit TestStore(const std::string &path, uint32_t aggregate_window_s = 3600);

  void record_health(const std::string &site, const std::string &device,
                     const sotto_health_t &health, int64_t received_ms);
  gw::StoredEventInfo record_event(const std::string &site, const std::string &device,
                                   const sotto_event_t &event, int64_t received_ms);
  int64_t device_count() const { return registry_->device_count(); }

  gw::Store &store() { return *store_; }
  gw::StoreWriter &writer() { return *writer_; }
  gw::Registry &registry() { return *registry_; }

 private:
  std::unique_ptr<gw::Store> store_;
  std::unique_ptr<gw::StoreWriter> writer_;
  std::unique_ptr<gw::Registry> registry_;
};

}  // namespace sotto::test
