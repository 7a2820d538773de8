// The host run of the device self-test: the model in 4-byte aligned memory posing as a mapped
// flash slot, and an arena of exactly the size the model's plan asks for.
#include "model_self_test.h"

#include <stdexcept>
#include <string>

#include "loadable_blob.h"
#include "sotto/model.h"
#include "sotto/ota_model_self_test.h"

namespace sotto::gw {
namespace {

struct MappedSlot {
  const uint8_t *bytes;
  uint32_t size;
};

uint32_t slot_bytes(void *ctx, sotto_storage_region_t) {
  return static_cast<MappedSlot *>(ctx)->size;
}

const uint8_t *slot_map(void *ctx, sotto_storage_region_t) {
  return static_cast<MappedSlot *>(ctx)->bytes;
}

}  // namespace

std::array<uint8_t, 32> model_self_test(const std::vector<uint8_t> &model, uint64_t seed) {
  // Opened here first only to size the arena and to say plainly what is wrong with a blob
  // that is not a compiled model; the self-test opens it again as a device would.
  const LoadableBlob opened = open_loadable_blob(model);
  const uint8_t *blob = opened.bytes();
  std::vector<uint32_t> arena(sotto_model_arena_bytes(&opened.model) / 4 + 1);

  MappedSlot slot{blob, opened.size};
  sotto_storage_port_t storage{};
  storage.ctx = &slot;
  storage.region_bytes = slot_bytes;
  storage.map = slot_map;
  sotto_ota_manifest_t manifest{};
  manifest.model_bytes = static_cast<uint32_t>(model.size());
  manifest.self_test_input_seed = seed;
  sotto_ota_candidate_t candidate{};
  candidate.storage = &storage;
  candidate.region = SOTTO_REGION_SLOT_A;
  candidate.model = blob;
  candidate.manifest = &manifest;
  sotto_ota_model_self_test_ctx_t context{};
  context.arena = arena.data();
  context.arena_bytes = arena.size() * 4;
  std::array<uint8_t, 32> digest{};
  const sotto_err_t err = sotto_ota_model_self_test(&context, &candidate, digest.data());
  if (err != SOTTO_OK) {
    throw std::runtime_error(std::string("the model self-test did not run: ") +
                             sotto_err_name(err));
  }
  return digest;
}

}  // namespace sotto::gw
