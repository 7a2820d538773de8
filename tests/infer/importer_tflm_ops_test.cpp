// The importer's side of the ops TFLM's example models added (SUB, int16 ADD, LEAKY_RELU,
// STRIDED_SLICE, TRANSPOSE, QUANTIZE between integer types, int16 PAD and CONV_2D): the variants it
// does not lower are refused naming the operator and what is unsupported, and what it lowers opens
// in the loader.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "importer.h"
#include "model_fixture.h"
#include "sotto/model.h"
#include "tflite_builder.h"

using namespace sotto_test;
using sotto::gw::model::import_tflite;
using sotto::gw::model::Target;
using sotto::gw::tools::FbNode;
using sotto::gw::tools::TfliteBuilder;

namespace {

const int8_t kInt32 = 2, kInt64 = 4, kInt16 = 7, kInt8 = 9;

// Whether the blob the importer wrote opens in the loader.
bool opens(const std::vector<uint8_t> &tflite) {
  AlignedBlob blob(import_tflite(tflite, Target::kGeneric));
  sotto_model_t model;
  return sotto_model_open(&model, blob.data(), blob.bytes) == SOTTO_OK;
}

std::vector<uint8_t> int32_bytes(const std::vector<int32_t> &v) {
  std::vector<uint8_t> bytes(v.size() * 4);
  memcpy(bytes.data(), v.data(), bytes.size());
  return bytes;
}

// ADD (0) or SUB (41) of two int16 tensors with pot_scale_int16 as given (absent: the schema's
// default, true).
std::vector<uint8_t> int16_add_or_sub(int32_t builtin, int pot_scale) {
  TfliteBuilder b;
  const int32_t x = b.tensor({1, 4}, kInt16, 0.001f, 0);
  const int32_t y = b.tensor({1, 4}, kInt16, 0.002f, 0);
  const int32_t out = b.tensor({1, 4}, kInt16, 0.003f, 0);
  auto options = FbNode::table();
  if (pot_scale >= 0) options->set(1, static_cast<uint8_t>(pot_scale));
  b.op(builtin, {x, y}, out, options);
  return b.finish({x, y}, {out});
}

TEST(ImporterTflmOps, Int16AddAndSubNeedTheGeneralPath) {
  EXPECT_TRUE(opens(int16_add_or_sub(41, 0)));
  EXPECT_TRUE(opens(int16_add_or_sub(0, 0)));
  EXPECT_EQ(
      "operator 0 (SUB): pot_scale_int16 is true (power-of-two int16 scaling); supported: "
      "false",
      import_error(int16_add_or_sub(41, -1)));
  EXPECT_EQ(
      "operator 0 (ADD): pot_scale_int16 is true (power-of-two int16 scaling); supported: "
      "false",
      import_error(int16_add_or_sub(0, 1)));
}

TEST(ImporterTflmOps, SubOfMixedTypesNamesTheTensor) {
  TfliteBuilder b;
  const int32_t x = b.tensor({1, 4}, kInt16, 0.001f, 0);
  const int32_t y = b.tensor({1, 4}, kInt8, 0.002f, 0);
  const int32_t out = b.tensor({1, 4}, kInt16, 0.003f, 0);
  b.op(41, {x, y}, out, FbNode::table());
  EXPECT_EQ("operator 0 (SUB): input tensor 't1' has type INT8; supported: INT16",
            import_error(b.finish({x, y}, {out})));
}

TEST(ImporterTflmOps, LeakyReluWithANegativeAlphaIsRefused) {
  for (const float alpha : {0.2f, -0.5f}) {
    TfliteBuilder b;
    const int32_t x = b.tensor({1, 4}, kInt8, 0.5f, 1);
    const int32_t out = b.tensor({1, 4}, kInt8, 0.25f, -2);
    auto options = FbNode::table();
    options->set(0, alpha);
    b.op(98, {x}, out, options);
    if (alpha > 0) {
      EXPECT_TRUE(opens(b.finish(x, out)));
    } else {
      EXPECT_EQ("operator 0 (LEAKY_RELU): alpha -0.500000; supported: alpha >= 0",
                import_error(b.finish(x, out)));
    }
  }
}

// A 1x5x4 int16 slice: begin (-4 from the end, masked), end (masked, -5 from the end: before
// the first), strides (2, -3), and option `option_field` set to `value`.
std::vector<uint8_t> slice_model(int32_t option_field, int32_t value) {
  TfliteBuilder b;
  const int32_t x = b.tensor({1, 5, 4}, kInt16, 0.01f, 0);
  const int32_t begin = b.tensor({3}, kInt32, 0, 0, int32_bytes({0, -4, 0}));
  const int32_t end = b.tensor({3}, kInt32, 0, 0, int32_bytes({1, 0, -5}));
  const int32_t strides = b.tensor({3}, kInt32, 0, 0, int32_bytes({1, 2, -3}));
  const int32_t out = b.tensor({1, 2, 2}, kInt16, 0.01f, 0);
  auto options = FbNode::table();
  options->set(0, int32_t{4});  // begin_mask: dim 2
  options->set(1, int32_t{2});  // end_mask: dim 1
  if (option_field >= 2) options->set(option_field, value);
  b.op(45, {x, begin, end, strides}, out, options);
  return b.finish(x, out);
}

TEST(ImporterTflmOps, StridedSliceResolvesMasksAndNegativeIndicesAsTflite) {
  AlignedBlob blob(import_tflite(slice_model(-1, 0), Target::kGeneric));
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
  std::vector<uint32_t> arena((sotto_model_arena_bytes(&model) + 3) / 4);
  ASSERT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  sotto_tensor_t in, out;
  ASSERT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
  int16_t *x = static_cast<int16_t *>(in.data);
  for (int i = 0; i < 20; ++i) x[i] = static_cast<int16_t>(i * 100);
  ASSERT_EQ(SOTTO_OK, sotto_invoke(&model));
  ASSERT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
  // Rows 1, 3 (begin -4 + 5, end masked, stride 2); columns 3, 0 (begin masked with a negative
  // stride: the last; end -5 + 4 = -1, stride -3).
  const int16_t *y = static_cast<const int16_t *>(out.data);
  EXPECT_EQ((std::vector<int16_t>{700, 400, 1500, 1200}), std::vector<int16_t>(y, y + 4));
}

TEST(ImporterTflmOps, StridedSliceMasksItDoesNotLowerAreNamed) {
  EXPECT_EQ("operator 0 (STRIDED_SLICE): ellipsis_mask is set; supported: begin_mask and end_mask",
            import_error(slice_model(2, 1)));
  EXPECT_EQ(
      "operator 0 (STRIDED_SLICE): shrink_axis_mask is set; supported: begin_mask and end_mask",
      import_error(slice_model(4, 1)));
}

TEST(ImporterTflmOps, TransposeWithABadPermutationIsNamed) {
  for (const std::vector<int32_t> &perm : {std::vector<int32_t>{0, 2, 1}, {0, 1, 1}, {0, -1, 2}}) {
    TfliteBuilder b;
    const int32_t x = b.tensor({1, 2, 3}, kInt8, 0.5f, 0);
    const int32_t p = b.tensor({3}, kInt32, 0, 0, int32_bytes(perm));
    const int32_t out = b.tensor({1, 3, 2}, kInt8, 0.5f, 0);
    b.op(39, {x, p}, out);
    if (perm[1] == 2) {
      EXPECT_TRUE(opens(b.finish(x, out)));
    } else {
      EXPECT_EQ("operator 0 (TRANSPOSE): perm is not a permutation of the input's dims",
                import_error(b.finish(x, out)));
    }
  }
}

TEST(ImporterTflmOps, Int16PadNeedsZeroPointZero) {
  for (const int64_t zero_point : {0, 3}) {
    TfliteBuilder b;
    const int32_t x = b.tensor({1, 2, 3}, kInt16, 0.01f, zero_point);
    const int32_t paddings = b.tensor({3, 2}, kInt32, 0, 0, int32_bytes({0, 0, 1, 2, 0, 0}));
    const int32_t out = b.tensor({1, 5, 3}, kInt16, 0.01f, zero_point);
    b.op(34, {x, paddings}, out);
    if (zero_point == 0) {
      EXPECT_TRUE(opens(b.finish(x, out)));
    } else {
      EXPECT_EQ("operator 0 (PAD): int16 zero point 3; supported: 0",
                import_error(b.finish(x, out)));
    }
  }
}

// A 1x3x3x2 int16 CONV_2D (3x3 VALID, 2 output channels, per-channel weights) with the bias of
// `bias_type` and the input's zero point `input_zero_point`.
std::vector<uint8_t> int16_conv(int8_t bias_type, int64_t input_zero_point) {
  TfliteBuilder b;
  const int32_t x = b.tensor({1, 3, 3, 2}, kInt16, 0.01f, input_zero_point);
  const int32_t w = b.named_tensor("w", {2, 3, 3, 2}, kInt8, {0.02f, 0.03f}, {0, 0}, 0,
                                   std::vector<uint8_t>(36, 1));
  std::vector<uint8_t> bias_bytes(bias_type == kInt64 ? 16 : 8, 0);
  const int32_t bias =
      b.named_tensor("bias", {2}, bias_type, {0.0002f, 0.0003f}, {0, 0}, 0, bias_bytes);
  const int32_t out = b.tensor({1, 1, 1, 2}, kInt16, 0.05f, 0);
  b.op(3, {x, w, bias}, out, FbNode::table());
  return b.finish(x, out);
}

TEST(ImporterTflmOps, Int16ConvNeedsAnInt64BiasAndZeroPointsZero) {
  EXPECT_TRUE(opens(int16_conv(kInt64, 0)));
  EXPECT_EQ(
      "operator 0 (CONV_2D): bias tensor 'bias' has type INT32; supported: INT64 with int16 "
      "activations",
      import_error(int16_conv(kInt32, 0)));
  EXPECT_EQ("operator 0 (CONV_2D): tensor 't0' has int16 zero point 2; supported: 0",
            import_error(int16_conv(kInt64, 2)));
}

// An int8 TRANSPOSE_CONV 1x1x2x1 -> 1x1x4x1, filter 1x1x4x1, stride 2 with `padding` (0 SAME,
// 1 VALID), its output_shape a constant holding `output_shape`.
std::vector<uint8_t> transpose_conv_model(int8_t padding,
                                          const std::vector<int32_t> &output_shape) {
  TfliteBuilder b;
  const int32_t shape = b.tensor({4}, kInt32, 0, 0, int32_bytes(output_shape));
  const int32_t w =
      b.named_tensor("w", {1, 1, 4, 1}, kInt8, {0.02f}, {0}, 0, std::vector<uint8_t>{1, 2, 3, 4});
  const int32_t x = b.tensor({1, 1, 2, 1}, kInt8, 0.5f, 1);
  const int32_t out = b.tensor({1, 1, 4, 1}, kInt8, 0.25f, -2);
  auto options = FbNode::table();
  options->set(0, padding);
  options->set(1, int32_t{2});  // stride_w
  options->set(2, int32_t{1});  // stride_h
  b.op(67, {shape, w, x}, out, options);
  return b.finish(x, out);
}

TEST(ImporterTflmOps, TransposeConvPadsAsTflmAndChecksAConstantOutputShape) {
  for (const int8_t padding : {int8_t{0}, int8_t{1}}) {
    AlignedBlob blob(import_tflite(transpose_conv_model(padding, {1, 1, 4, 1}), Target::kGeneric));
    sotto_model_t model;
    ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
    // SAME: the forward convolution's 2 positions over 4 need (2 - 1) x 2 + 4 - 4 = 2 padding, 1
    // before; VALID: (4 - 4 + 2) / 2 = 1 position, none.
    EXPECT_EQ(padding == 0 ? 1 : 0, blob.ops()[0].params[SOTTO_P_PAD_W]);
  }
  EXPECT_EQ("operator 0 (TRANSPOSE_CONV): output_shape differs from the output tensor's shape",
            import_error(transpose_conv_model(0, {1, 1, 5, 1})));
}

// What the loader says of `blob` after `damage` (resealed): the error and the failed check.
template <typename Damage>
std::string refusal(const std::vector<uint8_t> &tflite, Damage damage) {
  AlignedBlob blob(import_tflite(tflite, Target::kGeneric));
  sotto_smdl_op_t &op = blob.ops()[0];
  int32_t *data = reinterpret_cast<int32_t *>(blob.data() + blob.header()->data_offset);
  damage(op, data);
  blob.reseal();
  sotto_model_t model;
  const sotto_err_t err = sotto_model_open(&model, blob.data(), blob.bytes);
  return std::string(sotto_err_name(err)) + ": " + sotto_model_open_fault(&model)->check;
}

TEST(ImporterTflmOps, TheLoaderChecksWhatThe16x8ArithmeticReliesOn) {
  const std::vector<uint8_t> conv = int16_conv(kInt64, 0);
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_CONSTANTS: requantization: expected multipliers >= 0 and shifts "
      "-31..7 (int16)",
      refusal(conv, [](sotto_smdl_op_t &op, int32_t *data) { data[op.shift_offset / 4 + 1] = 8; }));
  // Channel 1's bias 2^46 (high word 2^14): a sum could pass the 2^47 requantization takes.
  EXPECT_EQ("SOTTO_ERR_MODEL_BAD_CONSTANTS: bias: expected int64 values within +-2^46",
            refusal(conv, [](sotto_smdl_op_t &op, int32_t *data) {
              data[op.bias_offset / 4 + 3] = 1 << 14;
            }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_SHAPE_MISMATCH: bias: expected none or one int64 (two int32 words) "
      "per output channel",
      refusal(conv, [](sotto_smdl_op_t &op, int32_t *) { op.bias_count = 2; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP: offsets: expected 0 with int16 activations",
      refusal(conv, [](sotto_smdl_op_t &op, int32_t *) { op.params[SOTTO_P_OUTPUT_OFFSET] = 1; }));
  const std::vector<uint8_t> transpose = transpose_conv_model(0, {1, 1, 4, 1});
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_SHAPE_MISMATCH: weights: expected out_c * kernel_h * kernel_w * in_c "
      "bytes",
      refusal(transpose, [](sotto_smdl_op_t &op, int32_t *) { op.params[SOTTO_P_KERNEL_W] = 3; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP: window: expected filter offset 0 and kernel_h * kernel_w * "
      "in_c products within the int32 accumulator (sotto_smdl_depth_fits_int32)",
      refusal(transpose,
              [](sotto_smdl_op_t &op, int32_t *) { op.params[SOTTO_P_FILTER_OFFSET] = 1; }));
}

}  // namespace
