// The public C API: open a validated model, attach an arena, run the operators in order.
#include <string.h>

#include "kernel_args.h"
#include "model_view.h"
#include "op_registry.h"
#include "row_stream.h"
#include "sotto/model.h"

using sotto_infer::KernelArgs;
using sotto_infer::ModelView;

namespace {

bool view_of(const sotto_model_t *model, ModelView *view) {
  if (model == nullptr || model->blob == nullptr) return false;
  *view = sotto_infer::view_at(model->blob);
  return true;
}

void fill_tensor(const sotto_model_t *model, const sotto_smdl_tensor_t &t, sotto_tensor_t *out) {
  sotto_infer::public_tensor(t, model->arena + t.arena_offset, out);
}

// Every op's persistent state at its initial value, as TFLM resets variable tensors: an int8
// state at its zero point (a real zero), others at 0. Only the ops with state
// (sotto_smdl_state_tensor) have any: an engine linking neither has nothing to reset.
void reset_states(const sotto_model_t *model, const ModelView &v) {
  using sotto_infer::links;
  if (!links(SOTTO_OP_SVDF) && !links(SOTTO_OP_UNIDIRECTIONAL_SEQUENCE_LSTM)) return;
  for (uint32_t i = 0; i < v.header->op_count; ++i) {
    for (uint32_t k = 0; k < SOTTO_SMDL_MAX_STATES; ++k) {
      const uint32_t s = sotto_smdl_state_tensor(&v.ops[i], k);
      if (s == SOTTO_SMDL_NO_TENSOR) continue;
      const sotto_smdl_tensor_t &t = v.tensors[s];
      memset(model->arena + t.arena_offset, t.type == SOTTO_SMDL_INT8 ? t.zero_point : 0, t.bytes);
    }
  }
}

}  // namespace

extern "C" sotto_err_t sotto_model_open(sotto_model_t *model, const void *blob, size_t blob_bytes) {
  if (model == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  model->blob = nullptr;
  model->blob_bytes = 0;
  model->arena = nullptr;
  model->arena_bytes = 0;
  ModelView view;
  const sotto_err_t err =
      sotto_infer::open_view(static_cast<const uint8_t *>(blob), blob_bytes, &view, &model->fault);
  if (err != SOTTO_OK) return err;
  model->blob = static_cast<const uint8_t *>(blob);
  model->blob_bytes = blob_bytes;
  return SOTTO_OK;
}

extern "C" const sotto_model_fault_t *sotto_model_open_fault(const sotto_model_t *model) {
  return model == nullptr ? nullptr : &model->fault;
}

extern "C" size_t sotto_model_arena_bytes(const sotto_model_t *model) {
  ModelView v;
  return view_of(model, &v) ? v.header->arena_bytes : 0;
}

extern "C" uint32_t sotto_model_op_count(const sotto_model_t *model) {
  ModelView v;
  return view_of(model, &v) ? v.header->op_count : 0;
}

extern "C" sotto_err_t sotto_model_attach_arena(sotto_model_t *model, void *arena,
                                                size_t arena_bytes) {
  ModelView v;
  if (!view_of(model, &v) || arena == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  if ((reinterpret_cast<uintptr_t>(arena) & 3u) != 0) return SOTTO_ERR_MODEL_MISALIGNED;
  if (arena_bytes < v.header->arena_bytes) return SOTTO_ERR_MODEL_ARENA_TOO_SMALL;
  model->arena = static_cast<uint8_t *>(arena);
  model->arena_bytes = arena_bytes;
  reset_states(model, v);
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_model_reset_state(sotto_model_t *model) {
  ModelView v;
  if (!view_of(model, &v)) return SOTTO_ERR_INVALID_ARGUMENT;
  if (model->arena == nullptr) return SOTTO_ERR_MODEL_NO_ARENA;
  reset_states(model, v);
  return SOTTO_OK;
}

extern "C" uint32_t sotto_model_input_count(const sotto_model_t *model) {
  ModelView v;
  return view_of(model, &v) ? v.header->input_count : 0;
}

extern "C" uint32_t sotto_model_output_count(const sotto_model_t *model) {
  ModelView v;
  return view_of(model, &v) ? v.header->output_count : 0;
}

static sotto_err_t tensor_at(const sotto_model_t *model, bool input, uint32_t index,
                             sotto_tensor_t *tensor) {
  ModelView v;
  if (!view_of(model, &v) || tensor == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  if (model->arena == nullptr) return SOTTO_ERR_MODEL_NO_ARENA;
  const uint32_t count = input ? v.header->input_count : v.header->output_count;
  if (index >= count) return SOTTO_ERR_MODEL_NO_SUCH_TENSOR;
  fill_tensor(model, v.tensors[v.io[input ? index : v.header->input_count + index]], tensor);
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_model_input(const sotto_model_t *model, uint32_t index,
                                         sotto_tensor_t *tensor) {
  return tensor_at(model, true, index, tensor);
}

extern "C" sotto_err_t sotto_model_output(const sotto_model_t *model, uint32_t index,
                                          sotto_tensor_t *tensor) {
  return tensor_at(model, false, index, tensor);
}

extern "C" sotto_err_t sotto_invoke_observed(sotto_model_t *model, sotto_op_observer_t observer,
                                             void *context) {
  ModelView v;
  if (!view_of(model, &v)) return SOTTO_ERR_INVALID_ARGUMENT;
  if (model->arena == nullptr) return SOTTO_ERR_MODEL_NO_ARENA;
  uint32_t next_stream = 0;
  for (uint32_t i = 0; i < v.header->op_count; ++i) {
    if (sotto_infer::kRowStreams && next_stream < v.stream_count &&
        v.streams[next_stream].first_op == i) {
      const sotto_smdl_stream_t &s = v.streams[next_stream++];
      sotto_infer::run_stream(v, model->arena, s, observer, context);
      i += s.op_count - 1;
      continue;
    }
    const sotto_smdl_op_t &op = v.ops[i];
    const KernelArgs a = sotto_infer::whole_args(v, model->arena, op);
    sotto_infer::kernel_for(sotto_smdl_kernel_kind(&op, v.tensors, v.header->tensor_count))(a);
    if (observer != nullptr) {
      sotto_tensor_t out;
      fill_tensor(model, *a.output, &out);
      observer(context, i, &out);
    }
  }
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_invoke(sotto_model_t *model) {
  return sotto_invoke_observed(model, nullptr, nullptr);
}
