// CONV_2D filters interleaved for the Cortex-M4 (SOTTO_P_FC_WEIGHTS_INTERLEAVED in smdl_format.h):
// the importer lays out every 1x1 convolution of KWS that way (flag 1) and every windowed one of
// ResNet-8 (flag 2, rows padded to whole groups), with the folded bias and the kernels' scratch;
// the host's reference reads both layouts to the same bytes as the plain filter; and the loader
// refuses the flags wherever a layout's conditions do not hold.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "importer.h"
#include "model_fixture.h"
#include "sotto/model.h"

namespace {

using sotto::gw::model::import_tflite;
using sotto::gw::model::Target;
using sotto_test::AlignedBlob;
using sotto_test::read_file;
using sotto_test::shared_model;

std::vector<uint8_t> kws_for(Target target) {
  return import_tflite(read_file(shared_model("kws_ref_model.tflite")), target);
}

std::vector<uint8_t> ic_for(Target target) {
  return import_tflite(read_file(shared_model("pretrainedResnet_quant.tflite")), target);
}

bool pointwise(const sotto_smdl_op_t &op) {
  return op.kind == SOTTO_OP_CONV_2D && op.params[SOTTO_P_KERNEL_H] == 1 &&
         op.params[SOTTO_P_KERNEL_W] == 1;
}

bool windowed(const sotto_smdl_op_t &op) {
  return op.kind == SOTTO_OP_CONV_2D && !pointwise(op);
}

// The model's output for input bytes i * 37 + 5 (host kernels).
std::vector<int8_t> run(const std::vector<uint8_t> &blob) {
  AlignedBlob b(blob);
  sotto_model_t model;
  EXPECT_EQ(SOTTO_OK, sotto_model_open(&model, b.data(), b.bytes))
      << sotto::gw::model::fault_text(model.fault);
  std::vector<uint32_t> arena((sotto_model_arena_bytes(&model) + 3) / 4);
  EXPECT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  sotto_tensor_t in, out;
  EXPECT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
  for (uint32_t i = 0; i < in.bytes; ++i)
    static_cast<int8_t *>(in.data)[i] = static_cast<int8_t>(i * 37 + 5);
  EXPECT_EQ(SOTTO_OK, sotto_invoke(&model));
  EXPECT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
  const int8_t *o = static_cast<const int8_t *>(out.data);
  return std::vector<int8_t>(o, o + out.bytes);
}

// MobileNetV2's 34 pointwise convs: the 17 projections (out_c below in_c) are interleaved; the 16
// expansions (16->96 ... 160->960) and the last 320->1280 conv, each over twice its inputs, keep
// the plain filter for the general kernel, which is faster there.
TEST(PointwiseLayout, ExpansionsOverTwiceTheirInputsKeepThePlainFilter) {
  SOTTO_REQUIRE_SHARED_DATA();
  AlignedBlob m4(import_tflite(read_file(std::string(SOTTO_SHARED_DIR) +
                                         "/models/tflm-examples/derived/mobilenet_v2_nhwc.tflite"),
                               Target::kCortexM4));
  int interleaved = 0, plain = 0;
  for (uint32_t i = 0; i < m4.header()->op_count; ++i) {
    const sotto_smdl_op_t &op = m4.ops()[i];
    if (!pointwise(op)) continue;
    const int32_t in_c = m4.tensors()[op.input0].dims[3], out_c = m4.tensors()[op.output].dims[3];
    EXPECT_EQ(out_c <= 2 * in_c ? 1 : 0, op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED]) << "op " << i;
    ++(op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0 ? interleaved : plain);
  }
  EXPECT_EQ(17, interleaved);
  EXPECT_EQ(17, plain);
}

TEST(PointwiseLayout, ImporterInterleavesEveryKwsPointwiseConvForTheCortexM4Only) {
  SOTTO_REQUIRE_SHARED_DATA();
  AlignedBlob m4(kws_for(Target::kCortexM4)), generic(kws_for(Target::kGeneric));
  int interleaved = 0;
  for (uint32_t i = 0; i < m4.header()->op_count; ++i) {
    const sotto_smdl_op_t &op = m4.ops()[i];
    EXPECT_EQ(0, generic.ops()[i].params[SOTTO_P_FC_WEIGHTS_INTERLEAVED]) << "op " << i;
    if (!pointwise(op)) continue;
    const uint32_t in_c = static_cast<uint32_t>(m4.tensors()[op.input0].dims[3]);
    const uint32_t out_c = static_cast<uint32_t>(m4.tensors()[op.output].dims[3]);
    EXPECT_EQ(1, op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED]) << "op " << i;
    EXPECT_EQ(out_c, op.folded_bias_count) << "op " << i;
    EXPECT_EQ(out_c * in_c, op.weights_bytes) << "op " << i;
    // Four pixels' inputs as int16 pairs, then 16 bytes per output channel (pointwise_conv.h).
    EXPECT_EQ(8 * (in_c & ~3u) + 16 * out_c, op.scratch_bytes) << "op " << i;
    ++interleaved;
  }
  EXPECT_EQ(4, interleaved);  // DS-CNN: four depthwise-separable blocks, 64 -> 64 channels each
}

TEST(PointwiseLayout, HostReferenceReadsTheInterleavedFilterToTheSameBytes) {
  SOTTO_REQUIRE_SHARED_DATA();
  const std::vector<int8_t> generic = run(kws_for(Target::kGeneric));
  ASSERT_EQ(12u, generic.size());
  EXPECT_EQ(generic, run(kws_for(Target::kCortexM4)));
}

// The loader's verdict on `blob` with its first op that `pick` takes patched.
template <typename Patch>
std::string refusal(Patch patch, const std::vector<uint8_t> &blob = kws_for(Target::kCortexM4),
                    bool (*pick)(const sotto_smdl_op_t &) = pointwise) {
  AlignedBlob b(blob);
  uint32_t first = 0;
  while (!pick(b.ops()[first])) ++first;
  patch(b, &b.ops()[first]);
  b.reseal();
  sotto_model_t model;
  if (sotto_model_open(&model, b.data(), b.bytes) == SOTTO_OK) return "opened";
  return sotto::gw::model::fault_text(model.fault);
}

TEST(PointwiseLayout, LoaderRefusesTheLayoutWhereItsConditionsFail) {
  SOTTO_REQUIRE_SHARED_DATA();
  const std::string bad =
      "SOTTO_ERR_MODEL_BAD_OP at operator 2 (CONV_2D): interleaved weights: expected flag 1 for a "
      "1x1 window without padding or 2 for any other window, int8 activations, one folded bias "
      "per output channel and word-aligned weights";
  EXPECT_EQ("opened", refusal([](AlignedBlob &, sotto_smdl_op_t *) {}));
  EXPECT_EQ(bad, refusal([](AlignedBlob &, sotto_smdl_op_t *op) {
              op->params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = 2;
            }));
  EXPECT_EQ(bad, refusal([](AlignedBlob &, sotto_smdl_op_t *op) { op->folded_bias_count = 0; }));
  EXPECT_EQ(bad, refusal([](AlignedBlob &, sotto_smdl_op_t *op) { op->folded_bias_count -= 1; }));
  EXPECT_EQ(bad,
            refusal([](AlignedBlob &, sotto_smdl_op_t *op) { op->params[SOTTO_P_PAD_W] = 1; }));
  EXPECT_EQ(bad, refusal([](AlignedBlob &, sotto_smdl_op_t *op) { op->weights_offset += 2; }));
  // The weights' length is checked as for any filter: out_c x in_c bytes.
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_SHAPE_MISMATCH at operator 2 (CONV_2D): weights: expected out_c * "
      "kernel_h * kernel_w * in_c bytes",
      refusal([](AlignedBlob &, sotto_smdl_op_t *op) { op->weights_bytes -= 4; }));
}

// ResNet-8's seven 3x3 convs (its first with 3 input channels: a window of 27, stored as rows of
// 28) are stored for the windowed kernel; its two 1x1 shortcut convs for the pointwise one.
TEST(WindowLayout, ImporterInterleavesEveryIcWindowedConvForTheCortexM4Only) {
  SOTTO_REQUIRE_SHARED_DATA();
  AlignedBlob m4(ic_for(Target::kCortexM4)), generic(ic_for(Target::kGeneric));
  int interleaved = 0, padded = 0;
  for (uint32_t i = 0; i < m4.header()->op_count; ++i) {
    const sotto_smdl_op_t &op = m4.ops()[i];
    EXPECT_EQ(0, generic.ops()[i].params[SOTTO_P_FC_WEIGHTS_INTERLEAVED]) << "op " << i;
    if (pointwise(op)) {
      EXPECT_EQ(1, op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED]) << "op " << i;
    }
    if (!windowed(op)) continue;
    const uint32_t window =
        static_cast<uint32_t>(op.params[SOTTO_P_KERNEL_H] * op.params[SOTTO_P_KERNEL_W] *
                              m4.tensors()[op.input0].dims[3]);
    const uint32_t row = (window + 3) / 4 * 4;
    const uint32_t out_c = static_cast<uint32_t>(m4.tensors()[op.output].dims[3]);
    EXPECT_EQ(2, op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED]) << "op " << i;
    EXPECT_EQ(out_c, op.folded_bias_count) << "op " << i;
    EXPECT_EQ(out_c * row, op.weights_bytes) << "op " << i;
    // Four pixels' windows as int16 pairs, one staged as int8, 16 bytes per output channel
    // (window_conv.h).
    EXPECT_EQ(9 * row + 16 * out_c, op.scratch_bytes) << "op " << i;
    ++interleaved;
    padded += row != window ? 1 : 0;
  }
  EXPECT_EQ(7, interleaved);
  EXPECT_EQ(1, padded);
}

TEST(WindowLayout, HostReferenceReadsTheWindowedFilterToTheSameBytes) {
  SOTTO_REQUIRE_SHARED_DATA();
  const std::vector<int8_t> generic = run(ic_for(Target::kGeneric));
  ASSERT_EQ(10u, generic.size());
  EXPECT_EQ(generic, run(ic_for(Target::kCortexM4)));
}

TEST(WindowLayout, LoaderRefusesTheLayoutWhereItsConditionsFail) {
  SOTTO_REQUIRE_SHARED_DATA();
  const std::vector<uint8_t> ic = ic_for(Target::kCortexM4);
  const std::string bad =
      "SOTTO_ERR_MODEL_BAD_OP at operator 0 (CONV_2D): interleaved weights: expected flag 1 for a "
      "1x1 window without padding or 2 for any other window, int8 activations, one folded bias "
      "per output channel and word-aligned weights";
  auto windowed_refusal = [&](void (*patch)(AlignedBlob &, sotto_smdl_op_t *)) {
    return refusal(patch, ic, windowed);
  };
  EXPECT_EQ("opened", windowed_refusal([](AlignedBlob &, sotto_smdl_op_t *) {}));
  EXPECT_EQ(bad, windowed_refusal([](AlignedBlob &, sotto_smdl_op_t *op) {
              op->params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = 1;
            }));
  EXPECT_EQ(bad, windowed_refusal([](AlignedBlob &, sotto_smdl_op_t *op) {
              op->params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] = 3;
            }));
  EXPECT_EQ(
      bad, windowed_refusal([](AlignedBlob &, sotto_smdl_op_t *op) { op->folded_bias_count = 0; }));
  EXPECT_EQ(bad,
            windowed_refusal([](AlignedBlob &, sotto_smdl_op_t *op) { op->weights_offset += 2; }));
  // The padded rows' length: out_c x 28 bytes for the first conv's window of 27, not 27.
  EXPECT_EQ(
      "SOTTO_ERR_MODEL_SHAPE_MISMATCH at operator 0 (CONV_2D): weights: expected out_c * "
      "(kernel_h * kernel_w * in_c rounded up to a multiple of 4) bytes for a filter interleaved "
      "with flag 2",
      windowed_refusal([](AlignedBlob &, sotto_smdl_op_t *op) { op->weights_bytes -= 16; }));
}

}  // namespace
