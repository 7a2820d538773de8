// A tiny but complete .smdl built by hand (no importer): every op kind the runtime has, wired
// into one valid graph. The fuzzer mutates it (libFuzzer alone would rarely find a valid
// header) and the loader test proves it stays valid.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "smdl_format.h"

namespace sotto_test {

class SeedModelBuilder {
 public:
  uint32_t tensor(int32_t h, int32_t w, int32_t c, uint32_t arena_offset, int32_t zero_point = 0,
                  uint32_t type = SOTTO_SMDL_INT8) {
    sotto_smdl_tensor_t t{};
    t.type = type;
    t.rank = 4;
    t.dims[0] = 1;
    t.dims[1] = h;
    t.dims[2] = w;
    t.dims[3] = c;
    t.bytes = static_cast<uint32_t>(h * w * c) * sotto_smdl_type_bytes(type);
    t.arena_offset = arena_offset;
    t.zero_point = zero_point;
    t.scale = 0.05f;
    tensors_.push_back(t);
    return static_cast<uint32_t>(tensors_.size() - 1);
  }
  // A rank-2 tensor [1, n] (dims right-aligned: the batch in dims[2]).
  uint32_t tensor2(int32_t n, uint32_t arena_offset, int32_t zero_point = 0,
                   uint32_t type = SOTTO_SMDL_INT8) {
    const uint32_t t = tensor(1, 1, n, arena_offset, zero_point, type);
    tensors_[t].rank = 2;
    return t;
  }
  // Raw bytes in the weights range of `o`.
  void weight_bytes(sotto_smdl_op_t *o, const void *bytes, size_t n) {
    o->weights_offset = append(bytes, n);
    o->weights_bytes = static_cast<uint32_t>(n);
  }
  // The int32 bias of `o`, one value per output channel (or unit).
  void bias(sotto_smdl_op_t *o, const std::vector<int32_t> &values) {
    o->bias_offset = append(values.data(), values.size() * 4);
    o->bias_count = static_cast<uint32_t>(values.size());
  }
  sotto_smdl_op_t &op(uint32_t kind, uint32_t in, uint32_t out) {
    sotto_smdl_op_t o{};
    o.kind = kind;
    o.input0 = in;
    o.input1 = SOTTO_SMDL_NO_TENSOR;
    o.output = out;
    o.params[SOTTO_P_STRIDE_H] = o.params[SOTTO_P_STRIDE_W] = 1;
    o.params[SOTTO_P_DILATION_H] = o.params[SOTTO_P_DILATION_W] = 1;
    o.params[SOTTO_P_KERNEL_H] = o.params[SOTTO_P_KERNEL_W] = 1;
    o.params[SOTTO_P_DEPTH_MULTIPLIER] = 1;
    o.params[SOTTO_P_ACT_MIN] = -128;
    o.params[SOTTO_P_ACT_MAX] = 127;
    ops_.push_back(o);
    return ops_.back();
  }
  // Weights w[i] = (i * 7 % 11) - 5, bias c * 10 - 20, multiplier 0.75 * 2^-3 per channel.
  void constants(sotto_smdl_op_t *o, uint32_t weights, uint32_t channels) {
    std::vector<int8_t> w(weights);
    for (uint32_t i = 0; i < weights; ++i)
      w[i] = static_cast<int8_t>(static_cast<int>(i * 7 % 11) - 5);
    std::vector<int32_t> bias(channels), mult(channels, 3 << 29), shift(channels, -3);
    for (uint32_t c = 0; c < channels; ++c) bias[c] = static_cast<int32_t>(c) * 10 - 20;
    o->weights_offset = append(w.data(), weights);
    o->weights_bytes = weights;
    o->bias_offset = append(bias.data(), static_cast<size_t>(channels) * 4);
    o->bias_count = channels;
    o->multiplier_offset = append(mult.data(), static_cast<size_t>(channels) * 4);
    o->multiplier_count = channels;
    o->shift_offset = append(shift.data(), static_cast<size_t>(channels) * 4);
    o->shift_count = channels;
  }
  // The same for a 16x8 op (int16 activations): the bias as int64, two int32 words each.
  void constants_16x8(sotto_smdl_op_t *o, uint32_t weights, uint32_t channels) {
    constants(o, weights, channels);
    std::vector<int32_t> bias;
    for (uint32_t c = 0; c < channels; ++c) {
      const int64_t b = static_cast<int64_t>(c) * 100000 - 70000;
      bias.push_back(static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(b))));
      bias.push_back(static_cast<int32_t>(static_cast<uint64_t>(b) >> 32));
    }
    o->bias_offset = append(bias.data(), bias.size() * 4);
    o->bias_count = 2 * channels;
    o->params[SOTTO_P_ACT_MIN] = -32768;
    o->params[SOTTO_P_ACT_MAX] = 32767;
  }
  // Weights given as bytes, block-sparse (smdl_format.h) unless `dense`; the rest as constants().
  void sparse_constants(sotto_smdl_op_t *o, const std::vector<uint8_t> &encoded, uint32_t channels,
                        bool dense) {
    constants(o, 0, channels);
    o->params[SOTTO_P_SPARSE_WEIGHTS] = dense ? 0 : 1;
    o->weights_offset = append(encoded.data(), encoded.size());
    o->weights_bytes = static_cast<uint32_t>(encoded.size());
  }
  // Explicit multipliers and shifts (one per rescale of `o`).
  void rescales(sotto_smdl_op_t *o, const std::vector<int32_t> &mult,
                const std::vector<int32_t> &shift) {
    o->multiplier_offset = append(mult.data(), mult.size() * 4);
    o->multiplier_count = static_cast<uint32_t>(mult.size());
    o->shift_offset = append(shift.data(), shift.size() * 4);
    o->shift_count = static_cast<uint32_t>(shift.size());
  }
  std::vector<sotto_smdl_tensor_t> &tensors() { return tensors_; }
  // ADD(a, b) -> out with the given input offsets, both inputs and the output at unit scale
  // (left shift 20, multipliers 2^30, output shift -18).
  sotto_smdl_op_t &add(uint32_t a, uint32_t b, uint32_t out, int32_t a_offset, int32_t b_offset) {
    sotto_smdl_op_t &o = op(SOTTO_OP_ADD, a, out);
    o.input1 = b;
    int32_t *p = o.params;
    for (int i = 0; i < SOTTO_P_ACT_MIN; ++i) p[i] = 0;  // ADD's own meaning for the low slots
    p[SOTTO_P_ADD_LEFT_SHIFT] = 20;
    p[SOTTO_P_ADD_INPUT1_OFFSET] = a_offset;
    p[SOTTO_P_ADD_INPUT1_MULT] = p[SOTTO_P_ADD_INPUT2_MULT] = 1 << 30;
    p[SOTTO_P_ADD_INPUT2_OFFSET] = b_offset;
    p[SOTTO_P_ADD_OUTPUT_MULT] = 1 << 30;
    p[SOTTO_P_ADD_OUTPUT_SHIFT] = -18;
    return o;
  }
  // Runs ops first .. first + ring_rows.size() row-interleaved: ring_rows per op but the last.
  void stream(uint32_t first, const std::vector<uint32_t> &ring_rows) {
    sotto_smdl_stream_t s{};
    s.first_op = first;
    s.op_count = static_cast<uint32_t>(ring_rows.size() + 1);
    for (size_t k = 0; k < ring_rows.size(); ++k) s.ring_rows[k] = ring_rows[k];
    streams_.push_back(s);
  }
  // A list of uint32 (CONCATENATION's inputs) in the weights range.
  void input_list(sotto_smdl_op_t *o, const std::vector<uint32_t> &inputs) {
    o->weights_offset = append(inputs.data(), inputs.size() * 4);
    o->weights_bytes = static_cast<uint32_t>(inputs.size() * 4);
  }
  std::vector<uint8_t> finish(uint32_t input, uint32_t output, uint32_t arena_bytes) {
    return finish(std::vector<uint32_t>{input}, std::vector<uint32_t>{output}, arena_bytes);
  }
  std::vector<uint8_t> finish(const std::vector<uint32_t> &inputs,
                              const std::vector<uint32_t> &outputs, uint32_t arena_bytes) {
    sotto_smdl_header_t h{};
    h.magic = SOTTO_SMDL_MAGIC;
    h.format_version = SOTTO_SMDL_VERSION;
    h.arena_bytes = arena_bytes;
    h.tensor_count = static_cast<uint32_t>(tensors_.size());
    h.op_count = static_cast<uint32_t>(ops_.size());
    h.input_count = static_cast<uint32_t>(inputs.size());
    h.output_count = static_cast<uint32_t>(outputs.size());
    h.tensor_table_offset = sizeof h;
    h.op_table_offset =
        static_cast<uint32_t>(h.tensor_table_offset + h.tensor_count * sizeof(sotto_smdl_tensor_t));
    h.io_table_offset =
        static_cast<uint32_t>(h.op_table_offset + h.op_count * sizeof(sotto_smdl_op_t));
    std::vector<uint32_t> io = inputs;
    io.insert(io.end(), outputs.begin(), outputs.end());
    // The stream table: its count, then the records (smdl_format.h).
    io.push_back(static_cast<uint32_t>(streams_.size()));
    for (const sotto_smdl_stream_t &s : streams_) {
      const uint32_t *words = reinterpret_cast<const uint32_t *>(&s);
      io.insert(io.end(), words, words + sizeof s / 4);
    }
    h.data_offset = static_cast<uint32_t>(h.io_table_offset + io.size() * 4);
    h.data_bytes = static_cast<uint32_t>(data_.size());
    h.total_bytes = h.data_offset + h.data_bytes;
    std::vector<uint8_t> blob(h.total_bytes);
    memcpy(blob.data(), &h, sizeof h);
    memcpy(blob.data() + h.tensor_table_offset, tensors_.data(),
           tensors_.size() * sizeof(sotto_smdl_tensor_t));
    memcpy(blob.data() + h.op_table_offset, ops_.data(), ops_.size() * sizeof(sotto_smdl_op_t));
    memcpy(blob.data() + h.io_table_offset, io.data(), io.size() * 4);
    if (!data_.empty()) memcpy(blob.data() + h.data_offset, data_.data(), data_.size());
    seal(blob.data(), blob.size());
    return blob;
  }
  // Writes the digest of blob[0, bytes) into the header.
  static void seal(uint8_t *blob, size_t bytes) {
    const uint32_t digest = sotto_smdl_digest(blob, static_cast<uint32_t>(bytes));
    memcpy(blob + offsetof(sotto_smdl_header_t, digest), &digest, 4);
  }

 private:
  uint32_t append(const void *bytes, size_t n) {
    const uint32_t offset = static_cast<uint32_t>(data_.size());
    data_.insert(data_.end(), static_cast<const uint8_t *>(bytes),
                 static_cast<const uint8_t *>(bytes) + n);
    while (data_.size() % 4) data_.push_back(0);
    return offset;
  }
  std::vector<sotto_smdl_tensor_t> tensors_;
  std::vector<sotto_smdl_op_t> ops_;
  std::vector<uint8_t> data_;
  std::vector<sotto_smdl_stream_t> streams_;
};

// input 4x4x2 -> CONV 3x3 SAME -> 4x4x4 -> DEPTHWISE 3x3 SAME -> ADD(conv, dw) -> MAX_POOL 2x2/2
// -> AVERAGE_POOL 2x2 -> RESHAPE -> FULLY_CONNECTED 4->3 -> SOFTMAX (the model output); then
// from the max pool: MUL(x, x) -> LOGISTIC -> CONCATENATION with x -> PAD -> MEAN -> DEQUANTIZE
// -> QUANTIZE -> SUB -> LEAKY_RELU -> STRIDED_SLICE -> TRANSPOSE -> TRANSPOSE_CONV 2x1/2, and
// from the TRANSPOSE also RESHAPE to [1, 3] -> SVDF (2 units, rank 1, memory 2, int16 state) ->
// RESHAPE to [1, 1, 2] -> UNIDIRECTIONAL_SEQUENCE_LSTM (1 unit). A second, int16 input 2x2x2 ->
// CONV_2D 1x1 (16x8) -> TRANSPOSE_CONV 2x2/2 (16x8). Arena 520 bytes.
inline std::vector<uint8_t> seed_model() {
  SeedModelBuilder b;
  const uint32_t in = b.tensor(4, 4, 2, 0, -3);
  const uint32_t conv = b.tensor(4, 4, 4, 32, 2);
  const uint32_t dw = b.tensor(4, 4, 4, 96, -1);
  const uint32_t sum = b.tensor(4, 4, 4, 160, 0);
  const uint32_t maxp = b.tensor(2, 2, 4, 0, 0);
  const uint32_t avgp = b.tensor(1, 1, 4, 16, 0);
  const uint32_t flat = b.tensor(1, 1, 4, 16, 0);
  const uint32_t fc = b.tensor(1, 1, 3, 20, 5);
  const uint32_t soft = b.tensor(1, 1, 3, 24, -128);
  sotto_smdl_op_t *o = &b.op(SOTTO_OP_CONV_2D, in, conv);
  o->params[SOTTO_P_KERNEL_H] = o->params[SOTTO_P_KERNEL_W] = 3;
  o->params[SOTTO_P_PAD_H] = o->params[SOTTO_P_PAD_W] = 1;
  o->params[SOTTO_P_INPUT_OFFSET] = 3;
  o->params[SOTTO_P_OUTPUT_OFFSET] = 2;
  o->params[SOTTO_P_ACT_MIN] = 2;  // fused RELU
  b.constants(o, 4 * 9 * 2, 4);
  o = &b.op(SOTTO_OP_DEPTHWISE_CONV_2D, conv, dw);
  o->params[SOTTO_P_KERNEL_H] = o->params[SOTTO_P_KERNEL_W] = 3;
  o->params[SOTTO_P_PAD_H] = o->params[SOTTO_P_PAD_W] = 1;
  o->params[SOTTO_P_INPUT_OFFSET] = -2;
  o->params[SOTTO_P_OUTPUT_OFFSET] = -1;
  b.constants(o, 9 * 4, 4);
  b.add(conv, dw, sum, -2, 1);
  o = &b.op(SOTTO_OP_MAX_POOL_2D, sum, maxp);
  o->params[SOTTO_P_KERNEL_H] = o->params[SOTTO_P_KERNEL_W] = 2;
  o->params[SOTTO_P_STRIDE_H] = o->params[SOTTO_P_STRIDE_W] = 2;
  o = &b.op(SOTTO_OP_AVERAGE_POOL_2D, maxp, avgp);
  o->params[SOTTO_P_KERNEL_H] = o->params[SOTTO_P_KERNEL_W] = 2;
  b.op(SOTTO_OP_RESHAPE, avgp, flat);
  o = &b.op(SOTTO_OP_FULLY_CONNECTED, flat, fc);
  o->params[SOTTO_P_OUTPUT_OFFSET] = 5;
  b.constants(o, 3 * 4, 3);
  o = &b.op(SOTTO_OP_SOFTMAX, fc, soft);
  o->params[SOTTO_P_SOFTMAX_BETA_MULT] = 1 << 30;
  o->params[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT] = 22;
  o->params[SOTTO_P_SOFTMAX_DIFF_MIN] = -248;
  const uint32_t product = b.tensor(2, 2, 4, 224, 0);
  const uint32_t sigmoid = b.tensor(2, 2, 4, 240, -128);
  const uint32_t joined = b.tensor(2, 2, 8, 256, 0);
  const uint32_t padded = b.tensor(3, 2, 8, 288, 0);
  const uint32_t mean = b.tensor(1, 1, 8, 336, 0);
  const uint32_t real = b.tensor(1, 1, 8, 344, 0, SOTTO_SMDL_FLOAT32);
  const uint32_t back = b.tensor(1, 1, 8, 376, 3);
  o = &b.op(SOTTO_OP_MUL, maxp, product);
  o->input1 = maxp;
  int32_t *p = o->params;
  for (int i = 0; i < SOTTO_P_ACT_MIN; ++i) p[i] = 0;
  p[SOTTO_P_MUL_OUTPUT_MULT] = 1 << 30;
  p[SOTTO_P_MUL_OUTPUT_SHIFT] = -3;
  o = &b.op(SOTTO_OP_LOGISTIC, product, sigmoid);
  o->params[SOTTO_P_LOGISTIC_INPUT_ZERO_POINT] = 0;
  o->params[SOTTO_P_LOGISTIC_INPUT_MULT] = 1 << 30;
  o->params[SOTTO_P_LOGISTIC_INPUT_LEFT_SHIFT] = 20;
  o->params[SOTTO_P_LOGISTIC_RANGE_RADIUS] = 1920;  // floor(15 * 2^27 / 2^20)
  o = &b.op(SOTTO_OP_CONCATENATION, sigmoid, joined);
  o->params[SOTTO_P_CONCAT_AXIS] = 3;
  b.input_list(o, {sigmoid, maxp});
  o = &b.op(SOTTO_OP_PAD, joined, padded);
  for (int i = 0; i < 8; ++i) o->params[SOTTO_P_PAD_BEFORE + i] = 0;
  o->params[SOTTO_P_PAD_BEFORE + 1] = 1;
  o = &b.op(SOTTO_OP_MEAN, padded, mean);
  // Equal quantization over 3 x 2: 1.0 = (2^30, shift 1) with 1/6 folded in: 2^32 / 6, shift -1.
  o->params[SOTTO_P_MEAN_MULT] = 715827882;
  o->params[SOTTO_P_MEAN_SHIFT] = -1;
  o = &b.op(SOTTO_OP_DEQUANTIZE, mean, real);
  const float scale = 0.05f;
  memcpy(&o->params[SOTTO_P_DEQUANTIZE_SCALE_BITS], &scale, 4);
  o->params[SOTTO_P_DEQUANTIZE_ZERO_POINT] = 0;
  o = &b.op(SOTTO_OP_QUANTIZE, real, back);
  o->params[SOTTO_P_QUANTIZE_FROM_FLOAT] = 1;
  memcpy(&o->params[SOTTO_P_QUANTIZE_SCALE_BITS], &scale, 4);
  o->params[SOTTO_P_OUTPUT_OFFSET] = 3;
  // From the requantized mean: SUB(x, x).
  const uint32_t diff = b.tensor(1, 1, 8, 384, 0);
  o = &b.op(SOTTO_OP_SUB, back, diff);
  o->input1 = back;
  p = o->params;
  for (int i = 0; i < SOTTO_P_ACT_MIN; ++i) p[i] = 0;
  p[SOTTO_P_ADD_LEFT_SHIFT] = 20;
  p[SOTTO_P_ADD_INPUT1_OFFSET] = p[SOTTO_P_ADD_INPUT2_OFFSET] = -3;
  p[SOTTO_P_ADD_INPUT1_MULT] = p[SOTTO_P_ADD_INPUT2_MULT] = 1 << 30;
  p[SOTTO_P_ADD_OUTPUT_MULT] = 1 << 30;
  p[SOTTO_P_ADD_OUTPUT_SHIFT] = -18;
  const uint32_t leaky = b.tensor(1, 1, 8, 392, 1);
  o = &b.op(SOTTO_OP_LEAKY_RELU, diff, leaky);
  p = o->params;
  for (int i = 0; i < SOTTO_P_ACT_MIN; ++i) p[i] = 0;
  p[SOTTO_P_LEAKY_RELU_IDENTITY_MULT] = p[SOTTO_P_LEAKY_RELU_ALPHA_MULT] = 1 << 30;
  p[SOTTO_P_LEAKY_RELU_IDENTITY_SHIFT] = 1;
  p[SOTTO_P_LEAKY_RELU_ALPHA_SHIFT] = -2;
  p[SOTTO_P_OUTPUT_OFFSET] = 1;
  const uint32_t sliced = b.tensor(1, 1, 3, 400, 1);  // elements 6, 4, 2
  o = &b.op(SOTTO_OP_STRIDED_SLICE, leaky, sliced);
  p = o->params;
  for (int i = 0; i < SOTTO_P_ACT_MIN; ++i) p[i] = 0;
  p[SOTTO_P_SLICE_START + 3] = 6;
  p[SOTTO_P_SLICE_STRIDE + 3] = -2;
  p[SOTTO_P_SLICE_STRIDE] = p[SOTTO_P_SLICE_STRIDE + 1] = p[SOTTO_P_SLICE_STRIDE + 2] = 1;
  const uint32_t turned = b.tensor(1, 3, 1, 404, 1);
  o = &b.op(SOTTO_OP_TRANSPOSE, sliced, turned);
  p = o->params;
  for (int i = 0; i < SOTTO_P_ACT_MIN; ++i) p[i] = 0;
  p[SOTTO_P_TRANSPOSE_PERM + 1] = 1;
  p[SOTTO_P_TRANSPOSE_PERM + 2] = 3;
  p[SOTTO_P_TRANSPOSE_PERM + 3] = 2;
  const uint32_t spread = b.tensor(6, 1, 2, 408, 0);
  o = &b.op(SOTTO_OP_TRANSPOSE_CONV, turned, spread);
  o->params[SOTTO_P_KERNEL_H] = 2;
  o->params[SOTTO_P_STRIDE_H] = 2;
  o->params[SOTTO_P_INPUT_OFFSET] = -1;
  b.constants(o, 2 * 2, 2);
  const uint32_t wide = b.tensor(2, 2, 2, 420, 0, SOTTO_SMDL_INT16);
  const uint32_t wide_conv = b.tensor(2, 2, 2, 436, 0, SOTTO_SMDL_INT16);
  const uint32_t wide_spread = b.tensor(4, 4, 1, 452, 0, SOTTO_SMDL_INT16);
  o = &b.op(SOTTO_OP_CONV_2D, wide, wide_conv);
  b.constants_16x8(o, 2 * 2, 2);
  o = &b.op(SOTTO_OP_TRANSPOSE_CONV, wide_conv, wide_spread);
  o->params[SOTTO_P_KERNEL_H] = o->params[SOTTO_P_KERNEL_W] = 2;
  o->params[SOTTO_P_STRIDE_H] = o->params[SOTTO_P_STRIDE_W] = 2;
  b.constants_16x8(o, 2 * 2 * 2, 1);
  const uint32_t row = b.tensor2(3, 484, 1);
  b.op(SOTTO_OP_RESHAPE, turned, row);
  const uint32_t state = b.tensor2(4, 488, 0, SOTTO_SMDL_INT16);
  const uint32_t remembered = b.tensor2(2, 496, -3);
  o = &b.op(SOTTO_OP_SVDF, row, remembered);
  o->input1 = state;
  p = o->params;
  for (int i = 0; i < SOTTO_P_ACT_MIN; ++i) p[i] = 0;
  p[SOTTO_P_SVDF_RANK] = 1;
  p[SOTTO_P_SVDF_MEMORY] = 2;
  p[SOTTO_P_SVDF_INPUT_ZERO_POINT] = 1;
  p[SOTTO_P_SVDF_FEATURE_MULT] = p[SOTTO_P_SVDF_OUTPUT_MULT] = 1 << 30;
  p[SOTTO_P_SVDF_FEATURE_SHIFT] = 2;
  p[SOTTO_P_SVDF_OUTPUT_SHIFT] = -6;
  p[SOTTO_P_OUTPUT_OFFSET] = -3;
  // Feature weights [2, 3] padded to 8 bytes, then int16 time weights [2, 2].
  const int8_t svdf_weights[16] = {3, -2, 1, -4, 5, 2, 0, 0, 7, 0, -3, -1, 100, 0, -50, 1};
  b.weight_bytes(o, svdf_weights, sizeof svdf_weights);
  b.bias(o, {40, -40});
  // RESHAPE to [1, 1, 2] (batch 1, 1 step, 2 inputs) -> UNIDIRECTIONAL_SEQUENCE_LSTM, 1 unit:
  // hidden int8 at 504, cell int16 at 506 (scale 2^-11), output at 508, gate scratch at 512.
  const uint32_t sequence = b.tensor(1, 1, 2, 500, -3);
  b.tensors()[sequence].rank = 3;
  b.op(SOTTO_OP_RESHAPE, remembered, sequence);
  const uint32_t hidden = b.tensor2(1, 504, -1);
  const uint32_t cell = b.tensor2(1, 506, 0, SOTTO_SMDL_INT16);
  const uint32_t lstm_out = b.tensor(1, 1, 1, 508, -1);
  b.tensors()[lstm_out].rank = 3;
  o = &b.op(SOTTO_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, sequence, lstm_out);
  o->input1 = hidden;
  p = o->params;
  for (int i = 0; i < SOTTO_P_COUNT_; ++i) p[i] = 0;
  p[SOTTO_P_LSTM_CELL_STATE] = static_cast<int32_t>(cell);
  p[SOTTO_P_LSTM_INPUT_ZERO_POINT] = -3;
  p[SOTTO_P_LSTM_HIDDEN_ZERO_POINT] = -1;
  p[SOTTO_P_LSTM_CELL_POWER] = -11;
  p[SOTTO_P_LSTM_CELL_CLIP] = 20480;
  // Input weights [4 gates, 1 unit, 2 inputs], then recurrent weights [4, 1, 1].
  const int8_t lstm_weights[12] = {3, -2, 5, 1, -7, 4, 2, 2, 60, -30, 90, 45};
  b.weight_bytes(o, lstm_weights, sizeof lstm_weights);
  b.bias(o, {100, -200, 300, 0});
  b.rescales(o, std::vector<int32_t>(SOTTO_LSTM_RESCALE_COUNT_, 3 << 29),
             {5, 1, 5, 1, 5, 1, 5, 1, -15, -19, -23});
  o->scratch_offset = 512;
  o->scratch_bytes = 8;
  return b.finish(std::vector<uint32_t>{in, wide}, std::vector<uint32_t>{soft}, 520);
}

// The block-sparse weight encoding (smdl_format.h), built by hand: input 3x3x6 -> CONV_2D 3x3
// SAME, 6 -> 2 channels (per row 9 pixels x 2 blocks = 18 bits, 3 bytes; the second block of a
// pixel is short: 2 of 4 weights) -> RESHAPE 18 -> FULLY_CONNECTED 18 -> 3 (5 blocks per row, 1
// byte; the last short) -> the output. Arena 96 bytes. With `dense`, the same weights stored
// dense (the blocks not stored are zeros), for comparisons.
inline std::vector<uint8_t> sparse_seed_model(bool dense = false) {
  // Encoding of `bitmap` (padded to 4 bytes by the caller) and `count` blocks of values seeded
  // by `mul`, or those weights dense: rows x groups x run.
  auto weights = [dense](std::vector<uint8_t> bitmap, int rows, int groups, int run, int mul) {
    const int per_run = (run + 3) / 4, row_bytes = (groups * per_run + 7) / 8;
    std::vector<uint8_t> out =
        dense ? std::vector<uint8_t>(static_cast<size_t>(rows * groups * run), 0) : bitmap;
    int v = 0;
    for (int r = 0; r < rows; ++r) {
      for (int b = 0; b < groups * per_run; ++b) {
        const size_t byte =
            static_cast<size_t>(r) * static_cast<size_t>(row_bytes) + static_cast<size_t>(b / 8);
        if (((bitmap[byte] >> (b % 8)) & 1) == 0) continue;
        const int first = (r * groups + b / per_run) * run + (b % per_run) * 4;
        const int len = run - (b % per_run) * 4 < 4 ? run - (b % per_run) * 4 : 4;
        for (int j = 0; j < 4; ++j, ++v) {
          const uint8_t w = static_cast<uint8_t>(j < len ? v * mul % 251 - 120 : 0);
          if (dense && j < len) out[static_cast<size_t>(first) + static_cast<size_t>(j)] = w;
          if (!dense) out.push_back(w);
        }
      }
    }
    return out;
  };
  SeedModelBuilder b;
  const uint32_t in = b.tensor(3, 3, 6, 0, -3);
  const uint32_t conv = b.tensor(3, 3, 2, 56, 2);
  const uint32_t flat = b.tensor(1, 1, 18, 56, 2);
  const uint32_t fc = b.tensor(1, 1, 3, 76, 5);
  sotto_smdl_op_t *o = &b.op(SOTTO_OP_CONV_2D, in, conv);
  o->params[SOTTO_P_KERNEL_H] = o->params[SOTTO_P_KERNEL_W] = 3;
  o->params[SOTTO_P_PAD_H] = o->params[SOTTO_P_PAD_W] = 1;
  o->params[SOTTO_P_INPUT_OFFSET] = 3;
  o->params[SOTTO_P_OUTPUT_OFFSET] = 2;
  // Row 0 keeps blocks 0, 3, 4 and 17 (bits 0x19, 0x00, 0x02), row 1 blocks 9 and 10 (0x00,
  // 0x06, 0x00); the bitmap's 6 bytes padded to 8; then 6 blocks of 4 bytes.
  const std::vector<uint8_t> conv_w =
      weights({0x19, 0x00, 0x02, 0x00, 0x06, 0x00, 0, 0}, 2, 9, 6, 37);
  b.sparse_constants(o, conv_w, 2, dense);
  b.op(SOTTO_OP_RESHAPE, conv, flat);
  o = &b.op(SOTTO_OP_FULLY_CONNECTED, flat, fc);
  o->params[SOTTO_P_INPUT_OFFSET] = -2;
  o->params[SOTTO_P_OUTPUT_OFFSET] = 5;
  // Rows keep blocks {0, 4}, {} and {1, 2, 3}: bits 0x11, 0x00, 0x0E; padded to 4 bytes.
  b.sparse_constants(o, weights({0x11, 0x00, 0x0E, 0x00}, 3, 1, 18, 53), 3, dense);
  return b.finish(in, fc, 96);
}

// A row stream (smdl_format.h): input 5x3x2 -> CONV_2D 3x3 SAME -> 5x3x3 (a ring of 3 rows) ->
// DEPTHWISE_CONV_2D 3x3 stride 2, padding 1 -> 3x2x3 (a ring of 1 row) -> ADD with a second
// input 3x2x3 -> the output. Arena 100 bytes.
inline std::vector<uint8_t> stream_seed_model() {
  SeedModelBuilder b;
  const uint32_t in = b.tensor(5, 3, 2, 0, -3);
  const uint32_t skip = b.tensor(3, 2, 3, 32, 1);
  const uint32_t conv = b.tensor(5, 3, 3, 52, 2);  // 3 rows of 9 bytes planned
  const uint32_t dw = b.tensor(3, 2, 3, 80, -1);   // 1 row of 6 bytes planned
  const uint32_t sum = b.tensor(3, 2, 3, 0, 0);    // over the input, row by row
  sotto_smdl_op_t *o = &b.op(SOTTO_OP_CONV_2D, in, conv);
  o->params[SOTTO_P_KERNEL_H] = o->params[SOTTO_P_KERNEL_W] = 3;
  o->params[SOTTO_P_PAD_H] = o->params[SOTTO_P_PAD_W] = 1;
  o->params[SOTTO_P_INPUT_OFFSET] = 3;
  o->params[SOTTO_P_OUTPUT_OFFSET] = 2;
  b.constants(o, 3 * 9 * 2, 3);
  o = &b.op(SOTTO_OP_DEPTHWISE_CONV_2D, conv, dw);
  o->params[SOTTO_P_KERNEL_H] = o->params[SOTTO_P_KERNEL_W] = 3;
  o->params[SOTTO_P_STRIDE_H] = o->params[SOTTO_P_STRIDE_W] = 2;
  o->params[SOTTO_P_PAD_H] = o->params[SOTTO_P_PAD_W] = 1;
  o->params[SOTTO_P_INPUT_OFFSET] = -2;
  o->params[SOTTO_P_OUTPUT_OFFSET] = -1;
  b.constants(o, 9 * 3, 3);
  b.add(dw, skip, sum, 1, -1);
  b.stream(0, {3, 1});
  return b.finish({in, skip}, {sum}, 100);
}

}  // namespace sotto_test
