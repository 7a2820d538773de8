// Importer: errors name the op, its index and what is supported; targets parse; plans are tight.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "flatbuffer_view.h"
#include "memory_plan.h"
#include "model_fixture.h"
#include "tflite_builder.h"
#include "tflite_model.h"

using namespace sotto_test;
using namespace sotto::gw::model;

namespace {

// Rewrites the opcode of every operator whose builtin code is `from` to `to` (both fields).
void patch_opcode(std::vector<uint8_t> *bytes, int32_t from, int32_t to) {
  const FlatTable root = flat_root(*bytes);
  for (const FlatTable &oc : root.table_vector(1)) {
    const int32_t code = std::max<int32_t>(oc.scalar<int8_t>(0, 0), oc.scalar<int32_t>(3, 0));
    if (code != from) continue;
    if (size_t p = oc.field_pos(0)) (*bytes)[p] = static_cast<uint8_t>(to);
    if (size_t p = oc.field_pos(3)) std::memcpy(bytes->data() + p, &to, 4);
  }
}

TEST(Importer, UnsupportedOpNamesOpIndexAndSupportedList) {
  SOTTO_REQUIRE_SHARED_DATA();
  std::vector<uint8_t> kws = read_file(shared_model("kws_ref_model.tflite"));
  patch_opcode(&kws, 25, 28);  // SOFTMAX (op 12) becomes TANH
  EXPECT_EQ(
      "unsupported operator TANH (builtin code 28) at index 12; supported: CONV_2D, "
      "DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, RESHAPE, SOFTMAX, "
      "MUL, LOGISTIC, CONCATENATION, PAD, MEAN, QUANTIZE, DEQUANTIZE, SUB, LEAKY_RELU, "
      "STRIDED_SLICE, TRANSPOSE, TRANSPOSE_CONV, SVDF, UNIDIRECTIONAL_SEQUENCE_LSTM, PADV2",
      import_error(kws));
}

TEST(Importer, EveryBuiltinOperatorOfTheSchemaIsNamed) {
  EXPECT_STREQ("TRANSPOSE", builtin_op_name(39));
  EXPECT_STREQ("UNIDIRECTIONAL_SEQUENCE_LSTM", builtin_op_name(44));
  EXPECT_STREQ("CUSTOM", builtin_op_name(32));
  EXPECT_STREQ("HARD_SWISH", builtin_op_name(117));
  EXPECT_STREQ("RIGHT_SHIFT", builtin_op_name(161));
  EXPECT_STREQ("STABLEHLO_RNG_BIT_GENERATOR", builtin_op_name(204));
  EXPECT_STREQ("TEMP_STREAMING_CONV_2D", builtin_op_name(225));
  EXPECT_STREQ("UNKNOWN", builtin_op_name(226));
  EXPECT_STREQ("UNKNOWN", builtin_op_name(-1));
  std::set<std::string> names;
  for (int32_t code = 0; code <= 205; ++code) names.insert(builtin_op_name(code));
  EXPECT_EQ(206u, names.size());  // one distinct name per code, none UNKNOWN
  EXPECT_EQ(0u, names.count("UNKNOWN"));
}

// A CUSTOM op is named by its custom code.
TEST(Importer, CustomOperatorIsNamedByItsCustomCode) {
  sotto::gw::tools::TfliteBuilder b;
  const int32_t in = b.tensor({1, 4}, 9, 0.5f, 0);
  const int32_t out = b.tensor({1, 4}, 9, 0.5f, 0);
  b.op(32, {in}, out, nullptr, "TFLite_Detection_PostProcess");
  EXPECT_EQ(0u, import_error(b.finish(in, out))
                    .find("unsupported operator CUSTOM 'TFLite_Detection_PostProcess' (builtin "
                          "code 32) at index 0; supported: CONV_2D, "));
}

// Op support is checked for every operator before any tensor type: the unsupported op at index
// 1 is named, not the INT64 tensor op 0 reads.
TEST(Importer, UnsupportedOpIsNamedBeforeTensorTypes) {
  sotto::gw::tools::TfliteBuilder b;
  const int32_t in = b.tensor({1, 2, 2, 4}, 4);  // INT64
  const int32_t mid = b.tensor({1, 2, 2, 4}, 9, 0.5f, 0);
  const int32_t out = b.tensor({1, 1, 1, 16}, 9, 0.5f, 0);
  b.op(114, {in}, mid);
  b.op(26, {mid}, out);  // SPACE_TO_DEPTH
  EXPECT_EQ(0u, import_error(b.finish(in, out))
                    .find("unsupported operator SPACE_TO_DEPTH (builtin code 26) at index 1"));
}

// A tensor the model leaves unnamed is named by its index.
TEST(Importer, UnnamedTensorsAreNamedByIndex) {
  sotto::gw::tools::TfliteBuilder b;
  b.name_tensors = false;
  const int32_t in = b.tensor({1, 4}, 9, 0.5f, 0);
  const int32_t wide = b.tensor({1, 4}, 4);  // INT64
  const int32_t out = b.tensor({1, 4}, 9, 0.5f, 0);
  b.op(0, {in, wide}, out);
  EXPECT_EQ(
      "operator 0 (ADD): tensor 1 has type INT64; supported: INT8, INT16, INT32, UINT8, FLOAT32",
      import_error(b.finish(in, out)));
}

TEST(Importer, UnsupportedTypeNamesOpAndTensor) {
  SOTTO_REQUIRE_SHARED_DATA();
  std::vector<uint8_t> ad = read_file(shared_model("ad01_int8.tflite"));
  // Change the model input tensor's type from INT8 to FLOAT32.
  const FlatTable root = flat_root(ad);
  const FlatTable sg = root.table_vector(2)[0];
  const int32_t input = sg.scalar_vector<int32_t>(1)[0];
  const FlatTable tensor = sg.table_vector(0)[static_cast<size_t>(input)];
  ASSERT_NE(0u, tensor.field_pos(1));
  ad[tensor.field_pos(1)] = 0;
  const std::string err = import_error(ad);
  EXPECT_NE(std::string::npos, err.find("operator 0 (FULLY_CONNECTED)")) << err;
  EXPECT_NE(std::string::npos, err.find("input tensor 'input_1' has type FLOAT32; supported: INT8"))
      << err;
}

TEST(Importer, MalformedFilesAreImportErrors) {
  SOTTO_REQUIRE_SHARED_DATA();
  EXPECT_EQ("malformed TFLite file: not a TFLite flatbuffer (missing TFL3 identifier)",
            import_error(std::vector<uint8_t>(64, 0)));
  std::vector<uint8_t> kws = read_file(shared_model("kws_ref_model.tflite"));
  kws.resize(kws.size() / 3);
  EXPECT_EQ(0u, import_error(kws).find("malformed TFLite file: flatbuffer: offset"));
}

TEST(Importer, ParsesTargetsAndStoresThemInTheHeader) {
  SOTTO_REQUIRE_SHARED_DATA();
  EXPECT_EQ(Target::kCortexM4, parse_target("cortex-m4"));
  EXPECT_EQ(Target::kRv32, parse_target("rv32"));
  EXPECT_THROW(parse_target("m7"), std::invalid_argument);
  const std::vector<uint8_t> blob =
      import_tflite(read_file(shared_model("ad01_int8.tflite")), Target::kCortexM0);
  sotto_smdl_header_t h;
  std::memcpy(&h, blob.data(), sizeof h);
  EXPECT_EQ(static_cast<uint16_t>(SOTTO_SMDL_TARGET_CORTEX_M0), h.target);
  EXPECT_EQ(blob.size(), h.total_bytes);
}

TEST(Importer, ArenaPlansReuseMemoryAndRunInPlace) {
  SOTTO_REQUIRE_SHARED_DATA();
  // Exact plan sizes: a change here is a planner change to review, not noise.
  // Whole tensors only (row_stream_test.cpp has the streamed plans).
  ImportSummary kws, vww, ic, ad;
  BlobOptions whole_tensors;
  whole_tensors.row_streams = false;
  import_tflite(read_file(shared_model("kws_ref_model.tflite")), Target::kGeneric, &kws, {},
                whole_tensors);
  import_tflite(read_file(shared_model("vww_96_int8.tflite")), Target::kGeneric, &vww, {},
                whole_tensors);
  import_tflite(read_file(shared_model("pretrainedResnet_quant.tflite")), Target::kGeneric, &ic, {},
                whole_tensors);
  import_tflite(read_file(shared_model("ad01_int8.tflite")), Target::kGeneric, &ad, {},
                whole_tensors);
  // One 25x5x64 buffer drifting by each op's in-place distance (DW 3x3: 7 pixels, 1x1: 1).
  EXPECT_EQ(10048u, kws.arena_bytes);
  // 1x1 conv 48x48x8 -> 48x48x16 in place: its input starts 18440 bytes into its output.
  EXPECT_EQ(36888u, vww.arena_bytes);
  // Residual block: skip 32x32x16 + conv in place (34 pixels of 16 channels apart).
  EXPECT_EQ(33312u, ic.arena_bytes);
  EXPECT_EQ(768u, ad.arena_bytes);  // 640 input + 128 widest layer: FC cannot run in place
  EXPECT_EQ(13u, kws.op_count);
  EXPECT_EQ(264192u, ad.weight_bytes);  // = the model's MACs: one int8 weight per MAC
}

TEST(MemoryPlan, InPlacePairSharesBytesAtTheKernelsDistance) {
  std::vector<PlanItem> items(2);
  items[0].bytes = 100;  // op 0 reads it and it dies there
  items[0].first_op = items[0].last_op = 0;
  items[1].bytes = 100;  // op 0 writes it, op 1 reads it
  items[1].first_op = 0;
  items[1].last_op = 1;
  PlanOverlap o;
  o.output = 1;
  o.input = 0;
  o.op = 0;
  o.min_distance = 12;
  std::vector<PlanItem> disjoint = items;
  EXPECT_EQ(200u, plan_memory(&disjoint));
  EXPECT_EQ(112u, plan_memory(&items, {o}));
  EXPECT_EQ(0u, items[1].offset);  // the output sits 12 bytes below its input
  EXPECT_EQ(12u, items[0].offset);
  items[0].last_op = 1;  // an input that lives on past the op never overlaps
  EXPECT_EQ(200u, plan_memory(&items, {o}));
}

}  // namespace
