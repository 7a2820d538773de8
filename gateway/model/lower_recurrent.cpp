// Lowering of the TFLite ops that keep state from one invoke to the next: SVDF and
// UNIDIRECTIONAL_SEQUENCE_LSTM. Their state is a variable tensor of the model, planned over the
// whole run (sotto_smdl_state_tensor).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "compiler.h"
#include "kernel_args.h"

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

namespace {

// TFLM's fixed scales of the LSTM gates, as the float literals its kernel writes (the second is
// not exactly 2^-15, and the multipliers keep that): gate pre-activations in Q3.12, gate outputs
// in Q0.15.
constexpr float kGateInputScale = 0.00024414062f;
constexpr float kGateOutputScale = 0.00003051757f;

// TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM inputs.
constexpr size_t kLstmInputWeights = 1;      // 1..4: input, forget, cell, output gate
constexpr size_t kLstmRecurrentWeights = 5;  // 5..8
constexpr size_t kLstmBiases = 12;           // 12..15
constexpr size_t kLstmHiddenState = 18;
constexpr size_t kLstmCellState = 19;

bool present(const TfOperator &op, size_t slot) {
  return slot < op.inputs.size() && op.inputs[slot] >= 0;
}

}  // namespace

void Compiler::lower_lstm(size_t i) {
  const TfOperator &op = m_.operators[i];
  // The variants TFLM's integer kernel refuses too, each by name.
  const struct {
    size_t first, last;
    const char *what;
  } variants[] = {
      {9, 11, "peephole weights"}, {16, 17, "a projection"}, {20, 23, "layer normalization"}};
  for (const auto &v : variants) {
    for (size_t s = v.first; s <= v.last; ++s) {
      if (present(op, s)) {
        fail(i, std::string(v.what) + " (input " + std::to_string(s) +
                    "); supported: the standard LSTM without them");
      }
    }
  }
  if (!present(op, kLstmInputWeights) || !present(op, kLstmRecurrentWeights)) {
    fail(i, "no input gate (CIFG); supported: all four gates");
  }
  const TfTensor &first = m_.tensors[static_cast<size_t>(op.inputs[0])];
  if (first.type != static_cast<int8_t>(TfType::kInt8)) {
    fail(i, std::string(type_name(first.type)) + " input " + first.label() +
                "; supported: int8 (TFLM's 8x8->16 integer LSTM)");
  }
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_UNIDIRECTIONAL_SEQUENCE_LSTM);
  rec.input0 = input(i, 0, kInt8);
  rec.output = output(i, kInt8);
  rec.input1 = state(i, kLstmHiddenState, kInt8);
  const uint32_t cell_index = state(i, kLstmCellState, kInt16);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &hidden = tensors_[rec.input1];
  const sotto_smdl_tensor_t &cell = tensors_[cell_index];
  if (in.rank != 3 || tensors_[rec.output].rank != 3) {
    fail(i, "input and output must have rank 3 ([batch, time, features])");
  }
  const int8_t activation = op.options.scalar<int8_t>(0, 0);
  if (activation != 4 /* TANH */) {
    fail(i, "cell activation " + std::to_string(activation) + "; supported: TANH (4)");
  }
  if (op.options.scalar<uint8_t>(5, 0) != 0) {
    fail(i, "diagonal recurrent weights; supported: full recurrent weight matrices");
  }
  const bool time_major = op.options.scalar<uint8_t>(3, 0) != 0;
  const int32_t batches = time_major ? in.dims[2] : in.dims[1];
  const int32_t inputs = in.dims[3];
  const int32_t units = tensors_[rec.output].dims[3];
  if (static_cast<int64_t>(sotto_infer::element_count(hidden)) !=
          static_cast<int64_t>(batches) * units ||
      sotto_infer::element_count(cell) != sotto_infer::element_count(hidden)) {
    fail(i, "hidden and cell state must hold batch x units = " +
                std::to_string(static_cast<int64_t>(batches) * units) + " elements");
  }

  std::vector<uint8_t> weights;
  std::vector<QuantizedMultiplier> q(SOTTO_LSTM_RESCALE_COUNT_);
  for (size_t part = 0; part < 2; ++part) {
    const bool recurrent = part == 1;
    const int32_t depth = recurrent ? units : inputs;
    const float x_scale = recurrent ? hidden.scale : in.scale;
    for (size_t g = 0; g < 4; ++g) {
      const size_t slot = (recurrent ? kLstmRecurrentWeights : kLstmInputWeights) + g;
      const TfTensor &w = constant(i, slot, static_cast<int8_t>(TfType::kInt8));
      if (w.shape.size() != 2 || w.shape[0] != units || w.shape[1] != depth) {
        fail(i, "weights " + w.label() + " must be [units, " +
                    (recurrent ? std::string("units") : std::string("inputs")) + "] = [" +
                    std::to_string(units) + ", " + std::to_string(depth) + "]");
      }
      if (w.scales.size() != 1 || (!w.zero_points.empty() && w.zero_points[0] != 0)) {
        fail(i, "weights " + w.label() + " must be quantized per tensor with zero point 0");
      }
      check_accumulation_depth(i, static_cast<uint64_t>(depth), 0, w.data);
      weights.insert(weights.end(), w.data.begin(), w.data.end());
      // TFLM's FULLY_CONNECTED rule: the float product of the scales, then widened.
      const float product = x_scale * w.scales[0];
      q[2 * g + part] =
          quantize_multiplier(static_cast<double>(product) / static_cast<double>(kGateInputScale));
    }
  }
  append_weights(&rec, weights);
  std::vector<uint8_t> biases;
  for (size_t g = 0; g < 4; ++g) {
    if (!present(op, kLstmBiases + g)) fail(i, "gate " + std::to_string(g) + " has no bias");
    const TfTensor &bias = constant(i, kLstmBiases + g, static_cast<int8_t>(TfType::kInt32));
    if (bias.data.size() != static_cast<size_t>(units) * 4) {
      fail(i, "bias " + bias.label() + " must hold one int32 per unit (" + std::to_string(units) +
                  ")");
    }
    biases.insert(biases.end(), bias.data.begin(), bias.data.end());
  }
  rec.bias_offset = append_data(biases.data(), biases.size());
  rec.bias_count = static_cast<uint32_t>(4 * units);

  const double gate_out = static_cast<double>(kGateOutputScale);
  q[SOTTO_LSTM_FORGET_TIMES_CELL] = quantize_multiplier(gate_out * static_cast<double>(cell.scale) /
                                                        static_cast<double>(cell.scale));
  q[SOTTO_LSTM_INPUT_TIMES_CELL_GATE] =
      quantize_multiplier(gate_out * gate_out / static_cast<double>(cell.scale));
  q[SOTTO_LSTM_OUTPUT_TIMES_TANH_CELL] =
      quantize_multiplier(gate_out * gate_out / static_cast<double>(hidden.scale));
  set_multipliers(&rec, q);

  // The cell state's scale power as TFLM takes it: log2 in float, rounded (an inexact power of
  // two is rounded as TFLM does, not refused).
  const float log2_scale = std::log(cell.scale) * (1.0f / std::log(2.0f));
  const int32_t power = static_cast<int32_t>(std::round(log2_scale));
  if (power < -40 || power > 2) {
    fail(i, "cell state " + names_[cell_index] + " scale 2^" + std::to_string(power) +
                "; supported: 2^-40..2^2");
  }
  const float clip = op.options.scalar<float>(1, 0.0f);
  int32_t quantized_clip = -1;
  if (clip > 0.0f) {
    quantized_clip = static_cast<int16_t>(std::min(
        std::max(static_cast<double>(clip) / static_cast<double>(cell.scale), -32768.0), 32767.0));
  }
  int32_t *p = rec.params;
  p[SOTTO_P_LSTM_TIME_MAJOR] = time_major ? 1 : 0;
  p[SOTTO_P_LSTM_CELL_STATE] = static_cast<int32_t>(cell_index);
  p[SOTTO_P_LSTM_INPUT_ZERO_POINT] = in.zero_point;
  p[SOTTO_P_LSTM_HIDDEN_ZERO_POINT] = hidden.zero_point;
  p[SOTTO_P_LSTM_CELL_POWER] = power;
  p[SOTTO_P_LSTM_CELL_CLIP] = quantized_clip;
  // TFLM copies each step's hidden state into the output as it is: the output's own
  // quantization is not applied (the models make it the hidden state's).
  ops_.push_back(rec);
}

}  // namespace sotto::gw::model::detail
