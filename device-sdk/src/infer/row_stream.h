// Row streams (smdl_format.h, sotto_smdl_stream): the loader's checks and the driver that runs a
// stream's ops row-interleaved through the ordinary kernels, each call on a band of rows.
#ifndef SOTTO_INFER_ROW_STREAM_H
#define SOTTO_INFER_ROW_STREAM_H

#include <stdint.h>

#include "kernel_args.h"
#include "model_view.h"
#include "sotto/model.h"

namespace sotto_infer {

// Whether this build links the driver (sotto_infer_library's NO_ROW_STREAMS, CMake's
// SOTTO_INFER_ROW_STREAMS). Without it the functions below that take a stream keep only the
// refusal of a blob that has one, and the code that runs streams is left to the linker to drop.
#ifdef SOTTO_INFER_NO_ROW_STREAMS
constexpr bool kRowStreams = false;
#else
constexpr bool kRowStreams = true;
#endif

// The kernel arguments of `op` over whole tensors in `arena` (what a plain invoke hands it).
KernelArgs whole_args(const ModelView &v, uint8_t *arena, const sotto_smdl_op_t &op);

// The application's view of tensor `t` whose elements start at `data`.
void public_tensor(const sotto_smdl_tensor_t &t, uint8_t *data, sotto_tensor_t *out);

// Ring rows of tensor `t` when some stream keeps only that many rows of it, else 0. Only for a
// view whose stream records passed check_stream_layout.
uint32_t ring_rows_of(const ModelView &v, uint32_t t);

// The bytes tensor `t` takes in the arena: its ring's rows when a stream keeps one, else all.
uint32_t planned_bytes(const ModelView &v, uint32_t t);

// The stream table's structure: counts, op ranges ascending and disjoint, ring rows given for
// every op but the last (SOTTO_ERR_MODEL_BAD_LAYOUT), or no stream at all in a build without the
// driver (SOTTO_ERR_MODEL_UNSUPPORTED_OP, *at -1). On a refusal *what names the check and *at
// the stream's first op.
sotto_err_t check_stream_layout(const ModelView &v, const char **what, int32_t *at);

// What the driver relies on, once every op passed its own check: kinds and types, windows that
// always touch an input row, and each ring read by exactly one later op of its stream, whose
// window fits in the ring. *at names the op.
sotto_err_t check_stream_ops(const ModelView &v, const char **what, int32_t *at);

// Runs stream `s`: its last op's output rows in order, each pulling the rows it needs from its
// producers. The observer sees a ring op's output one row at a time (dims[1] == 1, in row order)
// as it is made, and the last op's whole output at the end.
void run_stream(const ModelView &v, uint8_t *arena, const sotto_smdl_stream_t &s,
                sotto_op_observer_t observer, void *context);

}  // namespace sotto_infer

#endif
