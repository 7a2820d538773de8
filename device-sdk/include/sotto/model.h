/* sotto device SDK: load a compiled .smdl model in place from flash and run it on an arena. */
#ifndef SOTTO_MODEL_H
#define SOTTO_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why sotto_model_open refused a blob: the error it returned, where (an operator or a tensor
 * of the blob) and which check failed. Read it with sotto_model_open_fault. */
typedef struct sotto_model_fault {
  sotto_err_t error;    /* what sotto_model_open returned (SOTTO_OK after a success) */
  int32_t op_index;     /* the operator whose check failed, or -1 */
  uint32_t op_kind;     /* its kind as the blob gives it (0 when op_index is -1) */
  int32_t tensor_index; /* the tensor whose check failed, or -1 */
  /* the name of the op that runs it ("CONV_2D"; "CONV_2D_16X8" for a CONV_2D with int16
   * activations, the name SOTTO_INFER_ONLY_OPS must list; "?" for a kind this SDK does not know) */
  const char *op_name;
  /* What was expected, e.g. "weights: expected out_c * kernel_h * kernel_w * in_c bytes".
   * Builds configured with SOTTO_INFER_FAULT_TEXT=OFF (the default for cross builds, where the
   * texts cost flash) leave this and op_name empty; `sottoctl model inspect` on the same blob
   * prints them. */
  const char *check;
} sotto_model_fault_t;

/* A validated model. The blob stays where it is (flash); this struct only points into it.
 * Fill it with sotto_model_open; the fields are private to the runtime. */
typedef struct sotto_model {
  const uint8_t *blob;
  size_t blob_bytes;
  uint8_t *arena;
  size_t arena_bytes;
  sotto_model_fault_t fault;
} sotto_model_t;

/* Element type of a tensor: int8 inside the model; float32 only where the model itself
 * quantizes its input or dequantizes its output; int16 and int32 where the model's ops take them
 * (TFLite's 16x8 quantization, QUANTIZE to int16 or int32). UINT8 is reserved. */
typedef enum sotto_tensor_type {
  SOTTO_TENSOR_INT8 = 0,
  SOTTO_TENSOR_FLOAT32 = 1,
  SOTTO_TENSOR_INT16 = 2,
  SOTTO_TENSOR_INT32 = 3,
  SOTTO_TENSOR_UINT8 = 4,
} sotto_tensor_type_t;

/* One tensor as the application sees it: data in the arena plus its quantization. */
typedef struct sotto_tensor {
  void *data; /* elements of `type`, row-major */
  size_t bytes;
  sotto_tensor_type_t type;
  int32_t rank;
  int32_t dims[4];
  float scale;
  int32_t zero_point;
} sotto_tensor_t;

/* Checks the blob's header, digest and every offset/length/count against the blob size, and
 * every operator's parameters against what its kernel relies on, then fills `model`. `blob`
 * must be 4-byte aligned and stay valid while the model is used. On a refusal the model is left
 * unusable and sotto_model_open_fault says which check failed where. */
sotto_err_t sotto_model_open(sotto_model_t *model, const void *blob, size_t blob_bytes);

/* The outcome of the last sotto_model_open on `model` (never NULL for a non-NULL model). */
const sotto_model_fault_t *sotto_model_open_fault(const sotto_model_t *model);

/* The exact arena size the model needs (planned at import time). */
size_t sotto_model_arena_bytes(const sotto_model_t *model);

/* Gives the model its working memory: at least sotto_model_arena_bytes, 4-byte aligned. The
 * arena includes the state a stateful model (SVDF) keeps from one invoke to the next, in bytes
 * no other tensor uses; attaching sets that state to its initial value (zero). */
sotto_err_t sotto_model_attach_arena(sotto_model_t *model, void *arena, size_t arena_bytes);

/* Sets the state a stateful model keeps across invokes (SVDF's activation state: its memory of
 * past inputs) back to its initial value, as after sotto_model_attach_arena: the next invoke
 * answers as if it were the first. Nothing to do for a model without state.
 * SOTTO_ERR_MODEL_NO_ARENA before an arena is attached. */
sotto_err_t sotto_model_reset_state(sotto_model_t *model);

/* How many input and output tensors the model has (at least one each). */
uint32_t sotto_model_input_count(const sotto_model_t *model);
uint32_t sotto_model_output_count(const sotto_model_t *model);

/* Input or output `index` (0-based, in the order of the TFLite model's inputs and outputs)
 * inside the attached arena; SOTTO_ERR_MODEL_NO_SUCH_TENSOR beyond the count. */
sotto_err_t sotto_model_input(const sotto_model_t *model, uint32_t index, sotto_tensor_t *tensor);
sotto_err_t sotto_model_output(const sotto_model_t *model, uint32_t index, sotto_tensor_t *tensor);

/* Runs every operator once: every input tensor must be filled first. The arena plan reuses a
 * tensor's bytes once no later operator reads them, so the input tensors' contents are
 * overwritten: fill them again before every call. The output tensors hold the result until
 * the next call. A stateful model's answer depends on the inputs of earlier calls too (SVDF
 * remembers its last `memory size` inputs' responses) until sotto_model_reset_state. */
sotto_err_t sotto_invoke(sotto_model_t *model);

/* Called after each operator with its index and output (for layer-by-layer checks). An operator
 * whose output the model's plan streams (a ring of rows that never exists whole: smdl_format.h)
 * is reported row by row as the rows are made, in row order, each report one row (dims[1] == 1);
 * reports of different operators may then interleave. */
typedef void (*sotto_op_observer_t)(void *context, uint32_t op_index, const sotto_tensor_t *output);
sotto_err_t sotto_invoke_observed(sotto_model_t *model, sotto_op_observer_t observer,
                                  void *context);

/* Number of operators (for tools). */
uint32_t sotto_model_op_count(const sotto_model_t *model);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_MODEL_H */
