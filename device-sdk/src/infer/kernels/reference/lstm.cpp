// UNIDIRECTIONAL_SEQUENCE_LSTM (int8 input, output, weights and hidden state; int16 gates and cell
// state): the loader's check and the reference kernel, as TFLM's integer kernel (its 8x8->16
// path). Each time step, for each batch (all batches at once when time major):
//   gate g = activation(rescale(input x W_g + bias_g) +sat rescale(hidden x R_g)), int16 Q3.12
//            in, Q0.15 out: sigmoid for the input, forget and output gates, tanh for the cell gate;
//   cell   = sat(rescale(forget x cell) + rescale(input x cell gate)), clipped when the model says;
//   hidden = rescale(tanh(cell) x output) + the hidden zero point, int8; the output step's copy.
// The output gate reads the hidden state of the step before, as TFLM's order does. Hidden and cell
// state persist across invokes (sotto_smdl_state_tensor), so the loader checks both are private.
#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"
#include "sigmoid_tanh_int16.h"

namespace sotto_infer {

namespace {

enum Gate { kInputGate = 0, kForgetGate = 1, kCellGate = 2, kOutputGate = 3, kGates = 4 };

struct LstmShape {
  int32_t batches, steps, inputs, units;
  bool time_major;
};

LstmShape shape_of(const sotto_smdl_tensor_t &in, const sotto_smdl_op_t &op) {
  const bool time_major = op.params[SOTTO_P_LSTM_TIME_MAJOR] != 0;
  return LstmShape{time_major ? in.dims[2] : in.dims[1], time_major ? in.dims[1] : in.dims[2],
                   in.dims[3], 0, time_major};
}

bool rescales_ok(const ModelView &m, const sotto_smdl_op_t &op) {
  const int32_t *mult = m.constants_i32(op.multiplier_offset);
  const int32_t *shift = m.constants_i32(op.shift_offset);
  for (uint32_t k = 0; k < SOTTO_LSTM_RESCALE_COUNT_; ++k) {
    if (mult[k] < 0 || !shift_ok(shift[k])) return false;
  }
  return true;
}

}  // namespace

sotto_err_t check_lstm(OpCheck &c) {
  if (c.input1 == nullptr) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "hidden state: expected input1");
  }
  const sotto_smdl_op_t &op = c.op;
  const int32_t *p = c.param();
  const uint32_t cell_index = static_cast<uint32_t>(p[SOTTO_P_LSTM_CELL_STATE]);
  if (cell_index >= c.model.header->tensor_count) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "cell state: expected a tensor index in the table");
  }
  const sotto_smdl_tensor_t &in = c.input0, &out = c.output, &hidden = *c.input1;
  const sotto_smdl_tensor_t &cell = c.model.tensors[cell_index];
  if (in.type != SOTTO_SMDL_INT8 || out.type != SOTTO_SMDL_INT8 || hidden.type != SOTTO_SMDL_INT8 ||
      cell.type != SOTTO_SMDL_INT16) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR,
                  "types: expected int8 input, output and hidden state, an int16 cell state");
  }
  if (p[SOTTO_P_LSTM_TIME_MAJOR] != 0 && p[SOTTO_P_LSTM_TIME_MAJOR] != 1) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "time major: expected 0 or 1");
  }
  LstmShape s = shape_of(in, op);
  s.units = out.dims[3];
  const uint64_t states = static_cast<uint64_t>(s.batches) * static_cast<uint64_t>(s.units);
  if (in.rank != 3 || out.rank != 3 || out.dims[1] != in.dims[1] || out.dims[2] != in.dims[2] ||
      element_count(hidden) != states || element_count(cell) != states) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "shapes: expected input [batch, time, inputs], output [batch, time, units], "
                  "hidden and cell state batch * units");
  }
  const uint64_t inputs = static_cast<uint64_t>(s.inputs), units = static_cast<uint64_t>(s.units);
  if (static_cast<uint64_t>(op.weights_bytes) != kGates * units * (inputs + units) ||
      kGates * units * (inputs + units) > SOTTO_SMDL_MAX_TENSOR_BYTES) {
    return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS,
                  "weights: expected 4 x units x inputs then 4 x units x units (at most 2^30)");
  }
  if (op.bias_count != kGates * units) {
    return c.fail(SOTTO_ERR_MODEL_BAD_CONSTANTS, "bias: expected 4 x units");
  }
  if (op.multiplier_count != SOTTO_LSTM_RESCALE_COUNT_ ||
      op.shift_count != SOTTO_LSTM_RESCALE_COUNT_ || !rescales_ok(c.model, op)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "rescaling: expected 11 multipliers >= 0 and shifts -31..30");
  }
  if (!zero_point_ok(p[SOTTO_P_LSTM_INPUT_ZERO_POINT]) ||
      p[SOTTO_P_LSTM_HIDDEN_ZERO_POINT] != hidden.zero_point || !zero_point_ok(hidden.zero_point)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "zero points: expected an int8 input one and the hidden state's own");
  }
  if (p[SOTTO_P_LSTM_CELL_POWER] < -40 || p[SOTTO_P_LSTM_CELL_POWER] > 2 ||
      p[SOTTO_P_LSTM_CELL_CLIP] < -1 || p[SOTTO_P_LSTM_CELL_CLIP] > 32767) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "cell state: expected a scale power -40..2 and a clip -1 (none) or 0..32767");
  }
  const uint32_t step_batches = s.time_major ? static_cast<uint32_t>(s.batches) : 1u;
  if (op.scratch_bytes != sotto_smdl_lstm_scratch_bytes(step_batches, s.units) ||
      (op.scratch_offset & 3u) != 0) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "scratch: expected 4 x 2 x units bytes per step batch, 4-byte aligned "
                  "(sotto_smdl_lstm_scratch_bytes)");
  }
  const int8_t *w = reinterpret_cast<const int8_t *>(c.model.data + op.weights_offset);
  const uint32_t input_weights = static_cast<uint32_t>(kGates * units * inputs);
  if (sotto_smdl_depth_fits_int32(static_cast<uint32_t>(inputs), 0, w, input_weights) == 0 ||
      sotto_smdl_depth_fits_int32(static_cast<uint32_t>(units), 0, w + input_weights,
                                  static_cast<uint32_t>(kGates * units * units)) == 0) {
    return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                  "inputs and units: expected the products to fit an int32 "
                  "(sotto_smdl_depth_fits_int32)");
  }
  if (cell_index == c.op.input1 || c.op.input1 == c.op.input0 || c.op.input1 == c.op.output ||
      cell_index == c.op.input0 || cell_index == c.op.output) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "states: expected hidden and cell state apart from each other, input and output");
  }
  const sotto_err_t hidden_private = check_state_is_private(c, c.op.input1);
  return hidden_private != SOTTO_OK ? hidden_private : check_state_is_private(c, cell_index);
}

namespace {

// One fully connected product of `depth` int8 values (less their zero point) with each of `rows`
// weight rows, plus the bias, rescaled to int16 (TFLM: int8 x int8 -> int16 FULLY_CONNECTED, no
// output zero point). Sums wrap as two's complement, so a hostile bias is no undefined behaviour.
void product_to_int16(const int8_t *x, int32_t zero_point, int32_t depth, const int8_t *weights,
                      const int32_t *bias, int32_t rows, int32_t multiplier, int32_t shift,
                      int16_t *out) {
  for (int32_t r = 0; r < rows; ++r) {
    const int8_t *w = weights + static_cast<ptrdiff_t>(r) * depth;
    uint32_t acc = 0;
    for (int32_t k = 0; k < depth; ++k) acc += static_cast<uint32_t>(w[k] * (x[k] - zero_point));
    if (bias != nullptr) acc += static_cast<uint32_t>(bias[r]);
    out[r] = static_cast<int16_t>(
        requantize_clamped(static_cast<int32_t>(acc), multiplier, shift, 0, -32768, 32767));
  }
}

int16_t saturating_add_int16(int16_t a, int16_t b) {
  return static_cast<int16_t>(clamp_i32(a + b, -32768, 32767));
}

// a x b (both symmetric int16) rescaled, plus a zero point, clamped to [lo, hi].
int32_t rescaled_product(int16_t a, int16_t b, const int32_t *mult, const int32_t *shift,
                         uint32_t k, int32_t zero_point, int32_t lo, int32_t hi) {
  return requantize_clamped(a * b, mult[k], shift[k], zero_point, lo, hi);
}

struct StepData {
  const int8_t *input;  // this step's rows: `rows` x inputs
  int8_t *hidden;       // rows x units
  int16_t *cell;        // rows x units
  int8_t *output;       // rows x units
  int32_t rows;
};

void lstm_step(const KernelArgs &a, const LstmShape &s, const StepData &d, int16_t *buffers) {
  const int32_t *p = a.op->params;
  const int32_t n = d.rows * s.units;
  int16_t *gate[kGates] = {buffers, buffers + n, buffers + 2 * n, buffers + 3 * n};
  int16_t *recurrent = buffers + 3 * n;  // the output gate's buffer, free until the output gate
  const int8_t *input_weights = a.weights;
  const int8_t *recurrent_weights = a.weights + static_cast<ptrdiff_t>(kGates) * s.units * s.inputs;
  const int32_t input_zp = p[SOTTO_P_LSTM_INPUT_ZERO_POINT];
  const int32_t hidden_zp = p[SOTTO_P_LSTM_HIDDEN_ZERO_POINT];

  // TFLM's order: forget, input and cell gates, the cell update, then the output gate (whose
  // recurrent product still reads the previous hidden state) and the hidden update.
  const int order[kGates] = {kForgetGate, kInputGate, kCellGate, kOutputGate};
  for (int step = 0; step < kGates; ++step) {
    const int g = order[step];
    int16_t *own = g == kOutputGate ? gate[kInputGate] : gate[g];  // input gate is spent by then
    int16_t *scratch = g == kOutputGate ? gate[kForgetGate] : recurrent;
    for (int32_t b = 0; b < d.rows; ++b) {
      const int32_t *bias = a.bias + g * s.units;
      product_to_int16(d.input + static_cast<ptrdiff_t>(b) * s.inputs, input_zp, s.inputs,
                       input_weights + static_cast<ptrdiff_t>(g) * s.units * s.inputs, bias,
                       s.units, a.multiplier[2 * g], a.shift[2 * g], own + b * s.units);
      product_to_int16(d.hidden + static_cast<ptrdiff_t>(b) * s.units, hidden_zp, s.units,
                       recurrent_weights + static_cast<ptrdiff_t>(g) * s.units * s.units, nullptr,
                       s.units, a.multiplier[2 * g + 1], a.shift[2 * g + 1], scratch + b * s.units);
    }
    for (int32_t i = 0; i < n; ++i) {
      const int16_t sum = saturating_add_int16(own[i], scratch[i]);
      // The cell gate's tanh takes Q3.12 (a scale power of -12): 3x the input, no shift.
      own[i] = g == kCellGate ? tanh_from_table_input(table_input(sum, 0, 0)) : sigmoid_q3_12(sum);
    }
    if (g != kCellGate) continue;
    // The cell update, once the forget, input and cell gates are known.
    const int32_t clip = p[SOTTO_P_LSTM_CELL_CLIP];
    for (int32_t i = 0; i < n; ++i) {
      const int32_t kept = rescaled_product(gate[kForgetGate][i], d.cell[i], a.multiplier, a.shift,
                                            SOTTO_LSTM_FORGET_TIMES_CELL, 0, -32768, 32767);
      const int32_t added =
          rescaled_product(gate[kInputGate][i], gate[kCellGate][i], a.multiplier, a.shift,
                           SOTTO_LSTM_INPUT_TIMES_CELL_GATE, 0, -32768, 32767);
      int32_t cell = clamp_i32(kept + added, -32768, 32767);
      if (clip >= 0) cell = clamp_i32(cell, -clip, clip);
      d.cell[i] = static_cast<int16_t>(cell);
    }
  }

  // tanh of the cell state: its scale 2^power becomes the table's units by 3 x 2^(12 + power).
  const int32_t power = p[SOTTO_P_LSTM_CELL_POWER];
  const int32_t left = 12 + power > 0 ? 12 + power : 0;
  const int32_t right = 12 + power < 0 ? -(12 + power) : 0;
  const int16_t *output_gate = gate[kInputGate];
  for (int32_t i = 0; i < n; ++i) {
    const int16_t tanh_cell = tanh_from_table_input(table_input(d.cell[i], left, right));
    d.hidden[i] = static_cast<int8_t>(rescaled_product(tanh_cell, output_gate[i], a.multiplier,
                                                       a.shift, SOTTO_LSTM_OUTPUT_TIMES_TANH_CELL,
                                                       hidden_zp, -128, 127));
    d.output[i] = d.hidden[i];
  }
}

}  // namespace

void reference::lstm(const KernelArgs &a) {
  LstmShape s = shape_of(*a.input0, *a.op);
  s.units = a.output->dims[3];
  int8_t *hidden = reinterpret_cast<int8_t *>(a.arena + a.input1->arena_offset);
  const sotto_smdl_tensor_t &cell_tensor =
      a.tensors[static_cast<uint32_t>(a.op->params[SOTTO_P_LSTM_CELL_STATE])];
  int16_t *cell = reinterpret_cast<int16_t *>(a.arena + cell_tensor.arena_offset);
  int16_t *buffers = reinterpret_cast<int16_t *>(a.scratch);
  if (s.time_major) {
    // Every batch in one step: rows are batches, the state of all batches at once.
    for (int32_t t = 0; t < s.steps; ++t) {
      const ptrdiff_t row = static_cast<ptrdiff_t>(t) * s.batches;
      lstm_step(a, s,
                StepData{a.input0_data + row * s.inputs, hidden, cell,
                         a.output_data + row * s.units, s.batches},
                buffers);
    }
    return;
  }
  // Batch major: each batch runs its whole sequence on its own row of the states.
  for (int32_t b = 0; b < s.batches; ++b) {
    for (int32_t t = 0; t < s.steps; ++t) {
      const ptrdiff_t row = static_cast<ptrdiff_t>(b) * s.steps + t;
      lstm_step(a, s,
                StepData{a.input0_data + row * s.inputs, hidden + b * s.units, cell + b * s.units,
                         a.output_data + row * s.units, 1},
                buffers);
    }
  }
}

}  // namespace sotto_infer
