// Importer + runtime on small hand-built TFLite graphs: the ops the MLPerf models do not use
// (QUANTIZE, PAD, CONCATENATION, MUL, MEAN, LOGISTIC, DEQUANTIZE), parameters and results
// worked out by hand from TFLite's arithmetic.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "importer.h"
#include "model_fixture.h"
#include "sotto/model.h"
#include "tflite_builder.h"

using namespace sotto_test;
using sotto::gw::model::import_tflite;
using sotto::gw::model::ImportError;
using sotto::gw::model::Target;
using sotto::gw::tools::FbNode;
using sotto::gw::tools::TfliteBuilder;

namespace {

const int8_t kFloat32 = 0, kInt32 = 2, kInt8 = 9;

// float 1x2x2x2 -> QUANTIZE (0.5, 0) -> PAD one row on top -> CONCATENATION with itself on C
// -> MUL by itself (out scale 1) -> MEAN over H, W (out 0.5, zp 1) -> LOGISTIC -> DEQUANTIZE.
std::vector<uint8_t> edge_ops_model() {
  TfliteBuilder b;
  const int32_t in = b.tensor({1, 2, 2, 2}, kFloat32);
  const int32_t q = b.tensor({1, 2, 2, 2}, kInt8, 0.5f, 0);
  const int32_t paddings = b.tensor(
      {4, 2}, kInt32, 0, 0, TfliteBuilder::bytes_of(std::vector<int32_t>{0, 0, 1, 0, 0, 0, 0, 0}));
  const int32_t padded = b.tensor({1, 3, 2, 2}, kInt8, 0.5f, 0);
  const int32_t joined = b.tensor({1, 3, 2, 4}, kInt8, 0.5f, 0);
  const int32_t squared = b.tensor({1, 3, 2, 4}, kInt8, 1.0f, 0);
  const int32_t axes =
      b.tensor({2}, kInt32, 0, 0, TfliteBuilder::bytes_of(std::vector<int32_t>{1, 2}));
  const int32_t mean = b.tensor({1, 1, 1, 4}, kInt8, 0.5f, 1);
  const int32_t sigmoid = b.tensor({1, 1, 1, 4}, kInt8, 1.0f / 256, -128);
  const int32_t out = b.tensor({1, 1, 1, 4}, kFloat32);
  b.op(114, {in}, q);
  b.op(34, {q, paddings}, padded);
  auto concat_options = FbNode::table();
  concat_options->set(0, int32_t{-1});
  b.op(2, {padded, padded}, joined, concat_options);
  b.op(18, {joined, joined}, squared, FbNode::table());
  auto reducer = FbNode::table();
  reducer->set(0, uint8_t{1});  // keep_dims
  b.op(40, {squared, axes}, mean, reducer);
  b.op(14, {mean}, sigmoid);
  b.op(6, {sigmoid}, out);
  return b.finish(in, out);
}

TEST(ImporterOps, LowersEdgeAndShapeOpsWithTfliteParameters) {
  AlignedBlob blob(import_tflite(edge_ops_model(), Target::kGeneric));
  ASSERT_EQ(7u, blob.header()->op_count);
  const sotto_smdl_op_t *ops = blob.ops();
  EXPECT_EQ(static_cast<uint32_t>(SOTTO_OP_QUANTIZE), ops[0].kind);
  EXPECT_EQ(1, ops[0].params[SOTTO_P_QUANTIZE_FROM_FLOAT]);
  EXPECT_EQ(1, ops[1].params[SOTTO_P_PAD_BEFORE + 1]);         // H, right-aligned
  EXPECT_EQ(3, ops[2].params[SOTTO_P_CONCAT_AXIS]);            // -1 of rank 4
  EXPECT_EQ(8u, ops[2].weights_bytes);                         // two listed inputs
  EXPECT_EQ(1 << 30, ops[3].params[SOTTO_P_MUL_OUTPUT_MULT]);  // 0.5 * 0.5 / 1 = 2^30 * 2^-1
  EXPECT_EQ(-1, ops[3].params[SOTTO_P_MUL_OUTPUT_SHIFT]);
  // MEAN 1.0 -> 0.5 over 3 x 2: 2.0 is (2^30, shift 2); 1/6 folded as TFLM does: shifted left by
  // floor(log2 6) = 2 and divided by 6.
  EXPECT_EQ(715827882, ops[4].params[SOTTO_P_MEAN_MULT]);  // 2^32 / 6, truncated
  EXPECT_EQ(0, ops[4].params[SOTTO_P_MEAN_SHIFT]);
  EXPECT_EQ(0, ops[4].params[SOTTO_P_MEAN_INPUT_ZERO_POINT]);
  // 0.5 * 2^27 = 2^26: frexp gives 0.5 and 27; radius floor(15 * 2^27 / 2^27).
  EXPECT_EQ(1 << 30, ops[5].params[SOTTO_P_LOGISTIC_INPUT_MULT]);
  EXPECT_EQ(27, ops[5].params[SOTTO_P_LOGISTIC_INPUT_LEFT_SHIFT]);
  EXPECT_EQ(15, ops[5].params[SOTTO_P_LOGISTIC_RANGE_RADIUS]);
  EXPECT_EQ(static_cast<uint32_t>(SOTTO_OP_DEQUANTIZE), ops[6].kind);
}

TEST(ImporterOps, RunsFloatInToFloatOutThroughEveryEdgeOp) {
  AlignedBlob blob(import_tflite(edge_ops_model(), Target::kGeneric));
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
  std::vector<uint32_t> arena(sotto_model_arena_bytes(&model) / 4 + 1);
  ASSERT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  sotto_tensor_t in, out;
  ASSERT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
  ASSERT_EQ(SOTTO_TENSOR_FLOAT32, in.type);
  ASSERT_EQ(32u, in.bytes);
  const float x[8] = {1.0f, -1.0f, 0.25f, 2.0f, -0.75f, 3.0f, 0.0f, 1.5f};
  std::memcpy(in.data, x, sizeof x);
  ASSERT_EQ(SOTTO_OK, sotto_invoke(&model));
  ASSERT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
  ASSERT_EQ(SOTTO_TENSOR_FLOAT32, out.type);
  ASSERT_EQ(16u, out.bytes);
  float y[4];
  std::memcpy(y, out.data, sizeof y);
  // q = [2 -2 1 4 -2 6 0 3]; squares * 0.25 with TFLite's double rounding per channel pair
  // give sums 3 and 17 over 6 pixels; MEAN: 3 * 2^32/6 / 2^31 = 0.99 -> 1 and 17 -> 5.67 -> 6,
  // + zero point 1: 2 and 7 (0.5 and 3.0); sigmoid(0.5) and sigmoid(3.0) in 1/256 steps: 159
  // and 244.
  EXPECT_EQ((std::vector<float>{159 / 256.0f, 244 / 256.0f, 159 / 256.0f, 244 / 256.0f}),
            std::vector<float>(y, y + 4));
}

TEST(ImporterOps, RefusesConstantActivationsAndUnsupportedBroadcasts) {
  TfliteBuilder b;
  const int32_t in = b.tensor({1, 2, 3}, kInt8, 0.5f, 0);
  const int32_t other = b.tensor({1, 2, 1}, kInt8, 0.5f, 0);
  const int32_t out = b.tensor({1, 2, 3}, kInt8, 0.5f, 0);
  b.op(18, {in, other}, out);
  const std::string err = import_error(b.finish(in, out));
  EXPECT_EQ(
      "operator 0 (MUL): broadcast pattern; supported: equal shapes, a single element, or a "
      "1x..xC vector",
      err);
  TfliteBuilder c;
  const int32_t x = c.tensor({1, 4}, kInt8, 0.5f, 0);
  const int32_t k = c.tensor({1, 4}, kInt8, 0.5f, 0, {1, 2, 3, 4});
  const int32_t y = c.tensor({1, 4}, kInt8, 0.5f, 0);
  c.op(0, {x, k}, y);
  EXPECT_EQ("operator 0 (ADD): tensor 't1' is a constant; supported: activations only",
            import_error(c.finish(x, y)));
}

// An operator that lists no inputs is refused by name, for every op that reads one.
TEST(ImporterOps, OperatorWithoutInputsIsNamed) {
  for (const auto &[builtin, name] :
       std::vector<std::pair<int32_t, std::string>>{{3, "CONV_2D"},
                                                    {9, "FULLY_CONNECTED"},
                                                    {25, "SOFTMAX"},
                                                    {1, "AVERAGE_POOL_2D"},
                                                    {22, "RESHAPE"}}) {
    TfliteBuilder b;
    const int32_t in = b.tensor({1, 4}, kInt8, 0.5f, 0);
    const int32_t out = b.tensor({1, 4}, kInt8, 0.5f, 0);
    b.op(builtin, {}, out);
    EXPECT_EQ("operator 0 (" + name + "): missing input 0", import_error(b.finish(in, out)));
  }
}

// The model's FLOAT32 input may feed QUANTIZE only, in any input slot of any later op.
TEST(ImporterOps, FloatInputIntoASecondOperandIsNamed) {
  TfliteBuilder b;
  const int32_t in = b.tensor({1, 4}, kFloat32, 0.0f, 0);
  const int32_t q = b.tensor({1, 4}, kInt8, 0.5f, 0);
  const int32_t out = b.tensor({1, 4}, kInt8, 0.5f, 0);
  b.op(114, {in}, q);
  b.op(0, {q, in}, out);
  const std::string err = import_error(b.finish(in, out));
  EXPECT_EQ("operator 1 (ADD): input tensor 't0' has type FLOAT32; supported: INT8", err);
}

TEST(ImporterOps, LoaderRejectsHostileEdgeOpRecords) {
  const std::vector<uint8_t> good = import_tflite(edge_ops_model(), Target::kGeneric);
  sotto_model_t model;
  AlignedBlob list(good);  // CONCATENATION names a tensor beyond the table
  uint32_t *inputs = reinterpret_cast<uint32_t *>(list.data() + list.header()->data_offset +
                                                  list.ops()[2].weights_offset);
  inputs[1] = list.header()->tensor_count;
  list.reseal();
  EXPECT_EQ(SOTTO_ERR_MODEL_BAD_OP, sotto_model_open(&model, list.data(), list.bytes));
  AlignedBlob type(good);  // an element type the runtime does not know
  type.tensors()[0].type = 7;
  type.reseal();
  EXPECT_EQ(SOTTO_ERR_MODEL_BAD_TENSOR, sotto_model_open(&model, type.data(), type.bytes));
  AlignedBlob pad(good);  // padding that does not add up to the output shape
  pad.ops()[1].params[SOTTO_P_PAD_AFTER + 1] = 1;
  pad.reseal();
  EXPECT_EQ(SOTTO_ERR_MODEL_SHAPE_MISMATCH, sotto_model_open(&model, pad.data(), pad.bytes));
  AlignedBlob radius(good);  // LOGISTIC zero point outside int8
  radius.ops()[5].params[SOTTO_P_LOGISTIC_INPUT_ZERO_POINT] = 1 << 30;
  radius.reseal();
  EXPECT_EQ(SOTTO_ERR_MODEL_BAD_OP, sotto_model_open(&model, radius.data(), radius.bytes));
  AlignedBlob float_into_mul(good);  // float32 where MUL reads int8
  float_into_mul.ops()[3].input0 = float_into_mul.ops()[0].input0;
  float_into_mul.reseal();
  EXPECT_EQ(SOTTO_ERR_MODEL_BAD_TENSOR,
            sotto_model_open(&model, float_into_mul.data(), float_into_mul.bytes));
}

}  // namespace
