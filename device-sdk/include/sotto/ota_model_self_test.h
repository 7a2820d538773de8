/* sotto device SDK: the ready-made OTA self-test that runs the candidate model with the
 * inference engine (sotto/model.h) before the updater activates it.
 *
 * Give sotto_ota_model_self_test as sotto_ota_config_t.self_test and a
 * sotto_ota_model_self_test_ctx_t as self_test_ctx. It opens the candidate slot's bytes in place
 * as a .smdl, runs it on an arena the integrator owns, fills input k with
 * sotto_ota_self_test_input(manifest seed + k, input bytes), invokes the model once and writes
 * the SHA-256 of its output tensors' bytes, in order: exactly what `sottoctl model sign` computes
 * on the host with this same function. Lives in its own library (sotto_ota_model_self_test) so
 * firmware with its own self-test links neither the engine nor this file. */
#ifndef SOTTO_OTA_MODEL_SELF_TEST_H
#define SOTTO_OTA_MODEL_SELF_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"
#include "sotto/ota.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sotto_ota_model_self_test_ctx {
  /* The candidate's working memory: 4-byte aligned, at least the new model's
   * sotto_model_arena_bytes. Usually the arena the running model uses, when the application
   * does not invoke while an update finishes. */
  void *arena;
  size_t arena_bytes;
  /* Why the latest run failed (SOTTO_OK after a run that produced a digest): the updater
   * reports every failure as SOTTO_ERR_OTA_SELF_TEST_FAILED, this keeps the cause for logs. */
  sotto_err_t last_error;
} sotto_ota_model_self_test_ctx_t;

/* A sotto_ota_self_test_fn; ctx is a sotto_ota_model_self_test_ctx_t. Errors:
 * INVALID_ARGUMENT (NULL ctx/candidate/arena, no region_bytes), OTA_SLOT_NOT_MAPPED (the storage
 * port has no map for the slot: the engine runs a model in place), OTA_TOO_LARGE (manifest size
 * beyond the slot), any SOTTO_ERR_MODEL_* from opening the blob (a blob that is not a loadable
 * .smdl), MODEL_ARENA_TOO_SMALL (the model needs more than ctx->arena_bytes), or the engine's
 * error. */
sotto_err_t sotto_ota_model_self_test(void *ctx, const sotto_ota_candidate_t *candidate,
                                      uint8_t out_output_sha256[SOTTO_OTA_SHA256_BYTES]);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_OTA_MODEL_SELF_TEST_H */
