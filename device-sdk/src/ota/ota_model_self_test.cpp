// The model self-test: run the candidate in place on the seeded input and hash its output.
// A separate object and library from the updater so that only firmware using it links the
// inference engine.
#include "sotto/ota_model_self_test.h"

#include "crypto/sha256.h"
#include "sotto/model.h"

namespace {

sotto_err_t run(sotto_ota_model_self_test_ctx_t *ctx, const sotto_ota_candidate_t &candidate,
                uint8_t out_output_sha256[SOTTO_OTA_SHA256_BYTES]) {
  if (candidate.manifest == nullptr || candidate.storage == nullptr || ctx->arena == nullptr) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  // The engine reads weights where they lie; copying a slot into RAM would need a second
  // model-sized buffer most devices do not have.
  if (candidate.model == nullptr) return SOTTO_ERR_OTA_SLOT_NOT_MAPPED;
  const sotto_storage_port_t &storage = *candidate.storage;
  const uint32_t model_bytes = candidate.manifest->model_bytes;
  if (storage.region_bytes == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  if (model_bytes > storage.region_bytes(storage.ctx, candidate.region)) {
    return SOTTO_ERR_OTA_TOO_LARGE;
  }
  sotto_model_t model;
  sotto_err_t err = sotto_model_open(&model, candidate.model, model_bytes);
  if (err != SOTTO_OK) return err;
  // Checked here as well as by attach so the cause is named before anything is written.
  if (sotto_model_arena_bytes(&model) > ctx->arena_bytes) return SOTTO_ERR_MODEL_ARENA_TOO_SMALL;
  err = sotto_model_attach_arena(&model, ctx->arena, ctx->arena_bytes);
  if (err != SOTTO_OK) return err;
  // Raw bytes for float inputs too: the engine's QUANTIZE maps NaN and infinities to the int8
  // limits, so any byte pattern is a valid input. Input k takes the stream of seed + k.
  for (uint32_t k = 0; k < sotto_model_input_count(&model); ++k) {
    sotto_tensor_t input;
    err = sotto_model_input(&model, k, &input);
    if (err != SOTTO_OK) return err;
    sotto_ota_self_test_input(candidate.manifest->self_test_input_seed + k,
                              static_cast<uint8_t *>(input.data), input.bytes);
  }
  err = sotto_invoke(&model);
  if (err != SOTTO_OK) return err;
  // Every output, in order, into one digest.
  sotto_sha256_t sha;
  sotto_sha256_start(&sha);
  for (uint32_t k = 0; k < sotto_model_output_count(&model); ++k) {
    sotto_tensor_t output;
    err = sotto_model_output(&model, k, &output);
    if (err != SOTTO_OK) break;
    sotto_sha256_update(&sha, static_cast<const uint8_t *>(output.data), output.bytes);
  }
  sotto_sha256_finish(&sha, out_output_sha256);
  if (err != SOTTO_OK) return err;
  return SOTTO_OK;
}

}  // namespace

extern "C" sotto_err_t sotto_ota_model_self_test(
    void *ctx, const sotto_ota_candidate_t *candidate,
    uint8_t out_output_sha256[SOTTO_OTA_SHA256_BYTES]) {
  auto *self = static_cast<sotto_ota_model_self_test_ctx_t *>(ctx);
  if (self == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  self->last_error = candidate == nullptr || out_output_sha256 == nullptr
                         ? SOTTO_ERR_INVALID_ARGUMENT
                         : run(self, *candidate, out_output_sha256);
  return self->last_error;
}
