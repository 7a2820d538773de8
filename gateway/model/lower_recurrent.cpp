// Lowering of the TFLite ops that keep state from one invoke to the next: SVDF. Their state is a
// variable tensor of the model, planned over the whole run (sotto_smdl_state_tensor).
#include <cmath>
#include <cstring>

#include "compiler.h"

namespace sotto::gw::model::detail {

uint32_t Compiler::state(size_t op_index, size_t slot, TypeSet types) {
  const TfOperator &op = m_.operators[op_index];
  if (slot >= op.inputs.size() || op.inputs[slot] < 0) {
    fail(op_index, "missing input " + std::to_string(slot) + " (the state)");
  }
  const int32_t tf = op.inputs[slot];
  const TfTensor &t = m_.tensors[static_cast<size_t>(tf)];
  if (!t.is_variable) fail(op_index, "state " + t.label() + " is not a variable tensor");
  // A state belongs to its op alone: no graph input, no other op's tensor.
  if (act_index_.count(tf) != 0) {
    fail(op_index, "state " + t.label() + " is also another operator's or the graph's tensor");
  }
  const uint32_t index = activation(op_index, tf);
  check_type(op_index, index, types, "state");
  plan_[index].first_op = 0;
  plan_[index].last_op = static_cast<int32_t>(m_.operators.size());
  return index;
}

void Compiler::lower_svdf(size_t i) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_SVDF);
  rec.input0 = input(i, 0, kInt8);
  rec.output = output(i, kInt8);
  rec.input1 = state(i, 4, kInt8 | kInt16);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  const sotto_smdl_tensor_t &st = tensors_[rec.input1];
  if (in.rank != 2 || out.rank != 2 || st.rank != 2) {
    fail(i, "input, output and state must have rank 2 ([batch, n])");
  }
  const int32_t batches = in.dims[2], inputs = in.dims[3], units = out.dims[3];
  if (out.dims[2] != batches || st.dims[2] != batches) {
    fail(i, "input, output and state batches differ");
  }
  const int32_t rank = op.options.scalar<int32_t>(0, 0);
  if (rank < 1 || static_cast<uint32_t>(rank) > SOTTO_SMDL_MAX_DIM) {
    fail(i, "rank " + std::to_string(rank) + "; supported: 1..65535");
  }
  const int64_t filters = static_cast<int64_t>(units) * rank;
  const TfTensor &feature = constant(i, 1, static_cast<int8_t>(TfType::kInt8));
  if (feature.shape.size() != 2 || feature.shape[0] != filters || feature.shape[1] != inputs) {
    fail(i, "feature weights " + feature.label() + " must be [units * rank, inputs] = [" +
                std::to_string(filters) + ", " + std::to_string(inputs) + "]");
  }
  const bool int16_state = st.type == SOTTO_SMDL_INT16;
  const TfTensor &time =
      constant(i, 2, static_cast<int8_t>(int16_state ? TfType::kInt16 : TfType::kInt8));
  if (time.shape.size() != 2 || time.shape[0] != filters || time.shape[1] < 1) {
    fail(i, "time weights " + time.label() + " must be [units * rank, memory size] with " +
                std::to_string(filters) + " rows");
  }
  const int32_t memory = time.shape[1];
  if (static_cast<int64_t>(st.dims[3]) != filters * memory) {
    fail(i, "state " + names_[rec.input1] + " holds " + std::to_string(st.dims[3]) +
                " entries per batch; expected units * rank * memory size = " +
                std::to_string(filters * memory));
  }
  for (const TfTensor *w : {&feature, &time}) {
    if (w->scales.size() != 1 || (!w->zero_points.empty() && w->zero_points[0] != 0)) {
      fail(i, "weights " + w->label() + " must be quantized per tensor with zero point 0");
    }
  }
  // TFLM's reset fills an int16 state with 0 and treats that as its zero point.
  if (int16_state && st.zero_point != 0) {
    fail(i, "int16 state " + names_[rec.input1] + " has zero point " +
                std::to_string(st.zero_point) + "; supported: 0");
  }
  check_accumulation_depth(i, static_cast<uint64_t>(inputs), 0, feature.data);

  // Feature weights, zero-padded to 4 bytes, then the time weights (smdl_format.h).
  std::vector<uint8_t> weights = feature.data;
  weights.resize((weights.size() + 3) & ~size_t{3}, 0);
  weights.insert(weights.end(), time.data.begin(), time.data.end());
  append_weights(&rec, weights);
  if (op.inputs.size() > 3 && op.inputs[3] >= 0) {
    const TfTensor &bias = constant(i, 3, static_cast<int8_t>(TfType::kInt32));
    if (bias.data.size() != static_cast<size_t>(units) * 4) {
      fail(i, "bias " + bias.label() + " must hold one int32 per unit (" + std::to_string(units) +
                  ")");
    }
    // The bias is added to state x time weight products: TFLM requires its scale to be theirs.
    const float product = st.scale * time.scales[0];
    if (bias.scales.size() != 1 ||
        std::abs(static_cast<double>(bias.scales[0]) - static_cast<double>(product)) >= 1e-5) {
      fail(i, "bias " + bias.label() + " scale must be the state's times the time weights' (" +
                  std::to_string(product) + ")");
    }
    rec.bias_offset = append_data(bias.data.data(), bias.data.size());
    rec.bias_count = static_cast<uint32_t>(units);
  }
  // TFLM's two rescales, each ratio of float scales computed in float, then widened.
  const float feature_ratio = in.scale * feature.scales[0] / st.scale;
  const float output_ratio = st.scale * time.scales[0] / out.scale;
  const QuantizedMultiplier q1 = quantize_multiplier(static_cast<double>(feature_ratio));
  const QuantizedMultiplier q2 = quantize_multiplier(static_cast<double>(output_ratio));
  int32_t *p = rec.params;
  p[SOTTO_P_SVDF_RANK] = rank;
  p[SOTTO_P_SVDF_MEMORY] = memory;
  p[SOTTO_P_SVDF_INPUT_ZERO_POINT] = in.zero_point;
  p[SOTTO_P_SVDF_STATE_ZERO_POINT] = st.zero_point;
  p[SOTTO_P_SVDF_FEATURE_MULT] = q1.multiplier;
  p[SOTTO_P_SVDF_FEATURE_SHIFT] = q1.shift;
  p[SOTTO_P_SVDF_OUTPUT_MULT] = q2.multiplier;
  p[SOTTO_P_SVDF_OUTPUT_SHIFT] = q2.shift;
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  // The fused activation (options field 1) is not applied: TFLM's integer SVDF ignores it too.
  ops_.push_back(rec);
}

}  // namespace sotto::gw::model::detail
