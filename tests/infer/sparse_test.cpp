// Block-sparse weights (smdl_format.h) on the host: the kernels that read them give the same bytes
// as the reference on the same weights dense, and the loader refuses every broken encoding,
// naming the check.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "model_fixture.h"
#include "seed_model.h"
#include "sotto/model.h"
#include "sparse_equivalence.h"

namespace {

using sotto_test::AlignedBlob;

TEST(SparseKernels, MatchTheReferenceOnTheSameWeightsDense) {
  uint32_t checked = 0, fully_connected = 0, conv = 0;
  // The draws the Cortex-M4 and RV32 images make too (infer_target kernels): 3 of the 300 conv
  // shapes have a window larger than the padded input and are skipped.
  EXPECT_EQ(0u, run_sparse_equivalence(600, &checked, &fully_connected, &conv));
  EXPECT_EQ(300u, fully_connected);
  EXPECT_EQ(297u, conv);
  EXPECT_EQ(597u, checked);
}

// The sparse seed's output for input bytes i * 11 - 90.
std::vector<int8_t> run_seed(const std::vector<uint8_t> &blob) {
  AlignedBlob b(blob);
  sotto_model_t model;
  EXPECT_EQ(SOTTO_OK, sotto_model_open(&model, b.data(), b.bytes))
      << sotto::gw::model::fault_text(model.fault);
  std::vector<uint32_t> arena(96 / 4);
  EXPECT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), 96));
  sotto_tensor_t in, out;
  EXPECT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
  for (uint32_t i = 0; i < in.bytes; ++i)
    static_cast<int8_t *>(in.data)[i] = static_cast<int8_t>(i * 11 - 90);
  EXPECT_EQ(SOTTO_OK, sotto_invoke(&model));
  EXPECT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
  const int8_t *o = static_cast<const int8_t *>(out.data);
  return std::vector<int8_t>(o, o + out.bytes);
}

TEST(SparseLoader, TheSparseFuzzerSeedRunsAsItsDenseTwin) {
  const std::vector<uint8_t> sparse = sotto_test::sparse_seed_model();
  const std::vector<uint8_t> dense = sotto_test::sparse_seed_model(true);
  // Weights: conv 8 + 6 * 4 = 32 bytes instead of 108, FC 4 + 5 * 4 = 24 instead of 54.
  EXPECT_EQ(dense.size() - sparse.size(), (108u - 32u) + (56u - 24u));
  const std::vector<int8_t> out = run_seed(sparse);
  ASSERT_EQ(3u, out.size());
  EXPECT_EQ(run_seed(dense), out);
  // The empty row of the FC gives its bias (-20 + 10) requantized: not the output zero point.
  EXPECT_NE(out[0], out[2]);
}

// What the loader says about the sparse seed after `patch` (the digest resealed).
template <typename Patch>
std::string refusal(Patch patch) {
  AlignedBlob b(sotto_test::sparse_seed_model());
  patch(b);
  b.reseal();
  sotto_model_t model;
  if (sotto_model_open(&model, b.data(), b.bytes) == SOTTO_OK) return "opened";
  return sotto::gw::model::fault_text(model.fault);
}

uint8_t *weights_of(AlignedBlob &b, int op) {
  return b.data() + b.header()->data_offset + b.ops()[op].weights_offset;
}

TEST(SparseLoader, RefusesEveryBrokenEncodingNamingTheCheck) {
  const std::string conv_bad =
      "SOTTO_ERR_MODEL_BAD_CONSTANTS at operator 0 (CONV_2D): sparse weights: expected a bitmap "
      "of kernel_h * kernel_w * ceil(in_c / 4) bits per row, no stray bits, 4 bytes per set bit";
  const std::string fc_bad =
      "SOTTO_ERR_MODEL_BAD_CONSTANTS at operator 2 (FULLY_CONNECTED): sparse weights: expected a "
      "bitmap of ceil(in_n / 4) bits per row, no stray bits, 4 bytes per set bit";
  EXPECT_EQ("opened", refusal([](AlignedBlob &) {}));
  // A bit past the row's 18th block (byte 2, bit 2).
  EXPECT_EQ(conv_bad, refusal([](AlignedBlob &b) { weights_of(b, 0)[2] |= 0x04; }));
  // One more set bit than stored blocks, and one fewer.
  EXPECT_EQ(conv_bad, refusal([](AlignedBlob &b) { weights_of(b, 0)[1] |= 0x01; }));
  EXPECT_EQ(fc_bad, refusal([](AlignedBlob &b) { weights_of(b, 2)[0] &= 0xFE; }));
  // FC rows have 5 blocks: bit 5 is stray; a non-zero padding byte after the bitmap.
  EXPECT_EQ(fc_bad, refusal([](AlignedBlob &b) { weights_of(b, 2)[1] = 0x20; }));
  EXPECT_EQ(fc_bad, refusal([](AlignedBlob &b) { weights_of(b, 2)[3] = 0x01; }));
  // A length that is not the bitmap plus 4 bytes per block, a bitmap longer than the weights.
  EXPECT_EQ(fc_bad, refusal([](AlignedBlob &b) { b.ops()[2].weights_bytes -= 4; }));
  EXPECT_EQ(fc_bad, refusal([](AlignedBlob &b) { b.ops()[2].weights_bytes = 2; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP at operator 2 (FULLY_CONNECTED): sparse weights: expected flag 1, "
      "weight offset 0, not interleaved, word-aligned",
      refusal([](AlignedBlob &b) { b.ops()[2].params[SOTTO_P_FILTER_OFFSET] = 1; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP at operator 2 (FULLY_CONNECTED): sparse weights: expected flag 1, "
      "weight offset 0, not interleaved, word-aligned",
      refusal([](AlignedBlob &b) { b.ops()[2].params[SOTTO_P_SPARSE_WEIGHTS] = 2; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP at operator 0 (CONV_2D): sparse weights: expected flag 1, not "
      "interleaved, word-aligned",
      refusal([](AlignedBlob &b) { b.ops()[0].weights_offset += 2; }));
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_BAD_OP at operator 0 (CONV_2D): sparse weights: expected flag 1, not "
      "interleaved, word-aligned",
      refusal([](AlignedBlob &b) { b.ops()[0].params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = 1; }));
}

}  // namespace
