// Shared pieces of the OTA tests: a tiny deterministic "engine" for the self-test hook, signed
// bundles from the gateway's signer, and a device (host NOR storage + updater) that can reboot.
#ifndef SOTTO_TESTS_OTA_FIXTURE_H
#define SOTTO_TESTS_OTA_FIXTURE_H

#include <array>
#include <cstdint>
#include <vector>

#include "bundle.h"
#include "signing_key.h"
#include "sotto/ota.h"
#include "sotto/port_host.h"

namespace sotto::test {

constexpr uint32_t kSectorBytes = 1024;
constexpr uint32_t kSlotBytes = 8 * kSectorBytes;
constexpr uint32_t kStateBytes = (SOTTO_DEVICE_STATE_RESERVED_SECTORS + 3) * kSectorBytes;
constexpr uint32_t kChunkBytes = 256;
constexpr uint8_t kDeviceClass = 3;
// A model whose first byte is this uses an "op" the device engine does not support.
constexpr uint8_t kUnsupportedOpMarker = 0xee;

// The test engine: 32 output bytes, out[i] = input[i] + sum of model[j] for j % 32 == i.
std::array<uint8_t, 32> engine_output_sha256(const uint8_t *model, size_t model_bytes,
                                             uint64_t seed);
// The device's self-test hook over that engine; fails for models starting with the marker.
sotto_err_t engine_self_test(void *ctx, const sotto_ota_candidate_t *candidate,
                             uint8_t out_output_sha256[SOTTO_OTA_SHA256_BYTES]);

std::vector<uint8_t> make_model(size_t bytes, uint32_t salt);
gw::ManifestFields fields_for(const std::vector<uint8_t> &model, uint32_t version,
                              uint8_t device_class = kDeviceClass);
// The fleet key every test device trusts (generated once per process).
const gw::SigningKey &fleet_key();

class OtaDevice {
 public:
  explicit OtaDevice(bool tear_interrupted_write = false);
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
  uint64_t chunk_bytes_sent_ = 0;
};

}  // namespace sotto::test

#endif  // SOTTO_TESTS_OTA_FIXTURE_H
