// Per-op linking: an engine built with only FULLY_CONNECTED, no row-stream driver and no sparse
// weights (sotto_infer_library ... OPS FULLY_CONNECTED NO_ROW_STREAMS NO_SPARSE_WEIGHTS, as
// SOTTO_INFER_ONLY_OPS, SOTTO_INFER_ROW_STREAMS=OFF and SOTTO_INFER_SPARSE_WEIGHTS=OFF build the
// SDK's) runs models of that op and refuses any other op by name at open, an int16 CONV_2D by the
// kernel it needs (CONV_2D_16X8), and a blob with row streams or sparse weights by what it lacks.
#include <gtest/gtest.h>

#include <vector>

#include "aligned_blob.h"
#include "seed_model.h"
#include "sotto/model.h"

using sotto_test::AlignedBlob;
using sotto_test::SeedModelBuilder;

namespace {

// input 1x1x4 -> FULLY_CONNECTED 4 -> 3, the seed model's constants; with `sparse`, the weights
// block-sparse instead (smdl_format.h): rows 0 and 2 keep their one block of 4, row 1 none.
std::vector<uint8_t> fully_connected_model(bool sparse = false) {
  SeedModelBuilder b;
  const uint32_t in = b.tensor(1, 1, 4, 0, 0);
  const uint32_t out = b.tensor(1, 1, 3, 4, 5);
  sotto_smdl_op_t *o = &b.op(SOTTO_OP_FULLY_CONNECTED, in, out);
  o->params[SOTTO_P_OUTPUT_OFFSET] = 5;
  if (sparse) {
    b.sparse_constants(o, {0x01, 0x00, 0x01, 0x00, 1, 2, 3, 4, 5, 6, 7, 8}, 3, false);
  } else {
    b.constants(o, 3 * 4, 3);
  }
  return b.finish(in, out, 8);
}

// Opens `bytes` into *model expecting SOTTO_ERR_MODEL_UNSUPPORTED_OP; the fault says why.
const sotto_model_fault_t *open_unsupported(const std::vector<uint8_t> &bytes,
                                            sotto_model_t *model) {
  AlignedBlob blob(bytes);
  EXPECT_EQ(SOTTO_ERR_MODEL_UNSUPPORTED_OP, sotto_model_open(model, blob.data(), bytes.size()));
  return sotto_model_open_fault(model);
}

TEST(PerOpLinking, RunsTheLinkedOp) {
  const std::vector<uint8_t> bytes = fully_connected_model();
  AlignedBlob blob(bytes);
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), bytes.size()));
  uint32_t arena[2];
  ASSERT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena, sizeof arena));
  sotto_tensor_t in, out;
  ASSERT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
  const int8_t x[4] = {10, -20, 30, -40};
  memcpy(in.data, x, 4);
  ASSERT_EQ(SOTTO_OK, sotto_invoke(&model));
  ASSERT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
  // Weights (i * 7 % 11) - 5 row by row: -5 2 -2 5 | 1 -3 4 0 | -4 3 -1 -5; biases -20 -10 0:
  // sums -370, 180, 70. Times 0.75 (rounded half away: -277.5 -> -277 by TFLite's doubling
  // high multiply, 135, 52.5 -> 53), / 8 rounded half away (-34.6 -> -35, 16.9 -> 17,
  // 6.6 -> 7), plus the zero point 5.
  const int8_t *y = static_cast<const int8_t *>(out.data);
  EXPECT_EQ(-30, y[0]);
  EXPECT_EQ(22, y[1]);
  EXPECT_EQ(12, y[2]);
}

TEST(PerOpLinking, RefusesAnOpLeftOutByName) {
  sotto_model_t model;
  const sotto_model_fault_t *f = open_unsupported(sotto_test::seed_model(), &model);
  EXPECT_EQ(0, f->op_index);
  EXPECT_STREQ("CONV_2D", f->op_name);  // named even though this engine does not link it
  EXPECT_STREQ("kind: expected an op this build links (op_table.h, SOTTO_INFER_ONLY_OPS)",
               f->check);
}

// A CONV_2D with int16 activations runs CONV_2D_16X8, a kernel of its own: the blob says CONV_2D,
// the tensor types choose (sotto_smdl_kernel_kind), and an engine without it names CONV_2D_16X8,
// the op to add to SOTTO_INFER_ONLY_OPS, while reporting the blob's kind.
TEST(PerOpLinking, AnInt16ConvolutionNeedsConv2d16x8ByName) {
  SeedModelBuilder b;
  const uint32_t in = b.tensor(2, 2, 1, 0, 0, SOTTO_SMDL_INT16);
  const uint32_t out = b.tensor(2, 2, 1, 8, 0, SOTTO_SMDL_INT16);
  b.constants(&b.op(SOTTO_OP_CONV_2D, in, out), 1, 1);
  sotto_model_t model;
  const sotto_model_fault_t *f = open_unsupported(b.finish(in, out, 16), &model);
  EXPECT_EQ(0, f->op_index);
  EXPECT_EQ(static_cast<uint32_t>(SOTTO_OP_CONV_2D), f->op_kind);
  EXPECT_STREQ("CONV_2D_16X8", f->op_name);
}

// Checked before any op: the refusal is the missing driver's even where the stream's ops are not
// linked either (here CONV_2D, DEPTHWISE_CONV_2D and ADD), and it names the way out.
TEST(PerOpLinking, RefusesRowStreamsWithoutTheDriver) {
  sotto_model_t model;
  const sotto_model_fault_t *f = open_unsupported(sotto_test::stream_seed_model(), &model);
  EXPECT_EQ(-1, f->op_index);
  EXPECT_EQ(-1, f->tensor_index);
  EXPECT_STREQ("", f->op_name);
  EXPECT_STREQ(
      "streams: expected none (this engine is built without the row-stream driver: "
      "SOTTO_INFER_ROW_STREAMS; import with --whole-tensors)",
      f->check);
}

// The same op dense runs (RunsTheLinkedOp); block-sparse, the op is refused by name, the check
// naming the option.
TEST(PerOpLinking, RefusesSparseWeightsWithoutThem) {
  sotto_model_t model;
  const sotto_model_fault_t *f = open_unsupported(fully_connected_model(true), &model);
  EXPECT_EQ(0, f->op_index);
  EXPECT_STREQ("FULLY_CONNECTED", f->op_name);
  EXPECT_STREQ(
      "sparse weights: expected none (this engine is built without them: "
      "SOTTO_INFER_SPARSE_WEIGHTS; import without --prune, or with --dense-weights)",
      f->check);
}

TEST(PerOpLinking, KernelKindFollowsTheConvolutionsOutputType) {
  sotto_smdl_tensor_t tensors[2] = {};
  tensors[0].type = SOTTO_SMDL_INT8;
  tensors[1].type = SOTTO_SMDL_INT16;
  sotto_smdl_op_t op{};
  op.kind = SOTTO_OP_CONV_2D;
  op.output = 0;
  EXPECT_EQ(static_cast<uint32_t>(SOTTO_OP_CONV_2D), sotto_smdl_kernel_kind(&op, tensors, 2));
  op.output = 1;
  EXPECT_EQ(static_cast<uint32_t>(SOTTO_OP_CONV_2D_16X8), sotto_smdl_kernel_kind(&op, tensors, 2));
  op.output = 2;  // outside the table: left as it is for the loader's index check
  EXPECT_EQ(static_cast<uint32_t>(SOTTO_OP_CONV_2D), sotto_smdl_kernel_kind(&op, tensors, 2));
  op.output = 1;
  op.kind = SOTTO_OP_TRANSPOSE_CONV;  // only CONV_2D has a kernel per activation type
  EXPECT_EQ(static_cast<uint32_t>(SOTTO_OP_TRANSPOSE_CONV),
            sotto_smdl_kernel_kind(&op, tensors, 2));
  op.kind = SOTTO_OP_CONV_2D_16X8;  // never a kind in a blob
  EXPECT_EQ(0u, sotto_smdl_kernel_kind(&op, tensors, 2));
}

}  // namespace
