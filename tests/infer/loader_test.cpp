// Loader validation: a truncated, corrupted or hostile blob is rejected with a named error.
#include <gtest/gtest.h>

#include "model_fixture.h"
#include "seed_model.h"
#include "sotto/model.h"

using namespace sotto_test;
using sotto::gw::model::import_tflite;
using sotto::gw::model::Target;

namespace {

class Loader : public ::testing::Test {
 protected:
  void SetUp() override {
    SOTTO_REQUIRE_SHARED_DATA();
    original_ = import_tflite(read_file(shared_model("kws_ref_model.tflite")), Target::kGeneric);
  }
  sotto_err_t open(AlignedBlob &b, size_t bytes) {
    return sotto_model_open(&model_, b.data(), bytes);
  }
  std::vector<uint8_t> original_;
  sotto_model_t model_;
};

#define EXPECT_ERR(expected, actual) EXPECT_STREQ(sotto_err_name(expected), sotto_err_name(actual))

TEST_F(Loader, OpensTheImportedBlobAndReportsItsArena) {
  AlignedBlob b(original_);
  ASSERT_EQ(SOTTO_OK, open(b, b.bytes));
  EXPECT_EQ(b.header()->arena_bytes, sotto_model_arena_bytes(&model_));
  EXPECT_EQ(13u, sotto_model_op_count(&model_));
}

TEST_F(Loader, RejectsTruncatedBlobs) {
  AlignedBlob b(original_);
  EXPECT_ERR(SOTTO_ERR_MODEL_TRUNCATED, open(b, 0));
  EXPECT_ERR(SOTTO_ERR_MODEL_TRUNCATED, open(b, sizeof(sotto_smdl_header_t) - 1));
  EXPECT_ERR(SOTTO_ERR_MODEL_TRUNCATED, open(b, b.bytes - 1));
}

TEST_F(Loader, RejectsWrongMagicAndVersion) {
  AlignedBlob b(original_);
  b.header()->magic ^= 1;
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_MAGIC, open(b, b.bytes));
  AlignedBlob v(original_);
  v.header()->format_version = SOTTO_SMDL_VERSION + 1;
  EXPECT_ERR(SOTTO_ERR_MODEL_VERSION, open(v, v.bytes));
}

TEST_F(Loader, RejectsAnyFlippedByteThroughTheDigest) {
  for (size_t pos : {size_t{12}, size_t{100}, original_.size() / 2, original_.size() - 1}) {
    AlignedBlob b(original_);
    b.data()[pos] ^= 0x40;
    EXPECT_ERR(SOTTO_ERR_MODEL_DIGEST, open(b, b.bytes)) << "byte " << pos;
  }
}

TEST_F(Loader, RejectsTablesOutsideTheBlob) {
  AlignedBlob b(original_);
  b.header()->op_count = 0x10000000u;
  b.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_LAYOUT, open(b, b.bytes));
  AlignedBlob t(original_);
  t.header()->tensor_table_offset = 0xFFFFFFF0u;
  t.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_LAYOUT, open(t, t.bytes));
  AlignedBlob d(original_);
  d.header()->data_bytes += 4;
  d.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_LAYOUT, open(d, d.bytes));
  AlignedBlob i(original_);  // an input index beyond the tensor table
  reinterpret_cast<uint32_t *>(i.data() + i.header()->io_table_offset)[0] =
      i.header()->tensor_count;
  i.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_LAYOUT, open(i, i.bytes));
  AlignedBlob n(original_);  // no outputs
  n.header()->output_count = 0;
  n.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_LAYOUT, open(n, n.bytes));
  AlignedBlob c(original_);  // more inputs than the io table holds before the data
  c.header()->input_count = 0x40000000u;
  c.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_LAYOUT, open(c, c.bytes));
}

TEST_F(Loader, RejectsTensorsOutsideTheArenaOrWithBadShapes) {
  AlignedBlob b(original_);
  b.tensors()[3].arena_offset = b.header()->arena_bytes - 1;
  b.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_TENSOR, open(b, b.bytes));
  AlignedBlob s(original_);
  s.tensors()[2].dims[1] += 1;  // bytes no longer match the shape
  s.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_TENSOR, open(s, s.bytes));
  AlignedBlob z(original_);
  z.tensors()[0].dims[0] = 0;
  z.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_TENSOR, open(z, z.bytes));
}

TEST_F(Loader, RejectsHostileOperators) {
  AlignedBlob k(original_);
  k.ops()[0].kind = 99;
  k.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_UNSUPPORTED_OP, open(k, k.bytes));
  AlignedBlob t(original_);
  t.ops()[1].input0 = t.header()->tensor_count;
  t.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_OP, open(t, t.bytes));
  AlignedBlob w(original_);
  w.ops()[0].weights_offset = w.header()->data_bytes;
  w.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_CONSTANTS, open(w, w.bytes));
  AlignedBlob sh(original_);
  int32_t *shifts =
      reinterpret_cast<int32_t *>(sh.data() + sh.header()->data_offset + sh.ops()[0].shift_offset);
  shifts[0] = 40;  // would be an undefined shift in the kernel
  sh.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_CONSTANTS, open(sh, sh.bytes));
  AlignedBlob m(original_);
  m.ops()[0].weights_bytes -= 1;  // no longer out_c * kh * kw * in_c
  m.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_SHAPE_MISMATCH, open(m, m.bytes));
  AlignedBlob st(original_);
  st.ops()[1].params[SOTTO_P_STRIDE_H] = 0;
  st.reseal();
  EXPECT_ERR(SOTTO_ERR_MODEL_BAD_OP, open(st, st.bytes));
}

// The fault names the operator, its kind and the check that failed, not only the error class.
TEST_F(Loader, FaultNamesTheOperatorAndTheFailedCheck) {
  AlignedBlob m(original_);
  m.ops()[0].weights_bytes -= 1;
  m.reseal();
  ASSERT_EQ(SOTTO_ERR_MODEL_SHAPE_MISMATCH, open(m, m.bytes));
  const sotto_model_fault_t *f = sotto_model_open_fault(&model_);
  EXPECT_EQ(SOTTO_ERR_MODEL_SHAPE_MISMATCH, f->error);
  EXPECT_EQ(0, f->op_index);
  EXPECT_EQ(static_cast<uint32_t>(SOTTO_OP_CONV_2D), f->op_kind);
  EXPECT_EQ(-1, f->tensor_index);
  EXPECT_STREQ("CONV_2D", f->op_name);
  EXPECT_STREQ("weights: expected out_c * kernel_h * kernel_w * in_c bytes", f->check);

  AlignedBlob st(original_);
  st.ops()[1].params[SOTTO_P_STRIDE_H] = 0;
  st.reseal();
  ASSERT_EQ(SOTTO_ERR_MODEL_BAD_OP, open(st, st.bytes));
  EXPECT_EQ(1, sotto_model_open_fault(&model_)->op_index);
  EXPECT_STREQ("DEPTHWISE_CONV_2D", sotto_model_open_fault(&model_)->op_name);
  EXPECT_STREQ(
      "window: expected strides, dilations, kernel 1..1024 and padding 0..1024 "
      "(SOTTO_SMDL_MAX_WINDOW)",
      sotto_model_open_fault(&model_)->check);

  AlignedBlob k(original_);
  k.ops()[4].kind = 99;
  k.reseal();
  ASSERT_EQ(SOTTO_ERR_MODEL_UNSUPPORTED_OP, open(k, k.bytes));
  EXPECT_EQ(4, sotto_model_open_fault(&model_)->op_index);
  EXPECT_EQ(99u, sotto_model_open_fault(&model_)->op_kind);
  EXPECT_STREQ("?", sotto_model_open_fault(&model_)->op_name);

  AlignedBlob t(original_);
  t.tensors()[2].dims[1] += 1;
  t.reseal();
  ASSERT_EQ(SOTTO_ERR_MODEL_BAD_TENSOR, open(t, t.bytes));
  EXPECT_EQ(-1, sotto_model_open_fault(&model_)->op_index);
  EXPECT_EQ(2, sotto_model_open_fault(&model_)->tensor_index);
  EXPECT_STREQ(
      "bytes: expected elements * element size, at most SOTTO_SMDL_MAX_TENSOR_BYTES (2^30)",
      sotto_model_open_fault(&model_)->check);

  AlignedBlob good(original_);
  ASSERT_EQ(SOTTO_OK, open(good, good.bytes));
  EXPECT_EQ(SOTTO_OK, sotto_model_open_fault(&model_)->error);
  EXPECT_EQ(-1, sotto_model_open_fault(&model_)->op_index);
}

TEST_F(Loader, RejectsMisalignedBlobAndSmallOrMissingArena) {
  AlignedBlob b(original_);
  std::vector<uint32_t> shifted(b.words.size() + 1);
  uint8_t *odd = reinterpret_cast<uint8_t *>(shifted.data()) + 1;
  std::memcpy(odd, b.data(), b.bytes);
  EXPECT_ERR(SOTTO_ERR_MODEL_MISALIGNED, sotto_model_open(&model_, odd, b.bytes));
  ASSERT_EQ(SOTTO_OK, open(b, b.bytes));
  sotto_tensor_t t;
  EXPECT_ERR(SOTTO_ERR_MODEL_NO_ARENA, sotto_model_input(&model_, 0, &t));
  EXPECT_ERR(SOTTO_ERR_MODEL_NO_ARENA, sotto_invoke(&model_));
  std::vector<uint32_t> arena(sotto_model_arena_bytes(&model_) / 4);
  EXPECT_ERR(SOTTO_ERR_MODEL_ARENA_TOO_SMALL,
             sotto_model_attach_arena(&model_, arena.data(), arena.size() * 4 - 4));
  ASSERT_EQ(SOTTO_OK, sotto_model_attach_arena(&model_, arena.data(), arena.size() * 4));
  ASSERT_EQ(SOTTO_OK, sotto_model_input(&model_, 0, &t));
  EXPECT_EQ(490u, t.bytes);
  EXPECT_EQ(49, t.dims[1]);
  // KWS has one input and one output: index 1 is named as missing, not read past the table.
  EXPECT_EQ(1u, sotto_model_input_count(&model_));
  EXPECT_EQ(1u, sotto_model_output_count(&model_));
  EXPECT_ERR(SOTTO_ERR_MODEL_NO_SUCH_TENSOR, sotto_model_input(&model_, 1, &t));
  EXPECT_ERR(SOTTO_ERR_MODEL_NO_SUCH_TENSOR, sotto_model_output(&model_, 1, &t));
}

TEST(LoaderSeed, TheFuzzerSeedModelIsValidAndRuns) {
  AlignedBlob b(seed_model());
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, b.data(), b.bytes));
  EXPECT_EQ(26u, sotto_model_op_count(&model));
  EXPECT_EQ(520u, sotto_model_arena_bytes(&model));
  std::vector<uint32_t> arena(520 / 4);
  ASSERT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), 520));
  sotto_tensor_t in, out;
  ASSERT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
  ASSERT_EQ(32u, in.bytes);
  int8_t *in_data = static_cast<int8_t *>(in.data);
  for (uint32_t i = 0; i < in.bytes; ++i) in_data[i] = static_cast<int8_t>(i * 9 - 100);
  ASSERT_EQ(SOTTO_OK, sotto_invoke(&model));
  ASSERT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
  ASSERT_EQ(3u, out.bytes);
  int sum = 0;
  for (uint32_t i = 0; i < 3; ++i) sum += static_cast<const int8_t *>(out.data)[i] + 128;
  EXPECT_NEAR(256, sum, 3);  // probabilities in 1/256 steps add up to ~1
}

}  // namespace
