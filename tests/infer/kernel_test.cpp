// Reference kernels and fixed-point helpers against hand-computed expectations.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "fixed_point.h"
#include "kernel_args.h"
#include "kernel_test_util.h"

using namespace sotto_infer;
using namespace sotto_infer::reference;  // the oracle kernels under test
using sotto_test::make_args;
using sotto_test::op_with_window;
using sotto_test::shape;

namespace {

TEST(FixedPoint, RoundingDivideRoundsHalfAwayFromZero) {
  EXPECT_EQ(3, rounding_divide_by_pot(5, 1));
  EXPECT_EQ(-3, rounding_divide_by_pot(-5, 1));
  EXPECT_EQ(2, rounding_divide_by_pot(6, 2));
  EXPECT_EQ(-2, rounding_divide_by_pot(-6, 2));
  EXPECT_EQ(-1, rounding_divide_by_pot(-5, 3));
}

TEST(FixedPoint, DoublingHighMulSaturatesTheOneOverflow) {
  EXPECT_EQ(INT32_MAX, sat_rounding_doubling_high_mul(INT32_MIN, INT32_MIN));
  EXPECT_EQ(50, sat_rounding_doubling_high_mul(100, 1 << 30));
  EXPECT_EQ(25, multiply_by_quantized_multiplier(100, 1 << 30, -1));
  EXPECT_EQ(400, multiply_by_quantized_multiplier(100, 1 << 30, 3));
}

TEST(Kernels, Conv2dValidWithBiasRequantAndClamp) {
  const sotto_smdl_tensor_t in = shape(3, 3, 1), out = shape(2, 2, 1);
  sotto_smdl_op_t op = op_with_window(2, 1);
  op.params[SOTTO_P_OUTPUT_OFFSET] = -10;
  op.params[SOTTO_P_ACT_MIN] = -5;
  const int8_t input[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const int8_t filter[4] = {1, 0, 0, 1};
  const int32_t bias[1] = {1}, mult[1] = {1 << 30}, shift[1] = {0};
  int8_t output[4] = {};
  KernelArgs a =
      make_args(&op, &in, nullptr, &out, input, nullptr, output, filter, bias, mult, shift);
  conv_2d(a);
  // (in[y][x] + in[y+1][x+1] + 1) * 0.5 rounded, minus 10, clamped at -5.
  EXPECT_EQ((std::vector<int8_t>{-5, -5, -3, -2}), std::vector<int8_t>(output, output + 4));
}

TEST(Kernels, Conv2dAppliesInputOffsetOnlyInsideThePicture) {
  const sotto_smdl_tensor_t in = shape(2, 2, 1), out = shape(2, 2, 1);
  sotto_smdl_op_t op = op_with_window(3, 1);
  op.params[SOTTO_P_PAD_H] = op.params[SOTTO_P_PAD_W] = 1;  // SAME
  op.params[SOTTO_P_INPUT_OFFSET] = 2;  // input zero point -2: padding counts as real zero
  const int8_t input[4] = {-2, -1, 0, 1};
  int8_t filter[9];
  for (int8_t &f : filter) f = 1;
  const int32_t mult[1] = {INT32_MAX}, shift[1] = {0};  // ~x1.0
  int8_t output[4] = {};
  KernelArgs a =
      make_args(&op, &in, nullptr, &out, input, nullptr, output, filter, nullptr, mult, shift);
  conv_2d(a);
  // Every window covers the whole 2x2 picture: (0 + 1 + 2 + 3) = 6.
  EXPECT_EQ((std::vector<int8_t>{6, 6, 6, 6}), std::vector<int8_t>(output, output + 4));
}

TEST(Kernels, DepthwiseKeepsChannelsApart) {
  const sotto_smdl_tensor_t in = shape(1, 2, 2), out = shape(1, 1, 2);
  sotto_smdl_op_t op = op_with_window(1, 1);
  op.params[SOTTO_P_KERNEL_W] = 2;
  const int8_t input[4] = {10, 20, 30, 40};  // pixel0 (c0, c1), pixel1 (c0, c1)
  const int8_t filter[4] = {1, 2, 3, 4};     // [kx][c]
  const int32_t mult[2] = {1 << 30, 1 << 30}, shift[2] = {0, -1};
  int8_t output[2] = {};
  KernelArgs a =
      make_args(&op, &in, nullptr, &out, input, nullptr, output, filter, nullptr, mult, shift);
  depthwise_conv_2d(a);
  EXPECT_EQ(50, output[0]);  // (10*1 + 30*3) / 2
  EXPECT_EQ(50, output[1]);  // (20*2 + 40*4) / 4
}

TEST(Kernels, FullyConnectedWithOffsets) {
  sotto_smdl_tensor_t in = shape(1, 1, 3), out = shape(1, 1, 2);
  sotto_smdl_op_t op = op_with_window(1, 1);
  op.params[SOTTO_P_INPUT_OFFSET] = 1;
  op.params[SOTTO_P_OUTPUT_OFFSET] = 3;
  const int8_t input[3] = {0, 1, 2};
  const int8_t w[6] = {1, 1, 1, -1, 0, 2};
  const int32_t bias[2] = {4, -4}, mult[1] = {INT32_MAX}, shift[1] = {0};
  op.multiplier_count = 1;
  int8_t output[2] = {};
  KernelArgs a = make_args(&op, &in, nullptr, &out, input, nullptr, output, w, bias, mult, shift);
  fully_connected(a);
  EXPECT_EQ(6 + 4 + 3, output[0]);       // 1+2+3, bias 4, offset 3
  EXPECT_EQ(-1 + 6 - 4 + 3, output[1]);  // -1 + 0 + 6
}

TEST(Kernels, AveragePoolRoundsHalfAwayFromZeroAndMaxPoolPicksMax) {
  const sotto_smdl_tensor_t in = shape(2, 2, 1), out = shape(1, 1, 1);
  sotto_smdl_op_t op = op_with_window(2, 2);
  const int8_t neg[4] = {-1, -2, -2, -2}, pos[4] = {1, 2, 2, 3};
  int8_t output[1];
  KernelArgs a =
      make_args(&op, &in, nullptr, &out, neg, nullptr, output, nullptr, nullptr, nullptr, nullptr);
  average_pool_2d(a);
  EXPECT_EQ(-2, output[0]);  // -7/4 = -1.75
  a.input0_data = pos;
  average_pool_2d(a);
  EXPECT_EQ(2, output[0]);  // 8/4
  max_pool_2d(a);
  EXPECT_EQ(3, output[0]);
}

TEST(Kernels, AddRescalesBothInputsAndSaturates) {
  const sotto_smdl_tensor_t t = shape(1, 1, 2);
  sotto_smdl_op_t op{};  // ADD reuses the window slots for its own parameters
  int32_t *p = op.params;
  p[SOTTO_P_ACT_MIN] = -128;
  p[SOTTO_P_ACT_MAX] = 127;
  p[SOTTO_P_ADD_LEFT_SHIFT] = 20;
  p[SOTTO_P_ADD_INPUT1_MULT] = p[SOTTO_P_ADD_INPUT2_MULT] = 1 << 30;  // 0.5 each
  p[SOTTO_P_ADD_OUTPUT_MULT] = 1 << 30;
  p[SOTTO_P_ADD_OUTPUT_SHIFT] = -18;  // 2^-19 undoes the 2^20 / 2
  const int8_t x[2] = {3, -100}, y[2] = {4, -100};
  int8_t output[2];
  KernelArgs a = make_args(&op, &t, &t, &t, x, y, output, nullptr, nullptr, nullptr, nullptr);
  add(a);
  EXPECT_EQ(7, output[0]);
  EXPECT_EQ(-128, output[1]);
}

TEST(Kernels, SoftmaxOfEqualInputsSplitsEvenly) {
  const sotto_smdl_tensor_t t = shape(1, 1, 4);
  sotto_smdl_op_t op = op_with_window(1, 1);
  op.params[SOTTO_P_SOFTMAX_BETA_MULT] = 1 << 30;
  op.params[SOTTO_P_SOFTMAX_BETA_LEFT_SHIFT] = 20;
  op.params[SOTTO_P_SOFTMAX_DIFF_MIN] = -100;
  const int8_t equal[4] = {5, 5, 5, 5};
  int8_t output[4];
  KernelArgs a =
      make_args(&op, &t, nullptr, &t, equal, nullptr, output, nullptr, nullptr, nullptr, nullptr);
  softmax(a);
  EXPECT_EQ((std::vector<int8_t>{-64, -64, -64, -64}), std::vector<int8_t>(output, output + 4));
  const int8_t one_hot[4] = {127, -128, -128, -128};  // diffs below diff_min get exactly 0
  a.input0_data = one_hot;
  softmax(a);
  EXPECT_EQ((std::vector<int8_t>{127, -128, -128, -128}), std::vector<int8_t>(output, output + 4));
}

TEST(Kernels, MulRequantizesTheProductAndBroadcastsAScalar) {
  const sotto_smdl_tensor_t t = shape(1, 1, 3), scalar = shape(1, 1, 1);
  sotto_smdl_op_t op = op_with_window(1, 1);
  op.params[SOTTO_P_MUL_INPUT1_OFFSET] = 1;
  op.params[SOTTO_P_MUL_INPUT2_OFFSET] = 0;
  op.params[SOTTO_P_MUL_OUTPUT_MULT] = 1 << 30;  // x 0.5
  op.params[SOTTO_P_MUL_OUTPUT_SHIFT] = 0;
  const int8_t x[3] = {3, -2, 7}, y[3] = {4, 5, 100}, two[1] = {2};
  int8_t output[3];
  KernelArgs a = make_args(&op, &t, &t, &t, x, y, output, nullptr, nullptr, nullptr, nullptr);
  mul(a);
  // 4*4/2 = 8; -1*5/2 = -2.5 -> -2 (TFLite's doubling high multiply); 8*100/2 saturates.
  EXPECT_EQ((std::vector<int8_t>{8, -2, 127}), std::vector<int8_t>(output, output + 3));
  a.input1 = &scalar;
  a.input1_data = two;
  mul(a);
  EXPECT_EQ((std::vector<int8_t>{4, -1, 8}), std::vector<int8_t>(output, output + 3));
}

TEST(Kernels, LogisticMatchesTheSigmoidRoundedToOutputSteps) {
  // Input scale 1/16, zero point 0: TFLite's params are multiplier 2^30, left shift 24,
  // radius floor(15 * 2^27 / 2^24) = 120.
  const sotto_smdl_tensor_t t = shape(1, 1, 7);
  sotto_smdl_op_t op = op_with_window(1, 1);
  op.params[SOTTO_P_LOGISTIC_INPUT_ZERO_POINT] = 0;
  op.params[SOTTO_P_LOGISTIC_INPUT_MULT] = 1 << 30;
  op.params[SOTTO_P_LOGISTIC_INPUT_LEFT_SHIFT] = 24;
  op.params[SOTTO_P_LOGISTIC_RANGE_RADIUS] = 120;
  const int8_t x[7] = {0, 16, -16, 64, -64, 120, -120};
  int8_t output[7];
  KernelArgs a =
      make_args(&op, &t, nullptr, &t, x, nullptr, output, nullptr, nullptr, nullptr, nullptr);
  logistic(a);
  // sigmoid(0, 1, -1, 4, -4) * 256 - 128 = 0, 59.15, -59.15, 123.40, -123.40; +-radius saturate.
  EXPECT_EQ((std::vector<int8_t>{0, 59, -59, 123, -123, 127, -128}),
            std::vector<int8_t>(output, output + 7));
}

TEST(Kernels, ConcatenationStacksListedInputsAlongTheAxis) {
  sotto_smdl_tensor_t tensors[3] = {shape(2, 1, 2), shape(2, 1, 1), shape(2, 1, 3)};
  tensors[0].arena_offset = 0;
  tensors[1].arena_offset = 4;
  tensors[2].arena_offset = 8;
  int8_t arena[16] = {1, 2, 3, 4, 9, 8};
  sotto_smdl_op_t op = op_with_window(1, 1);
  op.params[SOTTO_P_CONCAT_AXIS] = 3;
  const uint32_t inputs[2] = {0, 1};
  op.weights_bytes = 8;
  KernelArgs a = make_args(&op, &tensors[0], nullptr, &tensors[2], arena, nullptr, arena + 8,
                           reinterpret_cast<const int8_t *>(inputs), nullptr, nullptr, nullptr);
  a.tensors = tensors;
  a.arena = reinterpret_cast<uint8_t *>(arena);
  concatenation(a);
  EXPECT_EQ((std::vector<int8_t>{1, 2, 9, 3, 4, 8}), std::vector<int8_t>(arena + 8, arena + 14));
}

TEST(Kernels, PadFillsWithTheOutputZeroPoint) {
  const sotto_smdl_tensor_t in = shape(1, 2, 1), out = shape(2, 5, 1);
  sotto_smdl_op_t op = op_with_window(1, 1);
  for (int d = 0; d < 8; ++d) op.params[SOTTO_P_PAD_BEFORE + d] = 0;
  op.params[SOTTO_P_PAD_BEFORE + 1] = 1;  // H: one row before
  op.params[SOTTO_P_PAD_BEFORE + 2] = 1;  // W: one column before, two after
  op.params[SOTTO_P_PAD_AFTER + 2] = 2;
  op.params[SOTTO_P_OUTPUT_OFFSET] = -3;
  const int8_t x[2] = {5, 6};
  int8_t output[10];
  KernelArgs a =
      make_args(&op, &in, nullptr, &out, x, nullptr, output, nullptr, nullptr, nullptr, nullptr);
  pad(a);
  EXPECT_EQ((std::vector<int8_t>{-3, -3, -3, -3, -3, -3, 5, 6, -3, -3}),
            std::vector<int8_t>(output, output + 10));
}

// MEAN as TFLM's reference_ops::QuantizedMeanOrSum: (sum - zp_in * count) through
// MultiplyByQuantizedMultiplier with 1 / count folded into the multiplier, + zp_out, clamped;
// with equal quantization too. Expected values worked out from that formula by hand: its two
// roundings (gemmlowp's doubling high multiply, then a rounding shift) are part of the result.
TEST(Kernels, MeanRescalesTheZeroPointFreeSumAsTflmDoes) {
  const sotto_smdl_tensor_t in = shape(2, 2, 4), out = shape(1, 1, 4);
  sotto_smdl_op_t op = op_with_window(1, 1);
  // Pixels in order; channels 0..3: sums 9, -9, 10, 508 over count 4.
  const int8_t x[16] = {2, -2, 0, 127, 2, -2, 0, 127, 2, -2, 0, 127, 3, -3, 10, 127};
  int8_t output[4];
  KernelArgs a =
      make_args(&op, &in, nullptr, &out, x, nullptr, output, nullptr, nullptr, nullptr, nullptr);
  // Equal quantization: 1.0 is (2^30, shift 1); folding 1/4 shifts the multiplier left by
  // floor(log2 4) = 2 and divides by 4: (2^30, shift -1), i.e. round(round(sum / 2) / 2).
  // 9: 4.5 -> 5, 2.5 -> 3 (TFLite rounds twice; 9/4 is 2.25). -9: -4.5 -> -4 (the doubling high
  // multiply rounds negative ties toward zero), -2. 10: 5, 2.5 -> 3. 508: 127 exactly.
  op.params[SOTTO_P_MEAN_INPUT_ZERO_POINT] = 0;
  op.params[SOTTO_P_MEAN_MULT] = 1 << 30;
  op.params[SOTTO_P_MEAN_SHIFT] = -1;
  mean(a);
  EXPECT_EQ((std::vector<int8_t>{3, -2, 3, 127}), std::vector<int8_t>(output, output + 4));
  // Input scale 0.5 zero point 1, output 0.25 zero point 3: 2.0 is (2^30, shift 2), with 1/4
  // folded (2^30, shift 0): round((sum - 4) / 2) + 3. 5 -> 3 + 3; -13 -> -6.5 -> -6 (tie toward
  // zero) + 3; 6 -> 3 + 3; 504 -> 252 + 3 saturates at 127.
  op.params[SOTTO_P_MEAN_INPUT_ZERO_POINT] = 1;
  op.params[SOTTO_P_MEAN_SHIFT] = 0;
  op.params[SOTTO_P_OUTPUT_OFFSET] = 3;
  mean(a);
  EXPECT_EQ((std::vector<int8_t>{6, -3, 6, 127}), std::vector<int8_t>(output, output + 4));
}

TEST(Kernels, QuantizeRoundsHalfAwayAndClampsAndDequantizeScales) {
  sotto_smdl_tensor_t f = shape(1, 1, 4), q = shape(1, 1, 4);
  f.type = SOTTO_SMDL_FLOAT32;
  f.bytes = 16;
  sotto_smdl_op_t op = op_with_window(1, 1);
  op.params[SOTTO_P_QUANTIZE_FROM_FLOAT] = 1;
  const float scale = 0.5f;
  std::memcpy(&op.params[SOTTO_P_QUANTIZE_SCALE_BITS], &scale, 4);
  op.params[SOTTO_P_OUTPUT_OFFSET] = -1;
  const float x[4] = {1.25f, -0.25f, 100.0f, -0.75f};
  int8_t output[4];
  KernelArgs a = make_args(&op, &f, nullptr, &q, reinterpret_cast<const int8_t *>(x), nullptr,
                           output, nullptr, nullptr, nullptr, nullptr);
  quantize(a);
  // 2.5 -> 3, -0.5 -> -1, 200 -> clamp, -1.5 -> -2; then zero point -1.
  EXPECT_EQ((std::vector<int8_t>{2, -2, 127, -3}), std::vector<int8_t>(output, output + 4));

  sotto_smdl_op_t re = op_with_window(1, 1);  // int8 -> int8: (x - 2) * 1.0 - 3
  re.params[SOTTO_P_QUANTIZE_FROM_FLOAT] = 0;
  re.params[SOTTO_P_QUANTIZE_MULT] = 1 << 30;
  re.params[SOTTO_P_QUANTIZE_SHIFT] = 1;
  re.params[SOTTO_P_QUANTIZE_INPUT_ZERO_POINT] = 2;
  re.params[SOTTO_P_OUTPUT_OFFSET] = -3;
  const int8_t small[4] = {10, 2, -128, 127};
  KernelArgs r =
      make_args(&re, &q, nullptr, &q, small, nullptr, output, nullptr, nullptr, nullptr, nullptr);
  quantize(r);
  EXPECT_EQ((std::vector<int8_t>{5, -3, -128, 122}), std::vector<int8_t>(output, output + 4));

  sotto_smdl_op_t de = op_with_window(1, 1);
  const float quarter = 0.25f;
  std::memcpy(&de.params[SOTTO_P_DEQUANTIZE_SCALE_BITS], &quarter, 4);
  de.params[SOTTO_P_DEQUANTIZE_ZERO_POINT] = -2;
  const int8_t levels[4] = {-2, 2, 127, -128};
  float result[4];
  KernelArgs d = make_args(&de, &q, nullptr, &f, levels, nullptr,
                           reinterpret_cast<int8_t *>(result), nullptr, nullptr, nullptr, nullptr);
  dequantize(d);
  EXPECT_EQ((std::vector<float>{0.0f, 1.0f, 32.25f, -31.5f}),
            std::vector<float>(result, result + 4));
}

}  // namespace
