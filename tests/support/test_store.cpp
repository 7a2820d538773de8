// See test_store.h.
#include "test_store.h"

#include "sqlite_store.h"

namespace sotto::test {

TestStore::TestStore(const std::string &path, uint32_t aggregate_window_s)
    : store_(gw::open_sqlite_store(gw::SqliteStoreOptions{path, "normal"})),
      writer_(store_->writer()),
      registry_(std::make_unique<gw::Registry>(writer_->load_registry(), aggregate_window_s)) {}

void TestStore::record_health(const std::string &site, const std::string &device,
                              const sotto_health_t &health, int64_t received_ms) {
  gw::IngestBatch batch(*registry_, *writer_);
  batch.record_health(site, device, health, received_ms);
  batch.commit(registry_->journal_position());
}

gw::StoredEventInfo TestStore::record_event(const std::string &site, const std::string &device,
                                            const sotto_event_t &event, int64_t received_ms) {
  gw::IngestBatch batch(*registry_, *writer_);
  const gw::StoredEventInfo info = batch.record_event(site, device, event, received_ms);
  batch.commit(registry_->journal_position());
  return info;
}

}  // namespace sotto::test
