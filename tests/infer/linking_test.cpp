// Per-op linking: an engine built with only FULLY_CONNECTED (sotto_infer_library ... OPS
// FULLY_CONNECTED, as SOTTO_INFER_ONLY_OPS builds the SDK's) runs models of that op and refuses
// any other op by name at open.
#include <gtest/gtest.h>

#include <vector>

#include "seed_model.h"
#include "sotto/model.h"

using sotto_test::SeedModelBuilder;

namespace {

// input 1x1x4 -> FULLY_CONNECTED 4 -> 3, the seed model's constants.
std::vector<uint8_t> fully_connected_model() {
  SeedModelBuilder b;
  const uint32_t in = b.tensor(1, 1, 4, 0, 0);
  const uint32_t out = b.tensor(1, 1, 3, 4, 5);
  sotto_smdl_op_t *o = &b.op(SOTTO_OP_FULLY_CONNECTED, in, out);
  o->params[SOTTO_P_OUTPUT_OFFSET] = 5;
  b.constants(o, 3 * 4, 3);
  return b.finish(in, out, 8);
}

struct Blob {
  std::vector<uint32_t> words;
  explicit Blob(const std::vector<uint8_t> &b) : words(b.size() / 4 + 1) {
    memcpy(words.data(), b.data(), b.size());
  }
};

TEST(PerOpLinking, RunsTheLinkedOp) {
  const std::vector<uint8_t> bytes = fully_connected_model();
  Blob blob(bytes);
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.words.data(), bytes.size()));
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
  const std::vector<uint8_t> bytes = sotto_test::seed_model();
  Blob blob(bytes);
  sotto_model_t model;
  EXPECT_EQ(SOTTO_ERR_MODEL_UNSUPPORTED_OP,
            sotto_model_open(&model, blob.words.data(), bytes.size()));
  const sotto_model_fault_t *f = sotto_model_open_fault(&model);
  EXPECT_EQ(0, f->op_index);
  EXPECT_STREQ("CONV_2D", f->op_name);  // named even though this engine does not link it
  EXPECT_STREQ("kind: expected an op this build links (op_table.h, SOTTO_INFER_ONLY_OPS)",
               f->check);
}

}  // namespace
