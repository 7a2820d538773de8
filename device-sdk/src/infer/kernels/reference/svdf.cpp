// SVDF (int8 input, output and feature weights; int8 or int16 time weights and activation state):
// the loader's check and the reference kernel, as TFLM's integer SVDF. Each invoke forgets the
// state's oldest entry of every filter, appends the filter's response to this input (the input
// less its zero point times the feature weights, rescaled to the state), then sums each unit's
// `rank` filters over the whole memory (state less its zero point times the time weights) plus
// the bias and rescales that to the output. The state persists across invokes
// (sotto_smdl_state_tensor), so the loader also checks that nothing else uses its bytes.
#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {

namespace {

// The feature weights' bytes padded to 4: the time weights follow them.
uint64_t feature_bytes_padded(uint64_t filters, uint64_t inputs) {
  return (filters * inputs + 3) & ~uint64_t{3};
}

bool rank_two(const sotto_smdl_tensor_t &t) {
  return t.rank == 2 && t.dims[0] == 1 && t.dims[1] == 1;
}

}  // namespace

sotto_err_t check_svdf(OpCheck &c) {
  if (c.input1 == nullptr) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "state: expected input1, the activation state");
  }
  const sotto_smdl_tensor_t &in = c.input0, &out = c.output, &state = *c.input1;
  if (in.type != SOTTO_SMDL_INT8 || out.type != SOTTO_SMDL_INT8 ||
      (state.type != SOTTO_SMDL_INT8 && state.type != SOTTO_SMDL_INT16)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR,
                  "types: expected int8 input and output, an int8 or int16 state");
  }
  if (!rank_two(in) || !rank_two(out) || !rank_two(state)) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "shapes: expected input, output and state of rank 2 ([batch, n])");
  }
  if (out.dims[2] != in.dims[2] || state.dims[2] != in.dims[2]) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "batches: expected input, output and state equal");
  }
  const int32_t *p = c.param();
  const int32_t rank = p[SOTTO_P_SVDF_RANK], memory = p[SOTTO_P_SVDF_MEMORY];
  if (rank < 1 || memory < 1 || static_cast<uint32_t>(rank) > SOTTO_SMDL_MAX_DIM ||
      static_cast<uint32_t>(memory) > SOTTO_SMDL_MAX_DIM) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "rank and memory size: expected 1..65535");
  }
  const uint64_t filters = static_cast<uint64_t>(out.dims[3]) * static_cast<uint64_t>(rank);
  if (static_cast<uint64_t>(state.dims[3]) != filters * static_cast<uint64_t>(memory)) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "state: expected filters * memory entries per batch (filters = units * rank)");
  }
  const uint64_t inputs = static_cast<uint64_t>(in.dims[3]);
  const uint64_t time_bytes =
      filters * static_cast<uint64_t>(memory) * sotto_smdl_type_bytes(state.type);
  // The kernel indexes the feature weights with int32: at most SOTTO_SMDL_MAX_TENSOR_BYTES.
  if (filters * inputs > SOTTO_SMDL_MAX_TENSOR_BYTES ||
      static_cast<uint64_t>(c.op.weights_bytes) !=
          feature_bytes_padded(filters, inputs) + time_bytes ||
      (c.op.weights_offset & 3u) != 0) {
    return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS,
                  "weights: expected 4-byte aligned feature weights (filters * inputs, padded to "
                  "4 bytes, at most 2^30) then time weights (filters * memory of the state's "
                  "type)");
  }
  if (c.op.bias_count != 0 && c.op.bias_count != static_cast<uint32_t>(out.dims[3])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS, "bias: expected none or one per unit");
  }
  const int32_t state_zp = p[SOTTO_P_SVDF_STATE_ZERO_POINT];
  // An int8 state starts at its zero point, an int16 one at 0 (as TFLM resets them): the kernel
  // and the reset must agree on it.
  if (!zero_point_ok(p[SOTTO_P_SVDF_INPUT_ZERO_POINT]) ||
      !zero_point_ok(p[SOTTO_P_OUTPUT_OFFSET]) || state_zp != state.zero_point ||
      (state.type == SOTTO_SMDL_INT16 && state_zp != 0)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "zero points: expected int8 input and output ones, the state's own (0 for "
                  "int16)");
  }
  if (p[SOTTO_P_SVDF_FEATURE_MULT] < 0 || !shift_ok(p[SOTTO_P_SVDF_FEATURE_SHIFT]) ||
      p[SOTTO_P_SVDF_OUTPUT_MULT] < 0 || !shift_ok(p[SOTTO_P_SVDF_OUTPUT_SHIFT])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "rescaling: expected multipliers >= 0, shifts -31..30");
  }
  const int8_t *feature = reinterpret_cast<const int8_t *>(c.model.data + c.op.weights_offset);
  if (inputs > SOTTO_SMDL_MAX_ACCUMULATION_DEPTH ||
      sotto_smdl_depth_fits_int32(static_cast<uint32_t>(inputs), 0, feature,
                                  static_cast<uint32_t>(filters * inputs)) == 0) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "inputs: expected the feature products to fit an int32 "
                  "(sotto_smdl_depth_fits_int32)");
  }
  if (c.op.input1 == c.op.input0 || c.op.input1 == c.op.output) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "state: expected a tensor other than input and output");
  }
  return check_state_is_private(c, c.op.input1);
}

namespace {

template <typename State>
void svdf_typed(const KernelArgs &a, int32_t state_min, int32_t state_max) {
  const int32_t *p = a.op->params;
  const int32_t rank = p[SOTTO_P_SVDF_RANK], memory = p[SOTTO_P_SVDF_MEMORY];
  const int32_t batches = a.input0->dims[2], inputs = a.input0->dims[3];
  const int32_t units = a.output->dims[3], filters = units * rank;
  const int32_t input_zp = p[SOTTO_P_SVDF_INPUT_ZERO_POINT];
  const int32_t state_zp = p[SOTTO_P_SVDF_STATE_ZERO_POINT];
  const int8_t *feature = a.weights;
  const State *time = reinterpret_cast<const State *>(
      a.weights +
      feature_bytes_padded(static_cast<uint64_t>(filters), static_cast<uint64_t>(inputs)));
  State *state = reinterpret_cast<State *>(a.arena + a.input1->arena_offset);

  // The whole state moves one entry towards its start, dropping each filter's oldest entry; the
  // last entry of every filter is then overwritten with this input's response.
  const uint32_t entries = element_count(*a.input1);
  for (uint32_t i = 1; i < entries; ++i) state[i - 1] = state[i];
  for (int32_t b = 0; b < batches; ++b) {
    const int8_t *in = a.input0_data + b * inputs;
    for (int32_t f = 0; f < filters; ++f) {
      const int8_t *w = feature + f * inputs;
      int32_t acc = 0;  // the loader bounded inputs so that this fits
      for (int32_t k = 0; k < inputs; ++k) acc += w[k] * (in[k] - input_zp);
      // The state's zero point is added before the saturation to the state's type, as TFLM's
      // source does since the fix for its issue #2721 (before, it saturated first and the
      // zero point could wrap an int8 state); the golden data comes out the same either way.
      state[(b * filters + f) * memory + memory - 1] = static_cast<State>(
          requantize_clamped(acc, p[SOTTO_P_SVDF_FEATURE_MULT], p[SOTTO_P_SVDF_FEATURE_SHIFT],
                             state_zp, state_min, state_max));
    }
  }

  // Each unit: bias plus its filters' products over the whole memory, in two's-complement int32
  // (an int16 state times int16 weights may wrap, as TFLM's int32 sums do on every target).
  for (int32_t b = 0; b < batches; ++b) {
    for (int32_t u = 0; u < units; ++u) {
      uint32_t sum = a.bias != nullptr ? static_cast<uint32_t>(a.bias[u]) : 0u;
      for (int32_t f = u * rank; f < (u + 1) * rank; ++f) {
        const State *s = state + (b * filters + f) * memory;
        const State *w = time + f * memory;
        for (int32_t m = 0; m < memory; ++m) {
          sum += static_cast<uint32_t>(w[m] * (s[m] - state_zp));
        }
      }
      a.output_data[b * units + u] = static_cast<int8_t>(
          requantize_clamped(static_cast<int32_t>(sum), p[SOTTO_P_SVDF_OUTPUT_MULT],
                             p[SOTTO_P_SVDF_OUTPUT_SHIFT], p[SOTTO_P_OUTPUT_OFFSET], -128, 127));
    }
  }
}

}  // namespace

void reference::svdf(const KernelArgs &a) {
  if (a.input1->type == SOTTO_SMDL_INT16) {
    svdf_typed<int16_t>(a, -32768, 32767);
  } else {
    svdf_typed<int8_t>(a, -128, 127);
  }
}

}  // namespace sotto_infer
