// UNIDIRECTIONAL_SEQUENCE_LSTM end to end: the importer's lowering and refusals (each variant
// TFLM's integer kernel does not run, by name), the loader's checks, the hidden and cell state
// that persist across invokes until a reset, the cell clip, and TFLM's int16 sigmoid and tanh at
// their edges. Expected values are derived by hand from TFLM's integer LSTM (lstm_eval.h and
// lstm_eval_common.cc, reference integer logistic and tanh), step by step in the comments.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "importer.h"
#include "kernel_test_util.h"
#include "model_fixture.h"
#include "reference/sigmoid_tanh_int16.h"
#include "sotto/model.h"
#include "tflite_builder.h"

using namespace sotto_test;
using sotto::gw::model::import_tflite;
using sotto::gw::model::Target;
using sotto::gw::tools::FbNode;
using sotto::gw::tools::TfliteBuilder;

namespace {

const int8_t kInt32 = 2, kInt16 = 7, kInt8 = 9;
const int32_t kLstm = 44;

// What a test changes in the model below.
struct LstmModel {
  float cell_clip = 0.0f;
  int8_t activation = 4;  // TANH
  bool variable_cell = true;
  bool peephole = false;
  bool projection = false;
};

std::vector<uint8_t> one(int8_t w) {
  return TfliteBuilder::bytes_of(std::vector<int8_t>{w});
}

// x int8 [1, 2, 1] (scale 1/16, zero point 2) -> LSTM with 1 unit -> int8 [1, 2, 1] (scale 2^-7,
// zero point -1, the hidden state's). Input weights (scale 1/16) i 0, f 8, c 16, o -8: each gate's
// input rescale is 1/256 / 2^-12 = 16. Recurrent weights (scale 1/32) i 0, f 0, c 0, o 64: the
// recurrent rescale is 2^-7 / 32 / 2^-12 = 1. Biases 0. Cell state int16, scale 2^-11.
std::vector<uint8_t> lstm_model(const LstmModel &m = {}) {
  TfliteBuilder b;
  const int32_t x = b.tensor({1, 2, 1}, kInt8, 1.0f / 16, 2);
  std::vector<int32_t> in(24, -1);
  in[0] = x;
  const int8_t input_w[4] = {0, 8, 16, -8}, recurrent_w[4] = {0, 0, 0, 64};
  for (int g = 0; g < 4; ++g) {
    in[1 + g] = b.tensor({1, 1}, kInt8, 1.0f / 16, 0, one(input_w[g]));
    in[5 + g] = b.tensor({1, 1}, kInt8, 1.0f / 32, 0, one(recurrent_w[g]));
    in[12 + g] =
        b.tensor({1}, kInt32, 1.0f / 256, 0, TfliteBuilder::bytes_of(std::vector<int32_t>{0}));
  }
  if (m.peephole)
    in[10] = b.tensor({1}, kInt16, 1.0f, 0, TfliteBuilder::bytes_of(std::vector<int16_t>{1}));
  if (m.projection) in[16] = b.tensor({1, 1}, kInt8, 1.0f, 0, one(1));
  in[18] = b.tensor({1, 1}, kInt8, 1.0f / 128, -1);
  b.mark_variable(in[18]);
  in[19] = b.tensor({1, 1}, kInt16, 1.0f / 2048, 0);
  if (m.variable_cell) b.mark_variable(in[19]);
  const int32_t out = b.tensor({1, 2, 1}, kInt8, 1.0f / 128, -1);
  auto options = FbNode::table();
  options->set(0, m.activation);
  options->set(1, m.cell_clip);
  b.op(kLstm, in, out, options);
  return b.finish(x, out);
}

// Step 1, x = 18 (16 above its zero point), hidden -1 (its zero point: 0), cell 0. Gate inputs
// 16 x (0, 8, 16, -8) = (0, 128, 256, -128), times 16: (0, 2048, 4096, -2048) in Q3.12. Sigmoid
// reads the table at 3x / 2^9: i = 16384 (0.5), f: 6144 = index 12 exactly, 40794 -> 20397;
// o: 32768 * 2 - 40794 rounded down -> 12371; the cell gate's tanh: 12288 = index 48 exactly,
// 57724 * 2 - 65536 -> 24956. Cell: f x 0 = 0, plus i x c = 16384 * 24956 rescaled by
// (2^-15)^2 / 2^-11 (TFLM's 2^-15 literal is 2^-15 (1 - 2^-22), so the multiplier is
// 2^31 - 2^10 at shift -19): 779.87 -> 780. tanh(780 x 2^-11): table input 780 * 6 = 4680,
// index 18 + 72/256 -> 11909. Hidden 11909 * 12371 * 2^-30 / 2^-7 = 17.56 -> 18, less 1: 17.
// Step 2, x = -14 (-16): gates (0, -2048, -4096, 2048 + 64 * 18 = 3200): i 16384, f 12371,
// c -24956, o 22477. Cell 12371 * 780 * 2^-15 = 294.5 -> 294 (the multiplier is just below
// 2^31), plus -780: -486; tanh -> -7633; hidden -7633 * 22477 * 2^-23 = -20.45 -> -20, less 1.
TEST(Lstm, KeepsHiddenAndCellStateAcrossInvokesUntilReset) {
  TwoValueModel m(import_tflite(lstm_model(), Target::kGeneric));
  EXPECT_EQ((std::vector<int8_t>{17, -21}), m.run(18, -14));
  // Hidden -21 and cell -486 carry over: step 1's output gate is -2048 + 64 * -20 = -3328
  // (10072), its cell 20397 * -486 = -9912942, x (1 - 2^-22) / 2^15 = -302.52 -> -303, plus 780:
  // 477 (tanh 7497, hidden 7497 * 10072 * 2^-23 = 9.0 -> 9, less 1).
  EXPECT_EQ((std::vector<int8_t>{8, -25}), m.run(18, -14));
  ASSERT_EQ(SOTTO_OK, sotto_model_reset_state(&m.model));
  EXPECT_EQ((std::vector<int8_t>{17, -21}), m.run(18, -14));
}

// A cell clip of 0.25 is 512 in the cell's 2^-11 units: step 1's 780 becomes 512 (tanh 8026,
// hidden 8026 * 12371 * 2^-23 = 11.8 -> 12, less 1); step 2's 12371 * 512 * 2^-15 = 193.3 -> 193,
// plus -780 = -587, is clipped to -512 (tanh -8026, output gate 2048 + 64 * 12 = 2816: 21804,
// hidden -8026 * 21804 * 2^-23 = -20.9 -> -21, less 1).
TEST(Lstm, CellClipBoundsTheCellState) {
  LstmModel lm;
  lm.cell_clip = 0.25f;
  TwoValueModel m(import_tflite(lstm_model(lm), Target::kGeneric));
  EXPECT_EQ((std::vector<int8_t>{11, -22}), m.run(18, -14));
}

// Both states have arena bytes of their own for the whole run, and the gates a scratch of
// 4 x int16 per unit.
TEST(Lstm, StatesAndScratchHaveArenaBytesOfTheirOwn) {
  for (Target target : {Target::kGeneric, Target::kCortexM4, Target::kRv32}) {
    AlignedBlob blob(import_tflite(lstm_model(), target));
    const sotto_smdl_op_t &op = blob.ops()[0];
    ASSERT_EQ(static_cast<uint32_t>(SOTTO_OP_UNIDIRECTIONAL_SEQUENCE_LSTM), op.kind);
    EXPECT_EQ(8u, op.scratch_bytes);
    const uint32_t hidden = sotto_smdl_state_tensor(&op, 0), cell = sotto_smdl_state_tensor(&op, 1);
    EXPECT_EQ(1u, blob.tensors()[hidden].bytes);
    EXPECT_EQ(2u, blob.tensors()[cell].bytes);
    for (uint32_t s : {hidden, cell}) {
      const sotto_smdl_tensor_t &state = blob.tensors()[s];
      for (uint32_t t = 0; t < blob.header()->tensor_count; ++t) {
        if (t == s) continue;
        const sotto_smdl_tensor_t &other = blob.tensors()[t];
        EXPECT_TRUE(other.arena_offset >= state.arena_offset + state.bytes ||
                    other.arena_offset + other.bytes <= state.arena_offset)
            << "tensor " << t;
      }
      EXPECT_TRUE(op.scratch_offset >= state.arena_offset + state.bytes ||
                  op.scratch_offset + op.scratch_bytes <= state.arena_offset);
    }
  }
}

// A blob of the model above with one field changed by `patch`, and the check the loader names.
std::string refusal(void (*patch)(AlignedBlob &)) {
  AlignedBlob blob(import_tflite(lstm_model(), Target::kGeneric));
  patch(blob);
  return open_refusal(blob, "UNIDIRECTIONAL_SEQUENCE_LSTM");
}

TEST(Lstm, LoaderChecksEveryShapeAndLengthBeforeTrustingThem) {
  EXPECT_EQ("opened", refusal([](AlignedBlob &) {}));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: hidden state: expected input1",
            refusal([](AlignedBlob &b) { b.ops()[0].input1 = SOTTO_SMDL_NO_TENSOR; }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: cell state: expected a tensor index in the table",
            refusal([](AlignedBlob &b) { b.ops()[0].params[SOTTO_P_LSTM_CELL_STATE] = 99; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_TENSOR: types: expected int8 input, output and hidden state, an int16 "
      "cell state",
      refusal([](AlignedBlob &b) {
        b.ops()[0].params[SOTTO_P_LSTM_CELL_STATE] = static_cast<int32_t>(b.ops()[0].input1);
      }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: time major: expected 0 or 1",
            refusal([](AlignedBlob &b) { b.ops()[0].params[SOTTO_P_LSTM_TIME_MAJOR] = 2; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_CONSTANTS: weights: expected 4 x units x inputs then 4 x units x "
      "units (at most 2^30)",
      refusal([](AlignedBlob &b) { b.ops()[0].weights_bytes -= 1; }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_CONSTANTS: bias: expected 4 x units",
            refusal([](AlignedBlob &b) { b.ops()[0].bias_count = 3; }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: rescaling: expected 11 multipliers >= 0 and shifts -31..30",
            refusal([](AlignedBlob &b) { b.ops()[0].multiplier_count = 10; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP: zero points: expected an int8 input one and the hidden state's own",
      refusal([](AlignedBlob &b) { b.ops()[0].params[SOTTO_P_LSTM_HIDDEN_ZERO_POINT] = 0; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP: cell state: expected a scale power -40..2 and a clip -1 (none) or "
      "0..32767",
      refusal([](AlignedBlob &b) { b.ops()[0].params[SOTTO_P_LSTM_CELL_POWER] = 3; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP: scratch: expected 4 x 2 x units bytes per step batch, 4-byte "
      "aligned (sotto_smdl_lstm_scratch_bytes)",
      refusal([](AlignedBlob &b) { b.ops()[0].scratch_bytes = 4; }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: state: expected arena bytes no other tensor shares",
            refusal([](AlignedBlob &b) {
              const uint32_t cell = sotto_smdl_state_tensor(&b.ops()[0], 1);
              b.tensors()[cell].arena_offset = b.tensors()[b.ops()[0].output].arena_offset & ~1u;
            }));
}

TEST(Lstm, ImporterRefusesTheVariantsTflmRefusesNamingThem) {
  LstmModel m;
  m.peephole = true;
  EXPECT_EQ(
      "operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): peephole weights (input 10); supported: the "
      "standard LSTM without them",
      import_error(lstm_model(m)));
  m = {};
  m.projection = true;
  EXPECT_EQ(
      "operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): a projection (input 16); supported: the "
      "standard LSTM without them",
      import_error(lstm_model(m)));
  m = {};
  m.activation = 1;
  EXPECT_EQ("operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): cell activation 1; supported: TANH (4)",
            import_error(lstm_model(m)));
  m = {};
  m.variable_cell = false;
  EXPECT_EQ(
      "operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): state tensor 't14' is not a variable tensor",
      import_error(lstm_model(m)));
}

// TFLM's int16 sigmoid (Q3.12 in, Q0.15 out) and tanh (table input, Q0.15 out) at their edges:
// sigmoid(0) = 16384 (0.5 exactly); the extremes read table entries 191/192: 32757 and 11 (not
// 32767 and 0); tanh is 0 at 0 and saturates at +-32767 from the table's end (255 * 256); one
// step of input off 0 gives +-3 (683 / 256 of the first interval, rounded down for both signs).
TEST(Lstm, Int16SigmoidAndTanhAtTheirEdges) {
  using sotto_infer::sigmoid_q3_12;
  using sotto_infer::tanh_from_table_input;
  EXPECT_EQ(16384, sigmoid_q3_12(0));
  EXPECT_EQ(16386, sigmoid_q3_12(1));
  EXPECT_EQ(32757, sigmoid_q3_12(32767));
  EXPECT_EQ(11, sigmoid_q3_12(-32768));
  EXPECT_EQ(23956, sigmoid_q3_12(4096));
  EXPECT_EQ(8812, sigmoid_q3_12(-4096));
  EXPECT_EQ(0, tanh_from_table_input(0));
  EXPECT_EQ(3, tanh_from_table_input(1));
  EXPECT_EQ(-3, tanh_from_table_input(-1));
  EXPECT_EQ(24956, tanh_from_table_input(12288));
  EXPECT_EQ(32767, tanh_from_table_input(65280));
  EXPECT_EQ(32767, tanh_from_table_input(65279));
  EXPECT_EQ(-32767, tanh_from_table_input(-65280));
  // The table input from a power-of-two scale: 3 x 2^left, or 3x rounded by 2^right.
  EXPECT_EQ(4680, sotto_infer::table_input(780, 1, 0));
  EXPECT_EQ(1170, sotto_infer::table_input(780, 0, 1));
  EXPECT_EQ(-585, sotto_infer::table_input(-780, 0, 2));   // -2340 / 4 = -585 exactly
  EXPECT_EQ(-1171, sotto_infer::table_input(-781, 0, 1));  // -1171.5: ties go up
}

}  // namespace
