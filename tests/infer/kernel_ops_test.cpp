// The reference kernels of the ops TFLM's example models added (SUB, LEAKY_RELU, STRIDED_SLICE,
// TRANSPOSE, SOFTMAX into int16, int16 PAD, CONV_2D_16X8, TRANSPOSE_CONV) and of LOGISTIC, which no
// golden data reaches, at their edges, against
// values derived by hand from TFLM's reference arithmetic: rounding ties, saturation, zero points,
// broadcasts, int16.
#include <gtest/gtest.h>

#include "kernel_args.h"
#include "kernel_test_util.h"

using namespace sotto_infer;
using sotto_test::make_args;
using sotto_test::shape;

namespace {

sotto_smdl_tensor_t of_type(sotto_smdl_tensor_t t, uint32_t type) {
  t.type = type;
  t.bytes *= sotto_smdl_type_bytes(type);
  return t;
}

// SUB with equal input scales: both inputs halved after the left shift, the output multiplier
// 2^-(left_shift - 1) (2^30, shift 2 - left_shift) over `output_steps` (1 or 2) input steps.
sotto_smdl_op_t sub_op(int32_t left_shift, int32_t output_steps, int32_t output_zero_point) {
  sotto_smdl_op_t op{};
  int32_t *p = op.params;
  p[SOTTO_P_ACT_MIN] = left_shift == 15 ? -32768 : -128;
  p[SOTTO_P_ACT_MAX] = left_shift == 15 ? 32767 : 127;
  p[SOTTO_P_ADD_LEFT_SHIFT] = left_shift;
  p[SOTTO_P_ADD_INPUT1_MULT] = p[SOTTO_P_ADD_INPUT2_MULT] = 1 << 30;
  p[SOTTO_P_ADD_OUTPUT_MULT] = 1 << 30;
  p[SOTTO_P_ADD_OUTPUT_SHIFT] = 2 - left_shift - (output_steps == 2 ? 1 : 0);
  p[SOTTO_P_OUTPUT_OFFSET] = output_zero_point;
  return op;
}

TEST(OpKernels, SubInt8RoundsTiesAwayFromZeroAndSaturates) {
  const sotto_smdl_tensor_t t = shape(1, 1, 4);
  // Output scale twice the inputs': 3 - 0 = 1.5 steps rounds to 2, -3 - 0 to -2; plus zp 5.
  sotto_smdl_op_t op = sub_op(20, 2, 5);
  const int8_t x[4] = {3, -3, 127, -128}, y[4] = {0, 0, -128, 127};
  int8_t out[4];
  reference::sub(make_args(&op, &t, &t, &t, x, y, out, nullptr, nullptr, nullptr, nullptr));
  EXPECT_EQ(7, out[0]);
  EXPECT_EQ(3, out[1]);
  EXPECT_EQ(127, out[2]);   // 255 / 2 + 5 saturates
  EXPECT_EQ(-123, out[3]);  // -127.5 rounds to -128, plus 5
  // Input zero points (offsets) are subtracted before the shift: (10 + 2) - (3 - 1) = 10.
  op = sub_op(20, 1, 0);
  op.params[SOTTO_P_ADD_INPUT1_OFFSET] = 2;
  op.params[SOTTO_P_ADD_INPUT2_OFFSET] = -1;
  const int8_t a[4] = {10, 0, 0, 0}, b[4] = {3, 0, 0, 0};
  reference::sub(make_args(&op, &t, &t, &t, a, b, out, nullptr, nullptr, nullptr, nullptr));
  EXPECT_EQ(10, out[0]);
  EXPECT_EQ(3, out[1]);
}

TEST(OpKernels, SubInt16BroadcastsTheLastDimAndSaturatesToInt16) {
  const sotto_smdl_tensor_t t = of_type(shape(1, 2, 2), SOTTO_SMDL_INT16);
  const sotto_smdl_tensor_t v = of_type(shape(1, 1, 2), SOTTO_SMDL_INT16);
  sotto_smdl_op_t op = sub_op(15, 1, 0);
  const int16_t x[4] = {1000, 32767, -32768, 5}, y[2] = {1000, -7};
  int16_t out[4];
  reference::sub(make_args(&op, &t, &v, &t, reinterpret_cast<const int8_t *>(x),
                           reinterpret_cast<const int8_t *>(y), reinterpret_cast<int8_t *>(out),
                           nullptr, nullptr, nullptr, nullptr));
  EXPECT_EQ(0, out[0]);
  EXPECT_EQ(32767, out[1]);   // 32774 saturates
  EXPECT_EQ(-32768, out[2]);  // -33768 saturates
  EXPECT_EQ(12, out[3]);
}

TEST(OpKernels, LeakyReluScalesEachSignByItsOwnMultiplier) {
  const sotto_smdl_tensor_t t = shape(1, 1, 5);
  sotto_smdl_op_t op{};
  int32_t *p = op.params;
  p[SOTTO_P_ACT_MIN] = -128;
  p[SOTTO_P_ACT_MAX] = 127;
  // Equal scales, alpha 0.25: identity 1.0 (2^30, shift 1), alpha (2^30, shift -1); zero
  // points -3 in, 2 out.
  p[SOTTO_P_LEAKY_RELU_INPUT_ZERO_POINT] = -3;
  p[SOTTO_P_LEAKY_RELU_IDENTITY_MULT] = p[SOTTO_P_LEAKY_RELU_ALPHA_MULT] = 1 << 30;
  p[SOTTO_P_LEAKY_RELU_IDENTITY_SHIFT] = 1;
  p[SOTTO_P_LEAKY_RELU_ALPHA_SHIFT] = -1;
  p[SOTTO_P_OUTPUT_OFFSET] = 2;
  const int8_t x[5] = {-3, 10, -9, -11, 127};
  int8_t out[5];
  reference::leaky_relu(
      make_args(&op, &t, nullptr, &t, x, nullptr, out, nullptr, nullptr, nullptr, nullptr));
  EXPECT_EQ(2, out[0]);    // the zero point maps to the zero point
  EXPECT_EQ(15, out[1]);   // 13 + 2
  EXPECT_EQ(0, out[2]);    // -6 * 0.25 = -1.5 rounds away to -2, + 2
  EXPECT_EQ(0, out[3]);    // -8 * 0.25 = -2, + 2
  EXPECT_EQ(127, out[4]);  // 130 + 2 saturates
  const sotto_smdl_tensor_t w = of_type(shape(1, 1, 2), SOTTO_SMDL_INT16);
  p[SOTTO_P_LEAKY_RELU_INPUT_ZERO_POINT] = 0;
  p[SOTTO_P_OUTPUT_OFFSET] = 10;
  const int16_t y[2] = {32767, -32768};
  int16_t wide[2];
  reference::leaky_relu(make_args(&op, &w, nullptr, &w, reinterpret_cast<const int8_t *>(y),
                                  nullptr, reinterpret_cast<int8_t *>(wide), nullptr, nullptr,
                                  nullptr, nullptr));
  EXPECT_EQ(32767, wide[0]);  // 32777 saturates to int16, not int8
  EXPECT_EQ(-8182, wide[1]);  // -8192 + 10
}

TEST(OpKernels, StridedSliceWalksEachDimFromItsStartByItsStride) {
  // 1x2x3x4 int16 input, element value = its index; take dim 1 from 1, dim 2 backwards from 2
  // by -2, dim 3 from 0 by 3: output 1x1x2x2.
  sotto_smdl_tensor_t in = of_type(shape(2, 3, 4), SOTTO_SMDL_INT16);
  sotto_smdl_tensor_t out = of_type(shape(1, 2, 2), SOTTO_SMDL_INT16);
  sotto_smdl_op_t op{};
  int32_t *p = op.params;
  const int32_t start[4] = {0, 1, 2, 0}, stride[4] = {1, 1, -2, 3};
  for (int d = 0; d < 4; ++d) {
    p[SOTTO_P_SLICE_START + d] = start[d];
    p[SOTTO_P_SLICE_STRIDE + d] = stride[d];
  }
  int16_t x[24];
  for (int i = 0; i < 24; ++i) x[i] = static_cast<int16_t>(i * 1000 - 12000);
  int16_t y[4];
  reference::strided_slice(make_args(&op, &in, nullptr, &out, reinterpret_cast<const int8_t *>(x),
                                     nullptr, reinterpret_cast<int8_t *>(y), nullptr, nullptr,
                                     nullptr, nullptr));
  // Indices (h 1): w 2 -> 20, 23; w 0 -> 12, 15.
  EXPECT_EQ(x[20], y[0]);
  EXPECT_EQ(x[23], y[1]);
  EXPECT_EQ(x[12], y[2]);
  EXPECT_EQ(x[15], y[3]);
}

TEST(OpKernels, TransposeMovesNchwToNhwc) {
  // NCHW 1x2x2x3 -> NHWC 1x2x3x2: perm (0, 2, 3, 1).
  sotto_smdl_tensor_t in = shape(2, 2, 3), out = shape(2, 3, 2);
  sotto_smdl_op_t op{};
  const int32_t perm[4] = {0, 2, 3, 1};
  for (int k = 0; k < 4; ++k) op.params[SOTTO_P_TRANSPOSE_PERM + k] = perm[k];
  int8_t x[12], y[12];
  for (int i = 0; i < 12; ++i) x[i] = static_cast<int8_t>(i);
  reference::transpose(
      make_args(&op, &in, nullptr, &out, x, nullptr, y, nullptr, nullptr, nullptr, nullptr));
  // y[h][w][c] = x[c][h][w] = c * 6 + h * 3 + w.
  const int8_t expected[12] = {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(expected[i], y[i]) << i;
}

// SOFTMAX into int16 (zero point -32768, scale 1/65536): an element below diff_min gets the
// minimum and leaves the other alone with exp(0) = 1: sum 1.0 (Q12 2^19, no bits over unit), its
// reciprocal ~1.0, so round((2^31 - 2) / 2^(0 + 31 - 16)) = 65536, less 32768, saturated to
// 32767. Two equal elements share it: 1/2 each is 32768 (one bit over unit), less 32768 = 0.
TEST(OpKernels, SoftmaxInt16OutputSpansTheInt16Range) {
  const sotto_smdl_tensor_t in = shape(1, 2, 2);
  const sotto_smdl_tensor_t out = of_type(shape(1, 2, 2), SOTTO_SMDL_INT16);
  sotto_smdl_op_t op{};
  op.params[SOTTO_P_SOFTMAX_BETA_MULT] = 1 << 30;
  op.params[SOTTO_P_SOFTMAX_DIFF_MIN] = -10;
  const int8_t x[4] = {100, -100, 7, 7};
  int16_t y[4];
  reference::softmax(make_args(&op, &in, nullptr, &out, x, nullptr, reinterpret_cast<int8_t *>(y),
                               nullptr, nullptr, nullptr, nullptr));
  EXPECT_EQ(32767, y[0]);
  EXPECT_EQ(-32768, y[1]);
  EXPECT_EQ(0, y[2]);
  EXPECT_EQ(0, y[3]);
}

TEST(OpKernels, PadInt16FillsWholeElementsWithThePadValue) {
  // 1x1x2x2 int16 -> 1x2x3x2: a row after, a column before. A value of -2 (bytes fe ff) tells a
  // per-element fill from a byte fill (which would give fefe, -258).
  const sotto_smdl_tensor_t in = of_type(shape(1, 2, 2), SOTTO_SMDL_INT16);
  const sotto_smdl_tensor_t out = of_type(shape(2, 3, 2), SOTTO_SMDL_INT16);
  sotto_smdl_op_t op{};
  op.params[SOTTO_P_PAD_AFTER + 1] = 1;
  op.params[SOTTO_P_PAD_BEFORE + 2] = 1;
  op.params[SOTTO_P_OUTPUT_OFFSET] = -2;
  const int16_t x[4] = {-32768, 32767, 1, -1};
  int16_t y[12];
  reference::pad(make_args(&op, &in, nullptr, &out, reinterpret_cast<const int8_t *>(x), nullptr,
                           reinterpret_cast<int8_t *>(y), nullptr, nullptr, nullptr, nullptr));
  const int16_t expected[12] = {-2, -2, -32768, 32767, 1, -1, -2, -2, -2, -2, -2, -2};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(expected[i], y[i]) << i;
}

// CONV_2D 16x8, 1x1 kernel over two input channels: TFLite's 64-bit requantization rounds the
// multiplier to 15 bits and rounds ties toward +infinity (the 32-bit one rounds them away from
// zero); the int64 bias reaches beyond int32; the result saturates to int16.
TEST(OpKernels, Conv16x8RoundsTiesUpAndSaturatesToInt16) {
  const sotto_smdl_tensor_t in = of_type(shape(1, 1, 2), SOTTO_SMDL_INT16);
  const sotto_smdl_tensor_t out = of_type(shape(1, 1, 2), SOTTO_SMDL_INT16);
  sotto_smdl_op_t op = sotto_test::op_with_window(1, 1);
  op.params[SOTTO_P_ACT_MIN] = -32768;
  op.params[SOTTO_P_ACT_MAX] = 32767;
  const int8_t weights[4] = {1, 0, 127, -128};
  // 0.5 for both channels (2^30, shift 0): reduced to 2^14, result floor((acc + 1) / 2).
  const int32_t multiplier[2] = {1 << 30, 1 << 30}, shift[2] = {0, 0};
  // Channel 0 none, channel 1 2^40 (words low, high).
  int32_t bias[4] = {0, 0, 0, 256};
  const int16_t x[2] = {-3, 7};
  int16_t y[2];
  KernelArgs a = make_args(&op, &in, nullptr, &out, reinterpret_cast<const int8_t *>(x), nullptr,
                           reinterpret_cast<int8_t *>(y), weights, bias, multiplier, shift);
  reference::conv_2d_16x8(a);
  EXPECT_EQ(-1, y[0]);     // -3 * 0.5 = -1.5: the tie goes up
  EXPECT_EQ(32767, y[1]);  // (2^40 - 1277) / 2 saturates
  const int16_t extremes[2] = {32767, -32768};
  a.input0_data = reinterpret_cast<const int8_t *>(extremes);
  bias[3] = -256;  // -2^40
  reference::conv_2d_16x8(a);
  EXPECT_EQ(16384, y[0]);   // 32767 / 2 = 16383.5 rounds up
  EXPECT_EQ(-32768, y[1]);  // 127 x 32767 + 128 x 32768 - 2^40 saturates
  const int16_t small[2] = {-1, 1};
  a.input0_data = reinterpret_cast<const int8_t *>(small);
  bias[2] = -5;  // -5 as int64: words fffffffb, ffffffff
  bias[3] = -1;  // channel 1: -127 - 128 - 5 = -260, / 2 = -130
  reference::conv_2d_16x8(a);
  EXPECT_EQ(0, y[0]);  // -0.5 rounds up to 0
  EXPECT_EQ(-130, y[1]);
}

// TRANSPOSE_CONV int8, one row: input 1x1x2x1 (zero point 3), filter 1x1x3x1, stride 2, no
// padding: output w = 2 x 1 + 3 = 5, out[ox] = sum of x[ix] * w[ox - 2 ix]. Multiplier 0.25 (2^30,
// shift -1) so that even sums land on ties: they round away from zero, as TFLite's 32-bit
// requantization does.
TEST(OpKernels, TransposeConvInt8SpreadsEachInputAndRoundsTiesAway) {
  const sotto_smdl_tensor_t in = shape(1, 2, 1), out = shape(1, 5, 1);
  sotto_smdl_op_t op = sotto_test::op_with_window(1, 2);
  op.params[SOTTO_P_KERNEL_W] = 3;
  op.params[SOTTO_P_INPUT_OFFSET] = -3;
  op.params[SOTTO_P_OUTPUT_OFFSET] = -70;
  const int8_t weights[3] = {1, -1, 127};
  const int32_t multiplier[1] = {1 << 30}, shift[1] = {-1};
  const int8_t x[2] = {5, 1};  // 2 and -2 once the zero point is taken off
  int8_t y[5];
  reference::transpose_conv(
      make_args(&op, &in, nullptr, &out, x, nullptr, y, weights, nullptr, multiplier, shift));
  EXPECT_EQ(-69, y[0]);   // 2 x 1 = 2: 0.5 rounds to 1, - 70
  EXPECT_EQ(-71, y[1]);   // 2 x -1 = -2: -0.5 rounds to -1
  EXPECT_EQ(-7, y[2]);    // both inputs: 2 x 127 + -2 x 1 = 252: 63
  EXPECT_EQ(-69, y[3]);   // -2 x -1 = 2: 1
  EXPECT_EQ(-128, y[4]);  // -2 x 127 = -254: -63.5 rounds to -64, - 70 saturates
}

// TRANSPOSE_CONV int8 with padding 1 (TFLite's SAME for a 4-wide filter, stride 2, output 4): the
// taps that would land before the first or after the last output are dropped. Two output channels
// (filter [oc][kw]), a bias each, multiplier 1.0 (2^30, shift 1).
TEST(OpKernels, TransposeConvInt8DropsTheTapsThePaddingCutsOff) {
  const sotto_smdl_tensor_t in = shape(1, 2, 1), out = shape(1, 4, 2);
  sotto_smdl_op_t op = sotto_test::op_with_window(1, 2);
  op.params[SOTTO_P_KERNEL_W] = 4;
  op.params[SOTTO_P_PAD_W] = 1;
  const int8_t weights[8] = {1, 2, 3, 4, -1, -1, -1, -1};
  const int32_t bias[2] = {10, 0};
  const int32_t multiplier[2] = {1 << 30, 1 << 30}, shift[2] = {1, 1};
  const int8_t x[2] = {1, 10};
  int8_t y[8];
  reference::transpose_conv(
      make_args(&op, &in, nullptr, &out, x, nullptr, y, weights, bias, multiplier, shift));
  // out[ox] = sum of x[ix] * w[ox + 1 - 2 ix]: ox 0 = x0 w1; 1 = x0 w2 + x1 w0; 2 = x0 w3 + x1 w1;
  // 3 = x1 w2.
  const int8_t expected[8] = {12, -1, 23, -11, 34, -11, 40, -10};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(expected[i], y[i]) << i;
}

// TRANSPOSE_CONV 16x8: the same spreading with int64 sums and bias, and the 64-bit
// requantization's ties toward +infinity (multiplier 0.5).
TEST(OpKernels, TransposeConv16x8RoundsTiesUpAndSaturates) {
  const sotto_smdl_tensor_t in = of_type(shape(1, 2, 1), SOTTO_SMDL_INT16);
  const sotto_smdl_tensor_t out = of_type(shape(1, 5, 1), SOTTO_SMDL_INT16);
  sotto_smdl_op_t op = sotto_test::op_with_window(1, 2);
  op.params[SOTTO_P_KERNEL_W] = 3;
  op.params[SOTTO_P_ACT_MIN] = -32768;
  op.params[SOTTO_P_ACT_MAX] = 32767;
  const int8_t weights[3] = {1, -1, 127};
  const int32_t multiplier[1] = {1 << 30}, shift[1] = {0};
  const int32_t bias[2] = {-1, -1};  // int64 -1
  const int16_t x[2] = {-2, 32767};
  int16_t y[5];
  reference::transpose_conv(make_args(&op, &in, nullptr, &out, reinterpret_cast<const int8_t *>(x),
                                      nullptr, reinterpret_cast<int8_t *>(y), weights, bias,
                                      multiplier, shift));
  EXPECT_EQ(-1, y[0]);      // -2 - 1 = -3: -1.5 rounds up to -1
  EXPECT_EQ(1, y[1]);       // 2 - 1 = 1: 0.5 rounds up to 1
  EXPECT_EQ(16256, y[2]);   // -254 + 32767 - 1 = 32512: 16256
  EXPECT_EQ(-16384, y[3]);  // -32767 - 1 = -32768: -16384
  EXPECT_EQ(32767, y[4]);   // 127 x 32767 - 1 = 4161408: 2080704 saturates
}

// TRANSPOSE_CONV int8 down a column with a stride (3) longer than the filter (2): output row 2 lies
// between two inputs' windows and gets the bias alone. Multiplier 1.0, bias 5.
TEST(OpKernels, TransposeConvInt8StrideBeyondTheFilterLeavesGapsOfBias) {
  const sotto_smdl_tensor_t in = shape(2, 1, 1), out = shape(5, 1, 1);
  sotto_smdl_op_t op = sotto_test::op_with_window(1, 1);
  op.params[SOTTO_P_KERNEL_H] = 2;
  op.params[SOTTO_P_STRIDE_H] = 3;
  const int8_t weights[2] = {10, -20};
  const int32_t bias[1] = {5}, multiplier[1] = {1 << 30}, shift[1] = {1};
  const int8_t x[2] = {2, -3};
  int8_t y[5];
  reference::transpose_conv(
      make_args(&op, &in, nullptr, &out, x, nullptr, y, weights, bias, multiplier, shift));
  // Rows: x0 w0, x0 w1, nothing, x1 w0, x1 w1; each plus 5.
  const int8_t expected[5] = {25, -35, 5, -25, 65};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(expected[i], y[i]) << i;
}

// LOGISTIC as TFLM computes it (its integer_ops/logistic.h and gemmlowp's fixed-point logistic),
// at input scale 0.1 and zero point 3: TFLM's prepare takes frexp(0.1f * 2^27) = 0.8 * 2^24, so
// multiplier round(0.8 * 2^31) = 1717986944, left shift 24, radius floor(15 * 2^27 / 2^24) = 120.
// Each x - 3 inside the radius is rescaled to Q4.27 (MultiplyByQuantizedMultiplier), run through
// exp on [-1/4, 0) and its barrel of constants and the Newton-Raphson 1 / (1 + x), and the Q0.31
// result rounded to Q8 (RoundingDivideByPOT by 23) less 128. Worked through TFLM's arithmetic:
//   x = 35: Q4.27 469762055, logistic 2084536128 / 2^23 = 248.49.. -> 248 - 128 = 120 (the exact
//           sigmoid * 256 is 248.496, as close to a tie as any int8 input gets here)
//   x = -35: 62947519 / 2^23 = 7.50.. rounds to 8 -> -120 (the complement of x = 35)
//   x = 20 / -20: 1891497384 -> 225 -> 97; 255986263 -> 31 -> -97
//   x = 119: 2147469066 / 2^23 rounds to 256 -> 128, saturated to 127 inside the radius
//   x = -119: 14581 / 2^23 rounds to 0 -> -128
//   x = 0: the exact half 2^30 -> 128 -> 0; x = +-120: the radius saturates to 127 / -128.
TEST(OpKernels, LogisticFollowsTflmFixedPointAroundItsZeroPointAndRadius) {
  const sotto_smdl_tensor_t t = shape(1, 1, 9);
  sotto_smdl_op_t op{};
  op.params[SOTTO_P_LOGISTIC_INPUT_ZERO_POINT] = 3;
  op.params[SOTTO_P_LOGISTIC_INPUT_MULT] = 1717986944;
  op.params[SOTTO_P_LOGISTIC_INPUT_LEFT_SHIFT] = 24;
  op.params[SOTTO_P_LOGISTIC_RANGE_RADIUS] = 120;
  const int8_t x[9] = {38, -32, 23, -17, 122, -116, 3, 123, -117};
  int8_t output[9];
  KernelArgs a =
      make_args(&op, &t, nullptr, &t, x, nullptr, output, nullptr, nullptr, nullptr, nullptr);
  reference::logistic(a);
  EXPECT_EQ((std::vector<int8_t>{120, -120, 97, -97, 127, -128, 0, 127, -128}),
            std::vector<int8_t>(output, output + 9));
}

}  // namespace
