/* sotto device SDK: load a compiled .smdl model in place from flash and run it on an arena. */
#ifndef SOTTO_MODEL_H
#define SOTTO_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A validated model. The blob stays where it is (flash); this struct only points into it.
 * Fill it with sotto_model_open; the fields are private to the runtime. */
typedef struct sotto_model {
  const uint8_t *blob;
  size_t blob_bytes;
  uint8_t *arena;
  size_t arena_bytes;
} sotto_model_t;

/* Element type of a tensor: int8 inside the model; float32 only where the model itself
 * quantizes its input or dequantizes its output. */
typedef enum sotto_tensor_type {
  SOTTO_TENSOR_INT8 = 0,
  SOTTO_TENSOR_FLOAT32 = 1,
} sotto_tensor_type_t;

/* One tensor as the application sees it: data in the arena plus its quantization. */
typedef struct sotto_tensor {
  void *data; /* int8_t or float elements, per type */
  size_t bytes;
  sotto_tensor_type_t type;
  int32_t rank;
  int32_t dims[4];
  float scale;
  int32_t zero_point;
} sotto_tensor_t;

/* Checks the blob's header, digest and every offset/length/count against the blob size, then
 * fills `model`. `blob` must be 4-byte aligned and stay valid while the model is used. */
sotto_err_t sotto_model_open(sotto_model_t *model, const void *blob, size_t blob_bytes);

/* The exact arena size the model needs (planned at import time). */
size_t sotto_model_arena_bytes(const sotto_model_t *model);

/* Gives the model its working memory: at least sotto_model_arena_bytes, 4-byte aligned. */
sotto_err_t sotto_model_attach_arena(sotto_model_t *model, void *arena, size_t arena_bytes);

/* The model's input and output tensors inside the attached arena. */
sotto_err_t sotto_model_input(const sotto_model_t *model, sotto_tensor_t *tensor);
sotto_err_t sotto_model_output(const sotto_model_t *model, sotto_tensor_t *tensor);

/* Runs every operator once: the input tensor must be filled first. The arena plan reuses a
 * tensor's bytes once no later operator reads them, so the input tensor's contents are
 * overwritten: fill it again before every call. The output tensor holds the result until the
 * next call. */
sotto_err_t sotto_invoke(sotto_model_t *model);

/* Called after each operator with its index and output (for layer-by-layer checks). */
typedef void (*sotto_op_observer_t)(void *context, uint32_t op_index, const sotto_tensor_t *output);
sotto_err_t sotto_invoke_observed(sotto_model_t *model, sotto_op_observer_t observer,
                                  void *context);

/* Number of operators (for tools). */
uint32_t sotto_model_op_count(const sotto_model_t *model);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_MODEL_H */
