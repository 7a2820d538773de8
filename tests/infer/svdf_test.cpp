// SVDF end to end: the importer's lowering and refusals, the loader's checks (each named), the
// state that persists across invokes until a reset, and the reference kernel at its edges, all
// against values derived by hand from TFLM's integer SVDF (svdf_common.cc): the feature rescale
// into the state with the state's zero point added before the saturation, the time sums in
// two's-complement int32, the output rescale with ties away from zero.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "importer.h"
#include "kernel_args.h"
#include "kernel_test_util.h"
#include "model_fixture.h"
#include "sotto/model.h"
#include "tflite_builder.h"

using namespace sotto_test;
using sotto::gw::model::import_tflite;
using sotto::gw::model::Target;
using sotto::gw::tools::FbNode;
using sotto::gw::tools::TfliteBuilder;
using sotto_infer::KernelArgs;

namespace {

const int8_t kInt32 = 2, kInt16 = 7, kInt8 = 9;
const int32_t kSvdf = 27;

// What a test changes in the model below.
struct SvdfModel {
  bool variable_state = true;
  int64_t state_zero_point = 0;
  float bias_scale = 0.0625f;
  int32_t rank = 1;
};

// x int8 [1, 2] (scale 1/2, zero point 1) -> SVDF: 2 units, rank 1, memory 3, int16 state
// (scale 1/8) -> int8 [1, 2] (scale 1/4, zero point -3). Feature weights [[1, 2], [-3, 1]]
// (scale 1/4), time weights [[0, 2, 3], [0, -1, 4]] (scale 1/2), bias [0, 2] (scale 1/16).
// Rescales: feature 1/2 * 1/4 / (1/8) = 1, output 1/8 * 1/2 / (1/4) = 1/4.
std::vector<uint8_t> svdf_model(const SvdfModel &m = {}) {
  TfliteBuilder b;
  const int32_t x = b.tensor({1, 2}, kInt8, 0.5f, 1);
  const int32_t feature =
      b.tensor({2, 2}, kInt8, 0.25f, 0, TfliteBuilder::bytes_of(std::vector<int8_t>{1, 2, -3, 1}));
  const int32_t time = b.tensor({2, 3}, kInt16, 0.5f, 0,
                                TfliteBuilder::bytes_of(std::vector<int16_t>{0, 2, 3, 0, -1, 4}));
  const int32_t bias =
      b.tensor({2}, kInt32, m.bias_scale, 0, TfliteBuilder::bytes_of(std::vector<int32_t>{0, 2}));
  const int32_t state = b.tensor({1, 6}, kInt16, 0.125f, m.state_zero_point);
  if (m.variable_state) b.mark_variable(state);
  const int32_t out = b.tensor({1, 2}, kInt8, 0.25f, -3);
  auto options = FbNode::table();
  options->set(0, m.rank);
  options->set(1, static_cast<int8_t>(1));  // RELU: TFLM's integer SVDF does not apply it
  b.op(kSvdf, {x, feature, time, bias, state}, out, options);
  return b.finish(x, out);
}

// Invoke 1, x = [3, 5] (less zero point: [2, 4]): filters 1*2 + 2*4 = 10 and -3*2 + 1*4 = -2
// enter the state; units 3 * 10 = 30 -> 7.5 -> 8 and 2 + 4 * -2 = -6 -> -1.5 -> -2, plus -3.
// Invoke 2, x = [1, 0] ([0, -1]): filters -2 and -1; the state holds [0, 10, -2], [0, -2, -1];
// units 2 * 10 + 3 * -2 = 14 -> 3.5 -> 4 and 2 + 2 - 4 = 0, plus -3. After a reset the same input
// sees only itself: 3 * -2 = -6 -> -1.5 -> -2 and 2 - 4 = -2 -> -0.5 -> -1, plus -3.
TEST(Svdf, RemembersPastInputsUntilTheStateIsReset) {
  TwoValueModel m(import_tflite(svdf_model(), Target::kGeneric));
  EXPECT_EQ((std::vector<int8_t>{5, -5}), m.run(3, 5));
  EXPECT_EQ((std::vector<int8_t>{1, -3}), m.run(1, 0));
  ASSERT_EQ(SOTTO_OK, sotto_model_reset_state(&m.model));
  EXPECT_EQ((std::vector<int8_t>{-5, -4}), m.run(1, 0));
  // Attaching an arena starts from the initial state too.
  m.run(3, 5);
  ASSERT_EQ(SOTTO_OK, sotto_model_attach_arena(&m.model, m.arena.data(), m.arena.size() * 4));
  EXPECT_EQ((std::vector<int8_t>{-5, -4}), m.run(1, 0));
  sotto_model_t bare;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&bare, m.blob.data(), m.blob.bytes));
  EXPECT_EQ(SOTTO_ERR_MODEL_NO_ARENA, sotto_model_reset_state(&bare));
  EXPECT_EQ(SOTTO_ERR_INVALID_ARGUMENT, sotto_model_reset_state(nullptr));
}

// The arena holds the 12-byte state for the whole run beside input and output (2 bytes each,
// every tensor 4-byte aligned): nothing else is planned over it.
TEST(Svdf, TheStateHasArenaBytesOfItsOwn) {
  for (Target target : {Target::kGeneric, Target::kCortexM4, Target::kRv32}) {
    AlignedBlob blob(import_tflite(svdf_model(), target));
    EXPECT_EQ(20u, blob.header()->arena_bytes);
    const sotto_smdl_op_t &op = blob.ops()[0];
    ASSERT_EQ(static_cast<uint32_t>(SOTTO_OP_SVDF), op.kind);
    const uint32_t s = sotto_smdl_state_tensor(&op, 0);
    ASSERT_NE(SOTTO_SMDL_NO_TENSOR, s);
    const sotto_smdl_tensor_t &state = blob.tensors()[s];
    EXPECT_EQ(12u, state.bytes);
    for (uint32_t t = 0; t < blob.header()->tensor_count; ++t) {
      if (t == s) continue;
      const sotto_smdl_tensor_t &other = blob.tensors()[t];
      EXPECT_TRUE(other.arena_offset >= state.arena_offset + state.bytes ||
                  other.arena_offset + other.bytes <= state.arena_offset)
          << "tensor " << t;
    }
  }
}

// A blob of the model above with one field changed by `patch`, and the check the loader names.
std::string refusal(void (*patch)(AlignedBlob &)) {
  AlignedBlob blob(import_tflite(svdf_model(), Target::kGeneric));
  patch(blob);
  return open_refusal(blob, "SVDF");
}

sotto_smdl_tensor_t &state_of(AlignedBlob &b) {
  return b.tensors()[b.ops()[0].input1];
}

TEST(Svdf, LoaderChecksEveryShapeAndLengthBeforeTrustingThem) {
  EXPECT_EQ("opened", refusal([](AlignedBlob &) {}));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: state: expected input1, the activation state",
            refusal([](AlignedBlob &b) { b.ops()[0].input1 = SOTTO_SMDL_NO_TENSOR; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_SHAPE_MISMATCH: shapes: expected input, output and state of rank 2 "
      "([batch, n])",
      refusal([](AlignedBlob &b) { state_of(b).rank = 3; }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: rank and memory size: expected 1..65535",
            refusal([](AlignedBlob &b) { b.ops()[0].params[SOTTO_P_SVDF_RANK] = 0; }));
  // Rank 2 would make 4 filters: the state holds 2 * 3 entries.
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_SHAPE_MISMATCH: state: expected filters * memory entries per batch "
      "(filters = units * rank)",
      refusal([](AlignedBlob &b) { b.ops()[0].params[SOTTO_P_SVDF_RANK] = 2; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_SHAPE_MISMATCH: state: expected filters * memory entries per batch "
      "(filters = units * rank)",
      refusal([](AlignedBlob &b) { b.ops()[0].params[SOTTO_P_SVDF_MEMORY] = 2; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_CONSTANTS: weights: expected 4-byte aligned feature weights "
      "(filters * inputs, padded to 4 bytes, at most 2^30) then time weights (filters * memory "
      "of the state's type)",
      refusal([](AlignedBlob &b) { b.ops()[0].weights_bytes -= 2; }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_CONSTANTS: bias: expected none or one per unit",
            refusal([](AlignedBlob &b) { b.ops()[0].bias_count = 1; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP: zero points: expected int8 input and output ones, the "
      "state's own (0 for int16)",
      refusal([](AlignedBlob &b) {
        state_of(b).zero_point = 3;
        b.ops()[0].params[SOTTO_P_SVDF_STATE_ZERO_POINT] = 3;
      }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: rescaling: expected multipliers >= 0, shifts -31..30",
            refusal([](AlignedBlob &b) { b.ops()[0].params[SOTTO_P_SVDF_OUTPUT_SHIFT] = 31; }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: state: expected not a graph input or output",
            refusal([](AlignedBlob &b) {
              uint32_t *io = reinterpret_cast<uint32_t *>(b.data() + b.header()->io_table_offset);
              io[1] = b.ops()[0].input1;
            }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: state: expected arena bytes no other tensor shares",
            refusal([](AlignedBlob &b) {
              b.tensors()[b.ops()[0].output].arena_offset = state_of(b).arena_offset;
            }));
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: state: expected arena bytes no scratch shares",
            refusal([](AlignedBlob &b) {
              b.ops()[0].scratch_offset = state_of(b).arena_offset & ~3u;
              b.ops()[0].scratch_bytes = 4;
            }));
}

TEST(Svdf, ImporterRefusesWhatTflmRefusesNamingIt) {
  SvdfModel m;
  m.variable_state = false;
  EXPECT_EQ("operator 0 (SVDF): state tensor 't4' is not a variable tensor",
            import_error(svdf_model(m)));
  m = {};
  m.state_zero_point = 2;
  EXPECT_EQ("operator 0 (SVDF): int16 state tensor 't4' has zero point 2; supported: 0",
            import_error(svdf_model(m)));
  m = {};
  m.bias_scale = 0.5f;
  EXPECT_EQ(
      "operator 0 (SVDF): bias tensor 't3' scale must be the state's times the time weights' "
      "(0.062500)",
      import_error(svdf_model(m)));
  m = {};
  m.rank = 2;  // 4 filters, but the feature weights have 2 rows
  EXPECT_EQ(
      "operator 0 (SVDF): feature weights tensor 't1' must be [units * rank, inputs] = [4, 2]",
      import_error(svdf_model(m)));
  m.rank = 0;
  EXPECT_EQ("operator 0 (SVDF): rank 0; supported: 1..65535", import_error(svdf_model(m)));
}

// One SVDF kernel call on hand-made records: input [1, inputs] int8 at arena 0, the state at
// arena 64, the output at arena 128.
struct KernelCase {
  sotto_smdl_op_t op{};
  sotto_smdl_tensor_t in{}, state{}, out{};
  std::vector<uint8_t> arena = std::vector<uint8_t>(256, 0);
  std::vector<uint8_t> weights;
  KernelCase(int32_t inputs, int32_t units, int32_t rank, int32_t memory, uint32_t state_type,
             int32_t state_zp) {
    in = shape(1, 1, inputs);
    in.rank = 2;
    out = shape(1, 1, units);
    out.rank = 2;
    out.arena_offset = 128;
    state = shape(1, 1, units * rank * memory);
    state.rank = 2;
    state.type = state_type;
    state.bytes *= sotto_smdl_type_bytes(state_type);
    state.arena_offset = 64;
    state.zero_point = state_zp;
    op.kind = SOTTO_OP_SVDF;
    op.params[SOTTO_P_SVDF_RANK] = rank;
    op.params[SOTTO_P_SVDF_MEMORY] = memory;
    op.params[SOTTO_P_SVDF_STATE_ZERO_POINT] = state_zp;
    if (state_type == SOTTO_SMDL_INT8) std::memset(&arena[64], state_zp, state.bytes);
  }
  void run(const std::vector<int8_t> &x, const int32_t *bias) {
    std::memcpy(arena.data(), x.data(), x.size());
    KernelArgs a =
        make_args(&op, &in, &state, &out, reinterpret_cast<int8_t *>(arena.data()), nullptr,
                  reinterpret_cast<int8_t *>(&arena[128]),
                  reinterpret_cast<const int8_t *>(weights.data()), bias, nullptr, nullptr);
    a.arena = arena.data();
    sotto_infer::reference::svdf(a);
  }
  int8_t state8(int i) const { return static_cast<int8_t>(arena[64 + i]); }
  int16_t state16(int i) const {
    int16_t v;
    std::memcpy(&v, &arena[64 + 2 * i], 2);
    return v;
  }
  int8_t output(int i) const { return static_cast<int8_t>(arena[128 + i]); }
};

// int8 state, zero point 5, feature rescale 1: the responses 300 and -300 become 305 and -295
// before saturating to 127 and -128 (TFLM adds the zero point first, so no wrap past int8).
// Unit 0 (rank 2, memory 2, time weights [1, 1], [1, 2]): (5-5) + (127-5) + (5-5) + 2 * (-128-5)
// = -144, times 1/8 = -18.
TEST(Svdf, Int8StateAddsItsZeroPointBeforeSaturating) {
  KernelCase k(1, 1, 2, 2, SOTTO_SMDL_INT8, 5);
  int32_t *p = k.op.params;
  p[SOTTO_P_SVDF_FEATURE_MULT] = p[SOTTO_P_SVDF_OUTPUT_MULT] = 1 << 30;
  p[SOTTO_P_SVDF_FEATURE_SHIFT] = 1;
  p[SOTTO_P_SVDF_OUTPUT_SHIFT] = -2;
  k.weights = {100, static_cast<uint8_t>(-100), 0, 0, 1, 1, 1, 2};
  k.run({3}, nullptr);
  EXPECT_EQ(5, k.state8(0));
  EXPECT_EQ(127, k.state8(1));
  EXPECT_EQ(5, k.state8(2));
  EXPECT_EQ(-128, k.state8(3));
  EXPECT_EQ(-18, k.output(0));
}

// int16 state: (127 + 128) * 127 * 2 = 64770 saturates to 32767; three invokes fill the memory
// with it, and 3 * 32767 * 32767 (time weights 32767) wraps in int32 to -1073938429 as TFLM's
// sums do; times 2^-31 that is -0.50009, rounded to -1. Without the wrap it would be positive.
TEST(Svdf, Int16TimeSumsWrapAsTwosComplementInt32) {
  KernelCase k(1, 1, 1, 3, SOTTO_SMDL_INT16, 0);
  int32_t *p = k.op.params;
  p[SOTTO_P_SVDF_INPUT_ZERO_POINT] = -128;
  p[SOTTO_P_SVDF_FEATURE_MULT] = p[SOTTO_P_SVDF_OUTPUT_MULT] = 1 << 30;
  p[SOTTO_P_SVDF_FEATURE_SHIFT] = 2;
  p[SOTTO_P_SVDF_OUTPUT_SHIFT] = -30;
  k.weights = {127, 0, 0, 0};
  for (int m = 0; m < 3; ++m) k.weights.insert(k.weights.end(), {0xFF, 0x7F});  // 32767
  k.run({127}, nullptr);
  EXPECT_EQ(0, k.state16(1));
  EXPECT_EQ(32767, k.state16(2));
  k.run({127}, nullptr);
  k.run({127}, nullptr);
  EXPECT_EQ(32767, k.state16(0));
  EXPECT_EQ(-1, k.output(0));
  // The bias joins the same int32 sum: 1073938429 brings it back to 0.
  const int32_t bias = 1073938429;
  k.run({127}, &bias);
  EXPECT_EQ(0, k.output(0));
}

}  // namespace
