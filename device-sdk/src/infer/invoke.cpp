// The public C API: open a validated model, attach an arena, run the operators in order.
#include <string.h>

#include "kernel_args.h"
#include "model_view.h"
#include "op_registry.h"
#include "sotto/model.h"

using sotto_infer::KernelArgs;
using sotto_infer::ModelView;

namespace {

bool view_of(const sotto_model_t *model, ModelView *view) {
  if (model == nullptr || model->blob == nullptr) return false;
  *view = sotto_infer::view_at(model->blob);
  return true;
}

// The public type of an smdl element type (the enums share their values).
sotto_tensor_type_t public_type(uint32_t type) {
  return static_cast<sotto_tensor_type_t>(type);
}

void fill_tensor(const sotto_model_t *model, const sotto_smdl_tensor_t &t, sotto_tensor_t *out) {
  out->data = model->arena + t.arena_offset;
  out->bytes = t.bytes;
  out->type = public_type(t.type);
  out->rank = t.rank;
  for (int i = 0; i < 4; ++i) out->dims[i] = t.dims[i];
  out->scale = t.scale;
  out->zero_point = t.zero_point;
}

// Every op's persistent state at its initial value, as TFLM resets variable tensors: an int8
// state at its zero point (a real zero), others at 0.
void reset_states(const sotto_model_t *model, const ModelView &v) {
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
  for (uint32_t i = 0; i < v.header->op_count; ++i) {
    const sotto_smdl_op_t &op = v.ops[i];
    KernelArgs a;
    a.op = &op;
    a.input0 = &v.tensors[op.input0];
    a.input1 = op.input1 == SOTTO_SMDL_NO_TENSOR ? nullptr : &v.tensors[op.input1];
    a.output = &v.tensors[op.output];
    a.input0_data = reinterpret_cast<const int8_t *>(model->arena + a.input0->arena_offset);
    a.input1_data = a.input1
                        ? reinterpret_cast<const int8_t *>(model->arena + a.input1->arena_offset)
                        : nullptr;
    a.output_data = reinterpret_cast<int8_t *>(model->arena + a.output->arena_offset);
    a.weights = reinterpret_cast<const int8_t *>(v.data + op.weights_offset);
    a.bias = op.bias_count ? v.constants_i32(op.bias_offset) : nullptr;
    a.multiplier = v.constants_i32(op.multiplier_offset);
    a.shift = v.constants_i32(op.shift_offset);
    a.folded_bias = op.folded_bias_count ? v.constants_i32(op.folded_bias_offset) : nullptr;
    a.scratch = op.scratch_bytes ? model->arena + op.scratch_offset : nullptr;
    a.tensors = v.tensors;
    a.arena = model->arena;
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
