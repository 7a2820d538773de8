// Lowering of the windowed and matrix ops: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and the
// 2-D pools (options field numbers from TFLite's public schema). CONV_2D and FULLY_CONNECTED
// weights may be pruned and stored block-sparse (prune.h).
#include <cstring>

#include "compiler.h"

namespace sotto::gw::model::detail {

namespace {

// FULLY_CONNECTED weights or a CONV_2D filter, [out_n][in_n], in the Cortex-M4 order of
// smdl_format.h (SOTTO_P_FC_WEIGHTS_INTERLEAVED).
std::vector<uint8_t> interleave_rows(const std::vector<uint8_t> &w, int32_t out_n, int32_t in_n) {
  std::vector<uint8_t> r;
  r.reserve(w.size());
  const int32_t body = in_n & ~3;
  auto at = [&](int32_t row, int32_t k) {
    return static_cast<int8_t>(w[static_cast<size_t>(row) * in_n + k]);
  };
  int32_t o = 0;
  for (; o + 4 <= out_n; o += 4) {
    for (int32_t k = 0; k < body; k += 4) {
      for (int32_t pair = 0; pair < 4; pair += 2) {    // rows A, B then C, D
        for (int32_t first = 0; first < 2; ++first) {  // inputs k, k + 2 then k + 1, k + 3
          for (int32_t step = 0; step < 4; step += 2) {
            r.push_back(static_cast<uint8_t>(at(o + pair, k + first + step) + 128));
            r.push_back(static_cast<uint8_t>(at(o + pair + 1, k + first + step)));
          }
        }
      }
    }
    for (int32_t j = 0; j < 4; ++j) {
      for (int32_t k = body; k < in_n; ++k) r.push_back(at(o + j, k));
    }
  }
  for (int32_t k = o * in_n; k < out_n * in_n; ++k) r.push_back(w[static_cast<size_t>(k)]);
  return r;
}

// Rows of `window` weights each padded with zero weights to `row`.
std::vector<uint8_t> pad_rows(const std::vector<uint8_t> &w, int32_t out_n, int32_t window,
                              int32_t row) {
  std::vector<uint8_t> r(static_cast<size_t>(out_n) * static_cast<size_t>(row), 0);
  for (int32_t o = 0; o < out_n; ++o) {
    std::memcpy(&r[static_cast<size_t>(o) * row], &w[static_cast<size_t>(o) * window],
                static_cast<size_t>(window));
  }
  return r;
}

// bias + input_offset * sum(row) per row of [out_n][in_n] weights (the folded bias of
// smdl_format.h), so that kernels can multiply raw int8 inputs.
std::vector<int32_t> folded_bias(const std::vector<uint8_t> &w, int32_t out_n, int32_t in_n,
                                 const TfTensor *bias, int32_t input_offset) {
  std::vector<int32_t> folded(static_cast<size_t>(out_n));
  for (int32_t o = 0; o < out_n; ++o) {
    int64_t sum = 0;
    for (int32_t k = 0; k < in_n; ++k)
      sum += static_cast<int8_t>(w[static_cast<size_t>(o) * in_n + k]);
    int32_t b = 0;
    if (bias != nullptr) std::memcpy(&b, &bias->data[4 * static_cast<size_t>(o)], 4);
    folded[static_cast<size_t>(o)] =
        static_cast<int32_t>(b + static_cast<int64_t>(input_offset) * sum);
  }
  return folded;
}

}  // namespace

void Compiler::lower_conv(size_t i, bool depthwise) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(depthwise ? SOTTO_OP_DEPTHWISE_CONV_2D : SOTTO_OP_CONV_2D);
  // CONV_2D also takes int16 activations (TFLite's 16x8: int8 weights, int64 bias).
  rec.input0 = input(i, 0, depthwise ? kInt8 : kInt8 | kInt16);
  rec.output = output(i, 1u << tensors_[rec.input0].type);
  const bool int16 = tensors_[rec.input0].type == SOTTO_SMDL_INT16;
  const TfTensor &filter = constant(i, 1, static_cast<int8_t>(TfType::kInt8));
  if (filter.shape.size() != 4) fail(i, "filter must be 4-D");
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  const int32_t out_c = out.dims[3];
  // Options: conv {padding, stride_w, stride_h, act, dil_w, dil_h}; depthwise has
  // depth_multiplier at 3 and everything after it shifted by one.
  const FlatTable &o = op.options;
  int32_t *p = rec.params;
  p[SOTTO_P_STRIDE_W] = o.scalar<int32_t>(1, 1);
  p[SOTTO_P_STRIDE_H] = o.scalar<int32_t>(2, 1);
  p[SOTTO_P_DILATION_W] = o.scalar<int32_t>(depthwise ? 5 : 4, 1);
  p[SOTTO_P_DILATION_H] = o.scalar<int32_t>(depthwise ? 6 : 5, 1);
  p[SOTTO_P_KERNEL_H] = filter.shape[1];
  p[SOTTO_P_KERNEL_W] = filter.shape[2];
  p[SOTTO_P_PAD_H] = padding_before(p[SOTTO_P_STRIDE_H], p[SOTTO_P_DILATION_H], in.dims[1],
                                    filter.shape[1], out.dims[1]);
  p[SOTTO_P_PAD_W] = padding_before(p[SOTTO_P_STRIDE_W], p[SOTTO_P_DILATION_W], in.dims[2],
                                    filter.shape[2], out.dims[2]);
  if (depthwise) {
    if (filter.shape[3] != out_c || out_c % in.dims[3] != 0) fail(i, "filter/channel mismatch");
    p[SOTTO_P_DEPTH_MULTIPLIER] = out_c / in.dims[3];
    if (p[SOTTO_P_DEPTH_MULTIPLIER] > SOTTO_SMDL_MAX_WINDOW) {
      fail(i, "depth multiplier " + std::to_string(p[SOTTO_P_DEPTH_MULTIPLIER]) +
                  " beyond the engine's limit of " + std::to_string(SOTTO_SMDL_MAX_WINDOW));
    }
  } else {
    if (filter.shape[0] != out_c || filter.shape[3] != in.dims[3])
      fail(i, "filter/channel mismatch");
    p[SOTTO_P_DEPTH_MULTIPLIER] = 1;
  }
  check_window(i, rec);
  const uint64_t depth = static_cast<uint64_t>(filter.shape[1]) * filter.shape[2] *
                         (depthwise ? 1 : static_cast<uint64_t>(in.dims[3]));
  if (int16) {
    check_16x8(i, rec, depth);
  } else {
    check_accumulation_depth(i, depth, 0, filter.data);
  }
  set_fused_activation(i, &rec, depthwise ? 4 : 3);
  p[SOTTO_P_INPUT_OFFSET] = -in.zero_point;
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  int32_t interleaved_row = 0;  // the stored row length of an interleaved filter, else 0
  std::vector<uint8_t> dense_weights;
  if (depthwise || int16) {
    append_weights(&rec, filter.data);
  } else {  // int8 CONV_2D may be pruned and stored sparse: rows out_c, one run of in_c per pixel
    std::vector<uint8_t> weights = filter.data;
    const WeightRows rows = {&weights, static_cast<uint32_t>(out_c),
                             static_cast<uint32_t>(filter.shape[1] * filter.shape[2]),
                             static_cast<uint32_t>(in.dims[3])};
    if (!append_prunable_weights(&rec, rows, filter.scales, 0)) {
      // A pointwise filter is a matrix product's rows: on the Cortex-M4 it is stored in
      // FULLY_CONNECTED's interleaved layout for the pointwise kernel (pointwise_conv.h), which
      // multiplies raw inputs (folded bias below). Not for an expansion (out_c over twice in_c):
      // that kernel unpacks each pixel's few inputs again for every pair of its many output
      // channels, and MobileNetV2's 16->96 ... 64->384 expansions took 1.3-1.9x the instructions
      // of the general kernel, which unpacks a pixel once for all channels.
      // Any other window runs the windowed kernel (window_conv.h) on its filter rows, each
      // padded with zero weights to whole groups of four.
      const bool pointwise = p[SOTTO_P_KERNEL_H] == 1 && p[SOTTO_P_KERNEL_W] == 1 &&
                             p[SOTTO_P_PAD_H] == 0 && p[SOTTO_P_PAD_W] == 0;
      const int32_t window = static_cast<int32_t>(depth);
      const bool interleave = target_ == Target::kCortexM4 && blob_.interleaved_filters;
      if (interleave && pointwise && out_c <= 2 * in.dims[3]) {
        p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = SOTTO_SMDL_INTERLEAVED_ROWS;
        dense_weights = weights;
        interleaved_row = window;
      } else if (interleave && !pointwise) {
        p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = SOTTO_SMDL_INTERLEAVED_WINDOW;
        interleaved_row =
            static_cast<int32_t>(sotto_smdl_window_row(static_cast<uint32_t>(window)));
        dense_weights = pad_rows(weights, out_c, window, interleaved_row);
      }
      append_weights(&rec, interleaved_row != 0
                               ? interleave_rows(dense_weights, out_c, interleaved_row)
                               : weights);
    }
  }
  if (int16) {
    append_bias_64(i, &rec, out_c, 2);
  } else {
    const TfTensor *bias = append_bias(i, &rec, out_c);
    if (interleaved_row != 0) {
      const std::vector<int32_t> folded =
          folded_bias(dense_weights, out_c, interleaved_row, bias, p[SOTTO_P_INPUT_OFFSET]);
      rec.folded_bias_offset = append_data(folded.data(), folded.size() * 4);
      rec.folded_bias_count = static_cast<uint32_t>(folded.size());
    }
  }
  set_multipliers(&rec, conv_multipliers(i, in, filter, out, int16));
  ops_.push_back(rec);
}

std::vector<QuantizedMultiplier> Compiler::conv_multipliers(size_t i, const sotto_smdl_tensor_t &in,
                                                            const TfTensor &filter,
                                                            const sotto_smdl_tensor_t &out,
                                                            bool int16) const {
  const int32_t out_c = out.dims[3];
  if (filter.scales.size() != 1 && filter.scales.size() != static_cast<size_t>(out_c)) {
    fail(i, "filter needs 1 or " + std::to_string(out_c) + " scales");
  }
  std::vector<QuantizedMultiplier> q;
  for (int32_t c = 0; c < out_c; ++c) {
    const float fs =
        filter.scales.size() == 1 ? filter.scales[0] : filter.scales[static_cast<size_t>(c)];
    q.push_back(quantize_multiplier(static_cast<double>(in.scale) * static_cast<double>(fs) /
                                    static_cast<double>(out.scale)));
    if (int16 && q.back().shift > 7) {
      fail(i, "channel " + std::to_string(c) + "'s input x filter / output scale is 2^" +
                  std::to_string(q.back().shift - 1) +
                  " or more; the int16 requantization takes ratios below 2^7 (shift 7)");
    }
  }
  return q;
}

void Compiler::check_window(size_t i, const sotto_smdl_op_t &rec) const {
  for (int k = SOTTO_P_STRIDE_H; k <= SOTTO_P_KERNEL_W; ++k) {
    const int32_t lowest = (k == SOTTO_P_PAD_H || k == SOTTO_P_PAD_W) ? 0 : 1;
    if (rec.params[k] < lowest || rec.params[k] > SOTTO_SMDL_MAX_WINDOW) {
      fail(i, "window (strides, dilations, kernel size, padding) beyond the engine's limit of " +
                  std::to_string(SOTTO_SMDL_MAX_WINDOW));
    }
  }
}

void Compiler::check_accumulation_depth(size_t i, uint64_t depth, int32_t weight_offset,
                                        const std::vector<uint8_t> &weights) const {
  const bool fits = depth <= SOTTO_SMDL_MAX_ACCUMULATION_DEPTH &&
                    sotto_smdl_depth_fits_int32(static_cast<uint32_t>(depth), weight_offset,
                                                reinterpret_cast<const int8_t *>(weights.data()),
                                                static_cast<uint32_t>(weights.size())) != 0;
  if (fits) return;
  std::string why;
  if (weight_offset != 0) {
    why = "with a weight zero point, products reach 255 x 255 and an int32 holds " +
          std::to_string(SOTTO_SMDL_MAX_DEPTH_WEIGHT_OFFSET) + " of them";
  } else if (depth <= SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) {
    why = "a weight of -128 makes products of up to 255 x 128 and an int32 holds " +
          std::to_string(SOTTO_SMDL_MAX_DEPTH_ANY_INT8_WEIGHT) + " of them";
  } else {
    why = "products reach 255 x 127 and an int32 holds " +
          std::to_string(SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) + " of them";
  }
  fail(i, std::to_string(depth) + " products per output would overflow the int32 accumulator (" +
              why + ")");
}

void Compiler::check_16x8(size_t i, const sotto_smdl_op_t &rec, uint64_t depth) const {
  for (const uint32_t t : {rec.input0, rec.output}) {
    if (tensors_[t].zero_point != 0) {
      fail(i, names_[t] + " has int16 zero point " + std::to_string(tensors_[t].zero_point) +
                  "; supported: 0");
    }
  }
  const TfTensor &filter = m_.tensors[static_cast<size_t>(m_.operators[i].inputs[1])];
  for (const int64_t zp : filter.zero_points) {
    if (zp != 0) fail(i, "filter zero point " + std::to_string(zp) + "; supported: 0");
  }
  if (depth > SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) {
    fail(i, std::to_string(depth) + " products per output; the engine's limit is " +
                std::to_string(SOTTO_SMDL_MAX_ACCUMULATION_DEPTH));
  }
}

void Compiler::append_bias_64(size_t i, sotto_smdl_op_t *rec, int32_t channels, size_t slot) {
  const TfOperator &op = m_.operators[i];
  if (op.inputs.size() <= slot || op.inputs[slot] < 0) return;
  const TfTensor &bias = m_.tensors[static_cast<size_t>(op.inputs[slot])];
  if (bias.type != static_cast<int8_t>(TfType::kInt64)) {
    fail(i, "bias " + bias.label() + " has type " + type_name(bias.type) +
                "; supported: INT64 with int16 activations");
  }
  const TfTensor &values = constant(i, slot, static_cast<int8_t>(TfType::kInt64));
  if (values.data.size() != static_cast<size_t>(channels) * 8) fail(i, "bias size mismatch");
  std::vector<int32_t> words;
  const int64_t limit = int64_t{1} << 46;
  for (int32_t c = 0; c < channels; ++c) {
    int64_t b;
    std::memcpy(&b, &values.data[static_cast<size_t>(c) * 8], 8);
    if (b <= -limit || b >= limit) {
      fail(i, "bias " + std::to_string(b) + " of channel " + std::to_string(c) +
                  " beyond the engine's limit of +-2^46");
    }
    const uint64_t u = static_cast<uint64_t>(b);
    words.push_back(static_cast<int32_t>(static_cast<uint32_t>(u)));
    words.push_back(static_cast<int32_t>(static_cast<uint32_t>(u >> 32)));
  }
  rec->bias_offset = append_data(words.data(), words.size() * 4);
  rec->bias_count = static_cast<uint32_t>(words.size());
}

bool Compiler::append_prunable_weights(sotto_smdl_op_t *rec, const WeightRows &rows,
                                       const std::vector<float> &scales, int32_t weight_offset) {
  if (weight_offset != 0) return false;  // a zero weight would still add its offset
  // Scales neither per tensor nor per row: the loader refuses the multipliers; nothing to rank.
  if (scales.size() != 1 && scales.size() != rows.rows) return false;
  std::vector<uint8_t> unpruned;
  if (prune_.sparsity > 0 && rows.weights->size() >= prune_.min_pruned_weights) {
    unpruned = *rows.weights;
    prune_weights(rows, scales, prune_.sparsity, prune_.whole_channels);
  }
  // Unasked (a model that arrives sparse), a CONV_2D for the Cortex-M4 stays dense: there a
  // sparse window other than 1x1 runs the reference kernel, several times the optimized dense
  // one's instructions (VWW stored sparse took 1.6x TFLM's instead of 0.7x; the pointwise sparse
  // walk came later and is not measured at VWW's densities).
  if (prune_.sparsity == 0 && target_ == Target::kCortexM4 && rec->kind == SOTTO_OP_CONV_2D) {
    return false;
  }
  const std::vector<uint8_t> encoded = encode_sparse(rows);
  if (!store_sparse(rows, encoded)) {
    // Pruning that saves no flash (runs under 4 inputs, e.g. a first conv over 1 channel, pad
    // every block to 4 bytes) would only cost accuracy: the layer keeps its weights.
    if (!unpruned.empty()) *rows.weights = unpruned;
    return false;
  }
  if (!prune_.sparse_storage) return false;
  rec->params[SOTTO_P_SPARSE_WEIGHTS] = 1;
  append_weights(rec, encoded);
  sparse_.sparse_ops += 1;
  sparse_.sparse_dense_bytes += static_cast<uint32_t>(rows.weights->size());
  sparse_.sparse_bytes += static_cast<uint32_t>(encoded.size());
  return true;
}

void Compiler::lower_conv_2d(size_t i) {
  lower_conv(i, false);
}

// CONV_2D_16X8 has no TFLite code (op_table.h): a TFLite CONV_2D with int16 activations is
// lowered by lower_conv_2d into a CONV_2D record, and the loader runs it as CONV_2D_16X8
// (sotto_smdl_kernel_kind). The table's lowering for the row is the same.
void Compiler::lower_conv_2d_16x8(size_t i) {
  lower_conv(i, false);
}

void Compiler::lower_depthwise_conv_2d(size_t i) {
  lower_conv(i, true);
}

void Compiler::lower_fully_connected(size_t i) {
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_FULLY_CONNECTED);
  rec.input0 = input(i, 0);
  rec.output = output(i);
  const TfTensor &w = constant(i, 1, static_cast<int8_t>(TfType::kInt8));
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  if (w.shape.size() != 2 || w.shape[0] != out.dims[3] ||
      in.bytes % static_cast<uint32_t>(w.shape[1]) != 0) {
    fail(i, "weights shape does not fit input/output");
  }
  int32_t *p = rec.params;
  set_fused_activation(i, &rec, 0);
  p[SOTTO_P_INPUT_OFFSET] = -in.zero_point;
  p[SOTTO_P_OUTPUT_OFFSET] = out.zero_point;
  p[SOTTO_P_FILTER_OFFSET] = w.zero_points.empty() ? 0 : -static_cast<int32_t>(w.zero_points[0]);
  check_accumulation_depth(i, static_cast<uint64_t>(w.shape[1]), p[SOTTO_P_FILTER_OFFSET], w.data);
  if (w.scales.empty()) fail(i, "weights are not quantized");
  // Pruned (or already sparse) weights are stored block-sparse; the rest, on the Cortex-M4,
  // interleaved: its kernel reads rows four at a time through one pointer and needs the folded
  // bias below, which exists only for a zero weight zero point.
  std::vector<uint8_t> dense = w.data;
  if (!append_prunable_weights(
          &rec, {&dense, static_cast<uint32_t>(out.dims[3]), 1, static_cast<uint32_t>(w.shape[1])},
          w.scales, p[SOTTO_P_FILTER_OFFSET])) {
    const bool interleave = target_ == Target::kCortexM4 && p[SOTTO_P_FILTER_OFFSET] == 0;
    p[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = interleave ? 1 : 0;
    append_weights(&rec, interleave ? interleave_rows(dense, out.dims[3], w.shape[1]) : dense);
  }
  const TfTensor *bias = append_bias(i, &rec, out.dims[3]);
  // Folded bias (see smdl_format.h): lets kernels skip adding the input offset per MAC; it
  // needs a zero weight zero point.
  if (p[SOTTO_P_FILTER_OFFSET] == 0) {
    const std::vector<int32_t> folded =
        folded_bias(dense, out.dims[3], w.shape[1], bias, p[SOTTO_P_INPUT_OFFSET]);
    rec.folded_bias_offset = append_data(folded.data(), folded.size() * 4);
    rec.folded_bias_count = static_cast<uint32_t>(folded.size());
  }
  std::vector<QuantizedMultiplier> q;
  if (w.scales.size() == 1) {
    // TFLite multiplies the two float scales in float before widening: keep that rounding.
    const float product = in.scale * w.scales[0];
    q.push_back(quantize_multiplier(static_cast<double>(product) / static_cast<double>(out.scale)));
  } else {
    for (float s : w.scales) {
      q.push_back(quantize_multiplier(static_cast<double>(in.scale) * static_cast<double>(s) /
                                      static_cast<double>(out.scale)));
    }
  }
  set_multipliers(&rec, q);
  ops_.push_back(rec);
}

void Compiler::lower_pool(size_t i, bool average) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(average ? SOTTO_OP_AVERAGE_POOL_2D : SOTTO_OP_MAX_POOL_2D);
  rec.input0 = input(i, 0);
  rec.output = output(i);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const sotto_smdl_tensor_t &out = tensors_[rec.output];
  if (in.scale != out.scale || in.zero_point != out.zero_point) {
    fail(i, "input and output quantization differ; supported: equal quantization");
  }
  const FlatTable &o = op.options;
  if (!o.valid()) fail(i, "missing pool options");
  int32_t *p = rec.params;
  p[SOTTO_P_STRIDE_W] = o.scalar<int32_t>(1, 1);
  p[SOTTO_P_STRIDE_H] = o.scalar<int32_t>(2, 1);
  p[SOTTO_P_KERNEL_W] = o.scalar<int32_t>(3, 1);
  p[SOTTO_P_KERNEL_H] = o.scalar<int32_t>(4, 1);
  p[SOTTO_P_DILATION_H] = p[SOTTO_P_DILATION_W] = p[SOTTO_P_DEPTH_MULTIPLIER] = 1;
  p[SOTTO_P_PAD_H] =
      padding_before(p[SOTTO_P_STRIDE_H], 1, in.dims[1], p[SOTTO_P_KERNEL_H], out.dims[1]);
  p[SOTTO_P_PAD_W] =
      padding_before(p[SOTTO_P_STRIDE_W], 1, in.dims[2], p[SOTTO_P_KERNEL_W], out.dims[2]);
  check_window(i, rec);
  set_fused_activation(i, &rec, 5);
  ops_.push_back(rec);
}

void Compiler::lower_average_pool_2d(size_t i) {
  lower_pool(i, true);
}

void Compiler::lower_max_pool_2d(size_t i) {
  lower_pool(i, false);
}

}  // namespace sotto::gw::model::detail
