// An engine without the reference fallback (sotto_infer_library ... NO_REFERENCE_FALLBACK, as
// SOTTO_INFER_REFERENCE_FALLBACK=OFF builds the SDK's; kernels/reference_fallback.h): it runs the
// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD ops the Cortex-M4 kernels run themselves,
// and refuses by name at open what they would hand to the reference kernel: plain FULLY_CONNECTED
// weights, more than one batch, too little scratch, block-sparse weights over a window other than
// 1x1 stride 1, depthwise windows or scales the Cortex-M4 kernel does not cover, a broadcast ADD
// or one whose inputs are not at twice each other's scale or equal.
#include <gtest/gtest.h>

#include <vector>

#include "aligned_blob.h"
#include "seed_model.h"
#include "sotto/model.h"

using sotto_test::AlignedBlob;
using sotto_test::SeedModelBuilder;

namespace {

// The model's output, both ops below: weights (i * 7 % 11) - 5 row by row, biases -20 -10 0 over
// the input {10, -20, 30, -40} (linking_test.cpp works the sums out), zero point 5.
const int8_t kInput[4] = {10, -20, 30, -40};
const int8_t kExpected[3] = {-30, 22, 12};

// input 1x1x4 -> FULLY_CONNECTED 4 -> 3, its weights interleaved (flag 1; 3 rows, fewer than a
// block of 4, stay in plain order) with the folded bias (the bias: input offset 0) or plain.
std::vector<uint8_t> fully_connected_model(bool interleaved) {
  SeedModelBuilder b;
  const uint32_t in = b.tensor(1, 1, 4, 0, 0);
  const uint32_t out = b.tensor(1, 1, 3, 4, 5);
  sotto_smdl_op_t *o = &b.op(SOTTO_OP_FULLY_CONNECTED, in, out);
  o->params[SOTTO_P_OUTPUT_OFFSET] = 5;
  if (interleaved) {
    b.bias(o, {-20, -10, 0});
    o->folded_bias_offset = o->bias_offset;
    o->folded_bias_count = o->bias_count;
    o->params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = SOTTO_SMDL_INTERLEAVED_ROWS;
  }
  b.constants(o, 3 * 4, 3);
  return b.finish(in, out, 8);
}

// input 1x1x4 -> CONV_2D 1x1 -> 1x1x3, plain weights, the same constants as FULLY_CONNECTED's:
// with `batches` images and `scratch` bytes (the Cortex-M4 kernel needs 8 * (4 + 4) + 4 + 16 * 3
// = 116: kernels/reference_fallback.h) after the tensors.
std::vector<uint8_t> conv_model(int32_t batches, uint32_t scratch) {
  SeedModelBuilder b;
  const uint32_t in = b.tensor(1, 1, 4, 0, 0);
  const uint32_t out = b.tensor(1, 1, 3, 8, 5);
  for (uint32_t t : {in, out}) {
    b.tensors()[t].dims[0] = batches;
    b.tensors()[t].bytes *= static_cast<uint32_t>(batches);
  }
  sotto_smdl_op_t *o = &b.op(SOTTO_OP_CONV_2D, in, out);
  o->params[SOTTO_P_OUTPUT_OFFSET] = 5;
  b.constants(o, 3 * 4, 3);
  o->scratch_offset = 16;
  o->scratch_bytes = scratch;
  return b.finish(in, out, 16 + scratch);
}

// Opens and runs `bytes` on kInput; its 3 outputs.
std::vector<int8_t> run(const std::vector<uint8_t> &bytes) {
  AlignedBlob blob(bytes);
  sotto_model_t model;
  EXPECT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), bytes.size()));
  uint32_t arena[64];
  EXPECT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena, sizeof arena));
  sotto_tensor_t in, out;
  EXPECT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
  memcpy(in.data, kInput, 4);
  EXPECT_EQ(SOTTO_OK, sotto_invoke(&model));
  EXPECT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
  const int8_t *y = static_cast<const int8_t *>(out.data);
  return std::vector<int8_t>(y, y + 3);
}

// Whether `bytes` opens.
bool opens(const std::vector<uint8_t> &bytes) {
  AlignedBlob blob(bytes);
  sotto_model_t model;
  return sotto_model_open(&model, blob.data(), bytes.size()) == SOTTO_OK;
}

// The check a refused op names for too little scratch (CONV_2D and DEPTHWISE_CONV_2D alike).
const char kScratchRefusal[] =
    "scratch: expected the Cortex-M4 kernel's (this engine is built without the reference "
    "fallback: SOTTO_INFER_REFERENCE_FALLBACK); import with --target cortex-m4";

// Opens `bytes` expecting SOTTO_ERR_MODEL_UNSUPPORTED_OP at op 0, named `op`; the failed check.
std::string refusal(const std::vector<uint8_t> &bytes, const char *op) {
  AlignedBlob blob(bytes);
  sotto_model_t model;
  EXPECT_EQ(SOTTO_ERR_MODEL_UNSUPPORTED_OP, sotto_model_open(&model, blob.data(), bytes.size()));
  const sotto_model_fault_t *f = sotto_model_open_fault(&model);
  EXPECT_EQ(0, f->op_index);
  EXPECT_STREQ(op, f->op_name);
  return f->check;
}

TEST(NoReferenceFallback, RunsInterleavedFullyConnected) {
  EXPECT_EQ(std::vector<int8_t>(kExpected, kExpected + 3), run(fully_connected_model(true)));
}

TEST(NoReferenceFallback, RefusesPlainFullyConnectedWeights) {
  EXPECT_EQ(
      "weights: expected interleaved (this engine is built without the reference fallback: "
      "SOTTO_INFER_REFERENCE_FALLBACK); import with --target cortex-m4",
      refusal(fully_connected_model(false), "FULLY_CONNECTED"));
}

TEST(NoReferenceFallback, RunsAConvolutionWithItsScratch) {
  EXPECT_EQ(std::vector<int8_t>(kExpected, kExpected + 3), run(conv_model(1, 116)));
}

TEST(NoReferenceFallback, RefusesAConvolutionWithTooLittleScratch) {
  EXPECT_EQ(kScratchRefusal, refusal(conv_model(1, 112), "CONV_2D"));
}

TEST(NoReferenceFallback, RefusesAConvolutionOverTwoBatches) {
  EXPECT_EQ(
      "batch: expected 1 (this engine is built without the reference fallback: "
      "SOTTO_INFER_REFERENCE_FALLBACK)",
      refusal(conv_model(2, 116), "CONV_2D"));
}

// Block-sparse weights (smdl_format.h: rows 0 and 2 keep their one block of 4) over a 1x1 window
// of stride 2: the Cortex-M4 walks only stride 1 sparse.
TEST(NoReferenceFallback, RefusesSparseConvolutionWeightsOfStrideTwo) {
  SeedModelBuilder b;
  const uint32_t in = b.tensor(2, 2, 4, 0, 0);
  const uint32_t out = b.tensor(1, 1, 3, 16, 5);
  sotto_smdl_op_t *o = &b.op(SOTTO_OP_CONV_2D, in, out);
  o->params[SOTTO_P_STRIDE_H] = o->params[SOTTO_P_STRIDE_W] = 2;
  b.sparse_constants(o, {0x01, 0x00, 0x01, 0x00, 1, 2, 3, 4, 5, 6, 7, 8}, 3, false);
  EXPECT_EQ(
      "sparse weights: expected a 1x1 window, stride 1, no padding (this engine is built without "
      "the reference fallback: SOTTO_INFER_REFERENCE_FALLBACK); import with --dense-weights",
      refusal(b.finish(in, out, 20), "CONV_2D"));
}

// input 1x1xch -> DEPTHWISE_CONV_2D 1x1 -> 1x1xch (shift -3 per channel unless `shift`), with
// `scratch` bytes (the Cortex-M4 kernel needs (16 + 2 taps) per channel: 72 for 4).
std::vector<uint8_t> depthwise_model(int32_t ch, uint32_t scratch, int32_t shift = -3) {
  SeedModelBuilder b;
  const uint32_t in = b.tensor(1, 1, ch, 0, 0);
  const uint32_t out = b.tensor(1, 1, ch, 8, 5);
  sotto_smdl_op_t *o = &b.op(SOTTO_OP_DEPTHWISE_CONV_2D, in, out);
  o->params[SOTTO_P_OUTPUT_OFFSET] = 5;
  b.constants(o, static_cast<uint32_t>(ch), static_cast<uint32_t>(ch));
  b.rescales(o, std::vector<int32_t>(ch, 3 << 29), std::vector<int32_t>(ch, shift));
  o->scratch_offset = 16;
  o->scratch_bytes = scratch;
  return b.finish(in, out, 16 + scratch);
}

TEST(NoReferenceFallback, OpensADepthwiseConvolutionWithItsScratch) {
  EXPECT_TRUE(opens(depthwise_model(4, 72)));
}

TEST(NoReferenceFallback, RefusesADepthwiseConvolutionOfTwoChannels) {
  EXPECT_EQ(
      "window: expected depth multiplier 1, 1 batch, channels a multiple of 4, at most 64 taps "
      "(this engine is built without the reference fallback: SOTTO_INFER_REFERENCE_FALLBACK)",
      refusal(depthwise_model(2, 36), "DEPTHWISE_CONV_2D"));
}

TEST(NoReferenceFallback, RefusesADepthwiseConvolutionWithTooLittleScratch) {
  EXPECT_EQ(kScratchRefusal, refusal(depthwise_model(4, 68), "DEPTHWISE_CONV_2D"));
}

// A shift of 0 (a scale of at least 1) fits neither of the kernel's output stages.
TEST(NoReferenceFallback, RefusesADepthwiseScaleItsOutputStagesMiss) {
  EXPECT_EQ(
      "requantization: expected an input offset in -256..256, each channel's shift at most -2 (or "
      "-1 with |bias| below 2^30 - taps * 2^15) and |bias| at most 2^31 - 2^22 (this engine is "
      "built without the reference fallback: SOTTO_INFER_REFERENCE_FALLBACK)",
      refusal(depthwise_model(4, 72, 0), "DEPTHWISE_CONV_2D"));
}

const char kAddRefusal[] =
    "inputs: expected int8 of the output's shape, one at twice the other's scale or both equal "
    "(this engine is built without the reference fallback: SOTTO_INFER_REFERENCE_FALLBACK)";

// ADD(a, b) of 1x1x4 inputs at unit scale (both halves: SeedModelBuilder::add), b of `b_elements`.
std::vector<uint8_t> add_model(int32_t b_elements, int32_t input1_shift = 0) {
  SeedModelBuilder b;
  const uint32_t x = b.tensor(1, 1, 4, 0, 0);
  const uint32_t y = b.tensor(1, 1, b_elements, 4, 0);
  const uint32_t out = b.tensor(1, 1, 4, 8, 0);
  b.add(x, y, out, 0, 0).params[SOTTO_P_ADD_INPUT1_SHIFT] = input1_shift;
  return b.finish(std::vector<uint32_t>{x, y}, std::vector<uint32_t>{out}, 12);
}

TEST(NoReferenceFallback, OpensAnAddOfEqualScales) {
  EXPECT_TRUE(opens(add_model(4)));
}

TEST(NoReferenceFallback, RefusesABroadcastAdd) {
  EXPECT_EQ(kAddRefusal, refusal(add_model(1), "ADD"));
}

// The first input at shift -1 (neither a half nor a right shift of 2 or more).
TEST(NoReferenceFallback, RefusesAnAddOfOtherScales) {
  EXPECT_EQ(kAddRefusal, refusal(add_model(4, -1), "ADD"));
}

}  // namespace
