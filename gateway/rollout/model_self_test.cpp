// The host run of the device self-test: the model in 4-byte aligned memory posing as a mapped
// flash slot, and an arena of exactly the size the model's plan asks for.
#include "model_self_test.h"

#include <cstring>
#include <stdexcept>
#include <string>

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
  if (model.size() > UINT32_MAX) {
    throw std::runtime_error("model of " + std::to_string(model.size()) +
                             " bytes: larger than any device slot");
  }
  std::vector<uint32_t> aligned(model.size() / 4 + 1);
  std::memcpy(aligned.data(), model.data(), model.size());
  const auto *blob = reinterpret_cast<const uint8_t *>(aligned.data());
  // Opened here first only to size the arena and to say plainly what is wrong with a blob
  // that is not a compiled model; the self-test opens it again as a device would.
  sotto_model_t opened;
  sotto_err_t err = sotto_model_open(&opened, blob, model.size());
  if (err != SOTTO_OK) {
    throw std::runtime_error(std::string("not a loadable .smdl model (") + sotto_err_name(err) +
                             "); compile it with `sottoctl model import`");
  }
  std::vector<uint32_t> arena(sotto_model_arena_bytes(&opened) / 4 + 1);

  MappedSlot slot{blob, static_cast<uint32_t>(model.size())};
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
  err = sotto_ota_model_self_test(&context, &candidate, digest.data());
  if (err != SOTTO_OK) {
    throw std::runtime_error(std::string("the model self-test did not run: ") +
                             sotto_err_name(err));
  }
  return digest;
}

}  // namespace sotto::gw
