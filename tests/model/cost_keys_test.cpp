// The instruction table's keys and shape terms for the kernels whose cost differs in form from
// the int8 dense ones: TFLite's 16x8 CONV_2D, TRANSPOSE_CONV, SVDF and block-sparse
// FULLY_CONNECTED and CONV_2D. Each shape is worked out by hand in the comments from the model's
// dims; then the shipped table's estimate on cortex-m4 and rv32 is checked against its own rows
// applied to those hand-worked shapes (so the test holds across refits of the table, and fails
// when a key or a shape term goes wrong, or a row is missing).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cost_model.h"
#include "file_bytes.h"
#include "importer.h"
#include "target_profile.h"

namespace sotto::gw::model {
namespace {

std::vector<uint8_t> import_shared(const std::string &model, Target target,
                                   const PruneOptions &prune = {}) {
  return import_tflite(read_file_bytes(std::string(SOTTO_SHARED_DIR) + "/models/" + model), target,
                       nullptr, prune);
}

PruneOptions half_pruned() {
  PruneOptions p;
  p.sparsity = 0.5;
  return p;
}

struct HandShape {
  std::string key;
  OpShape shape;
};

void expect_shape(const HostModel &model, uint32_t op, const HandShape &expected) {
  const sotto_smdl_op_t &o = model.ops()[op];
  EXPECT_EQ(op_cost_key(o, model.tensors()), expected.key) << "op " << op;
  const OpShape s = op_shape(o, model.tensors());
  EXPECT_EQ(s.macs, expected.shape.macs) << "op " << op;
  EXPECT_EQ(s.output_elements, expected.shape.output_elements) << "op " << op;
  EXPECT_EQ(s.input_elements, expected.shape.input_elements) << "op " << op;
  EXPECT_EQ(s.output_rows, expected.shape.output_rows) << "op " << op;
  EXPECT_EQ(s.walked_blocks, expected.shape.walked_blocks) << "op " << op;
}

// The rows of the shipped table applied to the hand-worked shapes, as sottoctl rounds them.
uint64_t from_shipped_rows(const TargetProfile &profile, const std::vector<HandShape> &ops) {
  uint64_t total = 0;
  for (const HandShape &op : ops) {
    const auto row = profile.op_instructions.find(op.key);
    if (row == profile.op_instructions.end()) {
      ADD_FAILURE() << "no row for " << op.key << " on " << profile.name;
      continue;
    }
    const OpInstructionCost &c = row->second;
    const double n = c.per_call + c.per_mac * static_cast<double>(op.shape.macs) +
                     c.per_output * static_cast<double>(op.shape.output_elements) +
                     c.per_input * static_cast<double>(op.shape.input_elements) +
                     c.per_row * static_cast<double>(op.shape.output_rows) +
                     c.per_block * static_cast<double>(op.shape.walked_blocks);
    total += n <= 0 ? 0 : static_cast<uint64_t>(std::llround(n));
  }
  return total;
}

// Each op's key and shape on both measured targets, and the shipped estimate of the whole model.
void expect_costed_as(const std::string &model, const PruneOptions &prune,
                      const std::vector<HandShape> &ops) {
  for (Target target : {Target::kCortexM4, Target::kRv32}) {
    HostModel m(import_shared(model, target, prune));
    ASSERT_EQ(m.header().op_count, ops.size()) << model;
    for (uint32_t i = 0; i < ops.size(); ++i) expect_shape(m, i, ops[i]);
    const TargetProfile &profile = target_profile(target);
    const ModelCost c = estimate_cost(m, profile, cost_options_for(profile));
    EXPECT_TRUE(c.unmeasured_ops.empty()) << model << " on " << profile.name;
    EXPECT_EQ(c.instructions, from_shipped_rows(profile, ops)) << model << " on " << profile.name;
  }
}

TEST(CostKeys, SixteenByEightConvHasItsOwnKey) {
  // 1x8x166x2 int16 -> 1x2x160x8 int16, 784 weights = 8 channels x 98 (7x7 taps x 2 inputs):
  // 2,560 outputs x 98 = 250,880 MACs; 2,656 inputs; 320 rows of 8.
  expect_costed_as("tflm-examples/ops/seanet_conv_0.tflite", {},
                   {{"CONV_2D:int16>int16", {250880, 2560, 2656, 320}}});
}

TEST(CostKeys, TransposeConvCountsTheTapsThatReachEachOutput) {
  // 1x1x40x32 -> 1x4x82x16, 4x4 filter, stride 2 across, no padding: each of the 4 output rows
  // takes 1 tap row, the 82 columns 160 taps in all (each input column reaches 4): 4 x 160 taps
  // x 16 outputs x 32 inputs = 327,680 MACs (the 40 input pixels x 8,192 weights). Inputs:
  // 1,280 plus the 4-element output shape; 5,248 outputs in 328 rows of 16.
  expect_costed_as("tflm-examples/ops/seanet_transpose_conv_3.tflite", {},
                   {{"TRANSPOSE_CONV:int16>int16", {327680, 5248, 1284, 328}}});
  // 1x2x80x16 -> 1x4x162x8, 3x4 filter, strides 1 and 2: 2 x 3 tap rows x 80 x 4 tap columns
  // x 8 x 16 = 245,760 MACs; 2,560 + 4 inputs; 5,184 outputs in 648 rows of 8.
  expect_costed_as("tflm-examples/ops/seanet_transpose_conv_4.tflite", {},
                   {{"TRANSPOSE_CONV:int16>int16", {245760, 5184, 2564, 648}}});
}

TEST(CostKeys, SvdfCountsFeatureAndTimeWeights) {
  // keyword_scrambled: rank 1, so filters = units. Its SVDFs (int16 state) are 96 -> 64 with
  // memory 8 (64 x (96 + 8) = 6,656 MACs; inputs 96 + the 512 state entries), three 16 -> 64
  // with memory 8 (64 x 24 = 1,536), 16 -> 32 and twice 32 -> 32 with memory 32 (32 x 48 =
  // 1,536 and 32 x 64 = 2,048). The FULLY_CONNECTED ops between them: 64 -> 16 (1,024 MACs)
  // and 32 -> 2 (64); QUANTIZE and SOFTMAX on int16 have no MACs.
  const HandShape fc64 = {"FULLY_CONNECTED", {1024, 16, 64, 1}};
  const HandShape svdf16 = {"SVDF", {1536, 64, 16 + 512, 1}};
  expect_costed_as("tflm-examples/keyword_scrambled.tflite", {},
                   {{"QUANTIZE:int16>int8", {0, 96, 96, 1}},
                    {"SVDF", {6656, 64, 96 + 512, 1}},
                    fc64,
                    svdf16,
                    fc64,
                    svdf16,
                    fc64,
                    svdf16,
                    fc64,
                    {"SVDF", {1536, 32, 16 + 1024, 1}},
                    {"SVDF", {2048, 32, 32 + 1024, 1}},
                    {"SVDF", {2048, 32, 32 + 1024, 1}},
                    {"FULLY_CONNECTED", {64, 2, 32, 1}},
                    {"SOFTMAX:int8>int16", {0, 2, 2, 1}},
                    {"QUANTIZE:int16>int32", {0, 2, 2, 1}}});
}

TEST(CostKeys, SparseFullyConnectedCountsStoredAndWalkedBlocks) {
  // MLPerf AD pruned to 50 % of its 1x4 blocks: every layer stored sparse. A row of n inputs has
  // ceil(n / 4) blocks and a bitmap of ceil(blocks / 8) bytes; the weights range is the bitmap
  // then 4 bytes per stored block. MACs: the stored weights (one output row); walked blocks:
  // every output's whole row of blocks.
  //   640 -> 128: 43,520 B - 128 x 20 B bitmap = 40,960 (dense: 81,920); 128 x 160 blocks
  //   128 -> 128:  8,704 B - 128 x 4 B = 8,192; 128 x 32 = 4,096 blocks
  //   128 -> 8: 544 B - 8 x 4 B = 512; 8 x 32 = 256 blocks
  //   8 -> 128: 640 B - 128 x 1 B = 512; 128 x 2 = 256 blocks
  //   128 -> 640: 43,520 B - 640 x 4 B = 40,960; 640 x 32 = 20,480 blocks
  const auto fc = [](uint64_t macs, uint64_t in, uint64_t out, uint64_t blocks) {
    return HandShape{"FULLY_CONNECTED/sparse", {macs, out, in, 1, blocks}};
  };
  expect_costed_as("mlperf-tiny/ad01_int8.tflite", half_pruned(),
                   {fc(40960, 640, 128, 20480), fc(8192, 128, 128, 4096), fc(8192, 128, 128, 4096),
                    fc(8192, 128, 128, 4096), fc(512, 128, 8, 256), fc(512, 8, 128, 256),
                    fc(8192, 128, 128, 4096), fc(8192, 128, 128, 4096), fc(8192, 128, 128, 4096),
                    fc(40960, 128, 640, 20480)});
  // The same model dense keeps the dense key and counts every weight.
  HostModel dense(import_shared("mlperf-tiny/ad01_int8.tflite", Target::kCortexM4));
  expect_shape(dense, 0, {"FULLY_CONNECTED", {81920, 128, 640, 1}});
}

TEST(CostKeys, SparsePointwiseConvCountsStoredAndWalkedBlocks) {
  // MLPerf KWS pruned to 50 %: its four pointwise convs, 1x25x5x64 -> 1x25x5x64, are stored
  // sparse (2,176 B = 64 rows x 2 B bitmap + 2,048 B of blocks, 32 of 64 weights per output
  // channel): 8,000 outputs x 32 = 256,000 MACs (dense: 512,000), x 16 blocks = 128,000 walked
  // blocks; 125 rows of 64.
  for (Target target : {Target::kCortexM4, Target::kRv32}) {
    HostModel m(import_shared("mlperf-tiny/kws_ref_model.tflite", target, half_pruned()));
    for (uint32_t op : {2u, 4u, 6u, 8u}) {
      expect_shape(m, op, {"CONV_2D/sparse", {256000, 8000, 8000, 125, 128000}});
    }
    const TargetProfile &profile = target_profile(target);
    EXPECT_TRUE(estimate_cost(m, profile, cost_options_for(profile)).unmeasured_ops.empty())
        << profile.name;
  }
}

TEST(CostKeys, CortexM4InterleavedPointwiseConvHasItsOwnKey) {
  // MLPerf KWS's four pointwise convs, 1x25x5x64 -> 1x25x5x64: 8,000 outputs x 64 = 512,000
  // MACs, 125 rows of 64. Imported for the Cortex-M4 their filters are interleaved for its
  // matrix kernel (CONV_2D/pointwise); for RV32 they stay plain CONV_2D.
  HostModel m4(import_shared("mlperf-tiny/kws_ref_model.tflite", Target::kCortexM4));
  HostModel rv32(import_shared("mlperf-tiny/kws_ref_model.tflite", Target::kRv32));
  for (uint32_t op : {2u, 4u, 6u, 8u}) {
    expect_shape(m4, op, {"CONV_2D/pointwise", {512000, 8000, 8000, 125}});
    expect_shape(rv32, op, {"CONV_2D", {512000, 8000, 8000, 125}});
  }
  const TargetProfile &profile = target_profile(Target::kCortexM4);
  EXPECT_TRUE(estimate_cost(m4, profile, cost_options_for(profile)).unmeasured_ops.empty());
}

}  // namespace
}  // namespace sotto::gw::model
