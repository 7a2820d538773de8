// Shared pieces of the OTA tests: real .smdl models (synthetic FULLY_CONNECTED stacks), the
// SDK's engine self-test as the device hook, signed bundles from the gateway's signer, and a
// device (host NOR storage + updater) that can reboot.
#ifndef SOTTO_TESTS_OTA_FIXTURE_H
#define SOTTO_TESTS_OTA_FIXTURE_H

#include <array>
#include <cstdint>
#include <vector>

#include "bundle.h"
#include "signing_key.h"
#include "sotto/ota.h"
#include "sotto/ota_model_self_test.h"
#include "sotto/port_host.h"

namespace sotto::test {

constexpr uint32_t kSectorBytes = 1024;
constexpr uint32_t kSlotBytes = 8 * kSectorBytes;
constexpr uint32_t kStateBytes =
    (SOTTO_DEVICE_STATE_RESERVED_SECTORS + SOTTO_OTA_STATE_SECTORS) * kSectorBytes;
constexpr uint32_t kChunkBytes = 256;
constexpr uint8_t kDeviceClass = 3;
// Arena the test devices lend their self-test: far more than any make_model model needs.
constexpr uint32_t kArenaBytes = 4096;
// A model whose first byte is this is no .smdl any more (bad magic): its self-test cannot run.
constexpr uint8_t kNotAModelByte = 0xee;

// What the signer promises: the engine's output digest on the seed's input (gw::model_self_test).
std::array<uint8_t, 32> engine_output_sha256(const std::vector<uint8_t> &model, uint64_t seed);
// The device's self-test hook: sotto_ota_model_self_test on one arena of kArenaBytes shared by
// every test device (tests run on one thread). engine_self_test_context() is its context, for
// checking why a run failed.
sotto_err_t engine_self_test(void *ctx, const sotto_ota_candidate_t *candidate,
                             uint8_t out_output_sha256[SOTTO_OTA_SHA256_BYTES]);
sotto_ota_model_self_test_ctx_t &engine_self_test_context();

// A real .smdl (seeded by salt) padded with seeded bytes to exactly `bytes`, at least
// kMinModelBytes; the engine reads only the model and ignores what follows it.
constexpr size_t kMinModelBytes = 600;
std::vector<uint8_t> make_model(size_t bytes, uint32_t salt);
gw::ManifestFields fields_for(const std::vector<uint8_t> &model, uint32_t version,
                              uint8_t device_class = kDeviceClass);
// The fleet key every test device trusts (generated once per process).
const gw::SigningKey &fleet_key();

class OtaDevice {
 public:
  explicit OtaDevice(bool tear_interrupted_write = false,
                     sotto_ota_self_test_fn self_test = engine_self_test);
  ~OtaDevice();
  OtaDevice(const OtaDevice &) = delete;
  OtaDevice &operator=(const OtaDevice &) = delete;

  // Power back on and run the updater's boot step.
  sotto_err_t boot();
  // What a gateway does: offer, then chunks from the device's next offset until done or the
  // first error. Counts chunk bytes sent.
  sotto_err_t update(const gw::Bundle &bundle, uint32_t rollout_id = 1,
                     uint32_t chunk_bytes = kChunkBytes);

  sotto_ota_t &ota() { return ota_; }
  sotto_host_storage_t *storage() { return storage_; }
  uint64_t chunk_bytes_sent() const { return chunk_bytes_sent_; }
  // Version of the verified active model (0 = none) and the bytes of its slot.
  uint32_t active_version() const;
  std::vector<uint8_t> active_slot_bytes() const;

 private:
  sotto_host_storage_t *storage_ = nullptr;
  sotto_ota_t ota_{};
  std::array<uint8_t, SOTTO_OTA_PUBLIC_KEY_BYTES> public_key_{};
  sotto_ota_self_test_fn self_test_;
  uint64_t chunk_bytes_sent_ = 0;
};

}  // namespace sotto::test

#endif  // SOTTO_TESTS_OTA_FIXTURE_H
