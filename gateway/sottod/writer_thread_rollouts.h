// The rollout engine's writes, run on the store writer thread (IngestWriter::run) so one thread
// writes the store and the engine's writes never collide with ingest's transactions.
#pragma once

#include "ingest_writer.h"
#include "store.h"

namespace sotto::gw {

class WriterThreadRollouts : public RolloutWriter {
 public:
  explicit WriterThreadRollouts(IngestWriter &writer) : writer_(writer) {}

  int64_t create_rollout(const RolloutSpec &spec, const std::vector<std::string> &devices,
                         const std::vector<size_t> &wave_sizes) override {
    return writer_.run(
        [&](StoreWriter &store) { return store.create_rollout(spec, devices, wave_sizes); });
  }
  void set_rollout_state(int64_t id, const std::string &state,
                         const std::string &halt_reason) override {
    writer_.run([&](StoreWriter &store) { store.set_rollout_state(id, state, halt_reason); });
  }
  void set_rollout_wave(int64_t id, int64_t wave) override {
    writer_.run([&](StoreWriter &store) { store.set_rollout_wave(id, wave); });
  }
  void record_rollout_device(int64_t id, const std::string &device, const std::string &state,
                             int64_t next_offset, int64_t failure) override {
    writer_.run([&](StoreWriter &store) {
      store.record_rollout_device(id, device, state, next_offset, failure);
    });
  }

 private:
  IngestWriter &writer_;
};

}  // namespace sotto::gw
