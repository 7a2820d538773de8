// Float model import: ONNX and float TFLite read into NHWC float graphs that compute what the
// source model computes, quantized per TFLite's int8 scheme, compiled by the unchanged compiler
// and measured against the float reference; refusals name the op, node and index.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "float_eval.h"
#include "float_import.h"
#include "onnx_builder.h"
#include "onnx_reader.h"
#include "quantizer.h"
#include "tflite_builder.h"
#include "tflite_model.h"

namespace sotto::gw::model {
namespace {

using sotto_test::OnnxBuilder;
using sotto_test::random_samples;

std::vector<fp::OpKind> kinds(const fp::Graph &g) {
  std::vector<fp::OpKind> k;
  for (const fp::Op &op : g.ops) k.push_back(op.kind);
  return k;
}

std::string read_error(const std::vector<uint8_t> &bytes) {
  try {
    read_onnx(bytes);
  } catch (const ImportError &e) {
    return e.what();
  }
  return "no error";
}

FloatImportResult quantize(const fp::Graph &g, uint32_t seed) {
  const size_t elements = g.tensors[static_cast<size_t>(g.input)].elements();
  FloatImportOptions options;
  options.calibration = random_samples(300, elements, seed);
  options.calibration_name = "cal";
  options.validation = random_samples(200, elements, seed + 1);
  options.validation_name = "val";
  return import_float(g, options);
}

TEST(OnnxImport, ChannelsFirstConvThenFlattenComputesTheSourceModelsValue) {
  OnnxBuilder b;
  b.input("x", {1, 2, 2, 2});
  b.floats("w", {2, 2, 1, 1}, {1, 0, 0, 2});  // out0 = in0, out1 = 2 * in1
  b.floats("fc", {1, 8}, {1, 2, 3, 4, 5, 6, 7, 8});
  b.node("Conv", {"x", "w"}, "c");
  b.node("Flatten", {"c"}, "f");
  OnnxBuilder::attr(b.node("Gemm", {"f", "fc"}, "y"), "transB", 1);
  b.output("y");
  const fp::Graph g = read_onnx(b.bytes());
  EXPECT_EQ(kinds(g), (std::vector<fp::OpKind>{fp::OpKind::kConv2d, fp::OpKind::kReshape,
                                               fp::OpKind::kFullyConnected}));
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.input)].shape, (std::vector<int32_t>{1, 2, 2, 2}));
  // x[c][h][w] = 4c + 2h + w + 1 in ONNX order; the flattened conv output is 1..4, 10..16.
  const std::vector<float> source = {1, 2, 3, 4, 5, 6, 7, 8};
  fp::Evaluator e(g);
  const std::vector<float> y = e.run(fp::to_device_layout(g, source));
  ASSERT_EQ(y.size(), 1u);
  EXPECT_EQ(y[0], 1 * 1 + 2 * 2 + 3 * 3 + 4 * 4 + 5 * 10 + 6 * 12 + 7 * 14 + 8 * 16);
}

TEST(OnnxImport, Conv1dBatchNormDepthwiseClassifierKeepsTopOneAfterQuantization) {
  OnnxBuilder b;
  b.input("x", {1, 2, 32});
  b.random("w1", {8, 2, 5}, 0.5f, 1);
  b.random("b1", {8}, 0.1f, 2);
  b.floats("bn_scale", {8}, std::vector<float>(8, 1.5f));
  b.random("bn_bias", {8}, 0.2f, 3);
  b.random("bn_mean", {8}, 0.1f, 4);
  b.floats("bn_var", {8}, std::vector<float>(8, 0.8f));
  b.random("w2", {8, 1, 3}, 0.8f, 5);
  b.random("fc", {5, 64}, 0.3f, 6);
  b.random("fc_bias", {5}, 0.1f, 7);
  OnnxBuilder::attr(b.node("Conv", {"x", "w1", "b1"}, "c1"), "pads", {2, 2});
  b.node("BatchNormalization", {"c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, "bn");
  b.node("Relu", {"bn"}, "r1");
  auto &pool = b.node("MaxPool", {"r1"}, "p");
  OnnxBuilder::attr(pool, "kernel_shape", std::vector<int64_t>{2});
  OnnxBuilder::attr(pool, "strides", std::vector<int64_t>{2});
  auto &dw = b.node("Conv", {"p", "w2"}, "c2");
  OnnxBuilder::attr(dw, "group", 8);
  OnnxBuilder::attr(dw, "strides", std::vector<int64_t>{2});
  OnnxBuilder::attr(dw, "pads", {1, 1});  // more before than SAME gives: an explicit PAD
  b.node("Relu", {"c2"}, "r2");
  b.node("Flatten", {"r2"}, "f");
  OnnxBuilder::attr(b.node("Gemm", {"f", "fc", "fc_bias"}, "logits"), "transB", 1);
  b.node("Softmax", {"logits"}, "y");
  b.output("y");
  const fp::Graph g = read_onnx(b.bytes());
  EXPECT_EQ(kinds(g), (std::vector<fp::OpKind>{fp::OpKind::kConv2d, fp::OpKind::kMaxPool2d,
                                               fp::OpKind::kDepthwiseConv2d, fp::OpKind::kReshape,
                                               fp::OpKind::kFullyConnected, fp::OpKind::kSoftmax}));
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.input)].shape, (std::vector<int32_t>{1, 1, 32, 2}));
  const FloatImportResult r = quantize(g, 10);
  EXPECT_EQ(r.summary.op_count, 7u);  // the depthwise conv's padding became a PAD op
  EXPECT_EQ(r.agreement.set, "validation set val");
  EXPECT_EQ(r.agreement.samples, 200u);
  ASSERT_EQ(r.agreement.classes.size(), 1u);
  EXPECT_EQ(r.agreement.classes[0].begin, 0u);
  EXPECT_EQ(r.agreement.classes[0].end, 5u);
  EXPECT_GE(r.agreement.classes[0].agreeing, 190u);  // >= 95 % top-1 agreement
  EXPECT_TRUE(r.agreement.scores.empty());
}

TEST(OnnxImport, BranchesAddConcatOfScoresAndClassesAgreeAfterQuantization) {
  OnnxBuilder b;
  b.input("x", {1, 4, 6, 6});
  b.ints("pads", {0, 0, 1, 1, 0, 0, 1, 1});
  b.random("w", {8, 4, 3, 3}, 0.3f, 1);
  b.floats("lo", {}, {0.0f});
  b.floats("hi", {}, {6.0f});
  b.random("wa", {8, 8, 1, 1}, 0.5f, 2);
  b.random("wb", {8, 8, 1, 1}, 0.5f, 3);
  b.random("ga", {8, 3}, 3.0f, 4);
  b.random("gb", {8, 2}, 0.8f, 5);
  b.node("Pad", {"x", "pads"}, "padded");
  b.node("Conv", {"padded", "w"}, "c");
  b.node("Clip", {"c", "lo", "hi"}, "c6");
  b.node("Conv", {"c6", "wa"}, "a");
  b.node("Conv", {"c6", "wb"}, "b");
  b.node("Add", {"a", "b"}, "sum");
  b.node("Relu", {"sum"}, "r");
  b.node("GlobalAveragePool", {"r"}, "gap");
  b.node("Flatten", {"gap"}, "f");
  b.node("MatMul", {"f", "ga"}, "sa");
  b.node("Sigmoid", {"sa"}, "scores");
  b.node("MatMul", {"f", "gb"}, "sb");
  b.node("Softmax", {"sb"}, "classes");
  OnnxBuilder::attr(b.node("Concat", {"scores", "classes"}, "y"), "axis", 1);
  b.output("y");
  const fp::Graph g = read_onnx(b.bytes());
  EXPECT_EQ(g.ops.size(), 12u);
  const FloatImportResult r = quantize(g, 20);
  ASSERT_EQ(r.agreement.classes.size(), 1u);
  EXPECT_EQ(r.agreement.classes[0].begin, 3u);
  EXPECT_EQ(r.agreement.classes[0].end, 5u);
  EXPECT_GE(r.agreement.classes[0].agreeing, 190u);
  ASSERT_EQ(r.agreement.scores.size(), 3u);
  for (const ScoreAgreement &s : r.agreement.scores) {
    EXPECT_GE(s.correlation, 0.98) << "output " << s.output << " mae " << s.mean_abs_error;
    EXPECT_LE(s.mean_abs_error, 0.02) << "output " << s.output;
  }
}

TEST(OnnxImport, RefusesWhatTheEngineCannotRunNamingNodeAndIndex) {
  {
    OnnxBuilder b;
    b.input("x", {1, 4});
    b.node("LSTM", {"x"}, "h", "lstm");
    b.output("h");
    EXPECT_EQ(read_error(b.bytes()),
              "unsupported ONNX operator LSTM (node 'lstm', index 0); supported: Conv (incl. "
              "depthwise via group), Gemm, MatMul, Relu, Clip, Add, Mul, AveragePool, MaxPool, "
              "GlobalAveragePool, Flatten, Reshape, Softmax, Sigmoid, Concat, Pad, "
              "BatchNormalization (after a Conv)");
  }
  {
    OnnxBuilder b;
    b.input("x", {1, 4, 8});
    b.random("w", {4, 2, 3}, 1.0f, 1);
    OnnxBuilder::attr(b.node("Conv", {"x", "w"}, "y", "grouped"), "group", 2);
    b.output("y");
    EXPECT_EQ(read_error(b.bytes()),
              "node 'grouped' (Conv, index 0): group 2 of 4 input channels; supported: 1, or one "
              "group per input channel (depthwise)");
  }
  {
    OnnxBuilder b;
    b.input("x", {1, 4});
    b.random("w", {4, 4}, 1.0f, 1);
    b.node("MatMul", {"x", "w"}, "m");
    OnnxBuilder::attr(b.node("Concat", {"m", "m"}, "c"), "axis", 1);
    b.node("Relu", {"c"}, "y", "after_concat");
    b.output("y");
    EXPECT_EQ(read_error(b.bytes()),
              "node 'after_concat' (Relu, index 2): cannot fuse into the CONCATENATION before it; "
              "supported: after Conv, Gemm, MatMul, Add, Mul or a pool");
  }
  {
    OnnxBuilder b;
    b.input("x", {1, 4});
    b.random("w", {4, 4}, 1.0f, 1);
    b.floats("lo", {}, {0.5f});
    b.floats("hi", {}, {3.0f});
    b.node("MatMul", {"x", "w"}, "m");
    b.node("Clip", {"m", "lo", "hi"}, "y", "clip");
    b.output("y");
    EXPECT_EQ(read_error(b.bytes()),
              "node 'clip' (Clip, index 1): range [0.500000, 3.000000] excludes 0; supported: "
              "ranges containing 0");
  }
  {
    OnnxBuilder b;
    b.input("x", {1, 8});
    b.ints("shape", {1, 2, 4});
    b.node("Reshape", {"x", "shape"}, "y", "reshape");
    b.output("y");
    EXPECT_EQ(read_error(b.bytes()),
              "node 'reshape' (Reshape, index 0): reshape of [1, 8] to channels-first [1, 2, 4] "
              "would reorder elements on the device; supported: flattening to [N, features]");
  }
  {
    OnnxBuilder b;
    b.input("x", {1, 4});
    b.random("w", {4, 4}, 1.0f, 1);
    for (const char *p : {"s", "b", "m", "v"}) b.floats(p, {4}, {1, 1, 1, 1});
    b.node("MatMul", {"x", "w"}, "m0");
    b.node("BatchNormalization", {"m0", "s", "b", "m", "v"}, "y", "bn");
    b.output("y");
    EXPECT_EQ(read_error(b.bytes()),
              "node 'bn' (BatchNormalization, index 1): BatchNormalization folds only into a Conv "
              "before it without an activation between; found FULLY_CONNECTED");
  }
  EXPECT_EQ(read_error({1, 2, 3}),
            "not an ONNX model (protobuf ModelProto with a graph did not parse)");
}

TEST(FloatImport, CalibrationSamplesMustBeShapedLikeTheInput) {
  OnnxBuilder b;
  b.input("x", {1, 2, 8});
  b.random("w", {3, 2, 1}, 1.0f, 1);
  b.node("Conv", {"x", "w"}, "y");
  b.output("y");
  const fp::Graph g = read_onnx(b.bytes());
  NpyArray wrong;
  wrong.shape = {10, 3, 8};
  wrong.values.resize(240);
  try {
    device_samples(g, wrong, "cal.npy");
    FAIL() << "accepted a [10, 3, 8] calibration set";
  } catch (const ImportError &e) {
    EXPECT_STREQ(e.what(),
                 "cal.npy: shape [10, 3, 8]; expected [N, 2, 8] (samples of the model input "
                 "[1, 2, 8], channels first)");
  }
  NpyArray right;
  right.shape = {2, 1, 2, 8};  // with the batch dim: accepted too, and transposed to NHWC
  for (int i = 0; i < 32; ++i) right.values.push_back(static_cast<float>(i));
  const auto samples = device_samples(g, right, "cal.npy");
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[1][0], 16.0f);
  EXPECT_EQ(samples[1][1], 24.0f);  // channel 1 of position 0
  EXPECT_EQ(samples[1][2], 17.0f);
}

TEST(Quantizer, WeightsArePerChannelSymmetricAndBiasIsInt32AtInputTimesWeightScale) {
  OnnxBuilder b;
  b.input("x", {1, 3});
  b.floats("w", {2, 3}, {0.5f, -1.0f, 0.25f, 2.0f, 0.0f, -4.0f});
  b.floats("bias", {2}, {0.1f, -0.2f});
  OnnxBuilder::attr(b.node("Gemm", {"x", "w", "bias"}, "y"), "transB", 1);
  b.output("y");
  const fp::Graph g = read_onnx(b.bytes());
  const std::vector<TensorRange> ranges =
      calibrate(g, {{-1.0f, 0.0f, 1.0f}, {0.5f, 1.0f, -1.0f}}, 0);
  EXPECT_EQ(ranges[static_cast<size_t>(g.input)].min, -1.0f);
  EXPECT_EQ(ranges[static_cast<size_t>(g.input)].max, 1.0f);
  TfModel m;
  parse_tflite(quantize_to_tflite(g, ranges), &m);
  const TfTensor *weights = nullptr, *bias = nullptr,
                 *input = &m.tensors[static_cast<size_t>(m.inputs[0])];
  for (const TfTensor &t : m.tensors) {
    if (t.name == "y/weights") weights = &t;
    if (t.name == "y/bias") bias = &t;
  }
  ASSERT_NE(weights, nullptr);
  ASSERT_NE(bias, nullptr);
  EXPECT_EQ(input->scales, (std::vector<float>{2.0f / 255.0f}));
  EXPECT_EQ(input->zero_points, (std::vector<int64_t>{-1}));
  EXPECT_EQ(weights->scales, (std::vector<float>{1.0f / 127.0f, 4.0f / 127.0f}));
  EXPECT_EQ(weights->zero_points, (std::vector<int64_t>{0, 0}));
  std::vector<int8_t> w(weights->data.size());
  std::memcpy(w.data(), weights->data.data(), w.size());
  EXPECT_EQ(w, (std::vector<int8_t>{64, -127, 32, 64, 0, -127}));
  std::vector<int32_t> q(2);
  std::memcpy(q.data(), bias->data.data(), 8);
  // round(0.1 / (2/255 * 1/127)) and round(-0.2 / (2/255 * 4/127))
  EXPECT_EQ(q, (std::vector<int32_t>{1619, -810}));
}

TEST(Quantizer, PercentileRangesIgnoreTheTails) {
  OnnxBuilder b;
  b.input("x", {1, 1});
  b.floats("w", {1, 1}, {1.0f});
  b.node("MatMul", {"x", "w"}, "y");
  b.output("y");
  const fp::Graph g = read_onnx(b.bytes());
  std::vector<std::vector<float>> samples;
  for (int i = 0; i < 1000; ++i) samples.push_back({static_cast<float>(i) / 1000.0f});
  const TensorRange all = calibrate(g, samples, 0)[static_cast<size_t>(g.input)];
  EXPECT_EQ(all.min, 0.0f);
  EXPECT_EQ(all.max, 0.999f);
  const TensorRange p99 = calibrate(g, samples, 99.0)[static_cast<size_t>(g.input)];
  EXPECT_EQ(p99.min, 0.010f);  // value at round(0.01 * 999) = 10
  EXPECT_EQ(p99.max, 0.989f);  // value at round(0.99 * 999) = 989
}

TEST(FloatImport, FloatTfliteModelIsQuantizedAndAnInt8OneIsLeftToTheInt8Path) {
  using tools::TfliteBuilder;
  TfliteBuilder t;
  const int32_t in = t.tensor({1, 4, 4, 1}, 0);
  std::vector<float> filter(18), bias = {0.1f, -0.1f}, fc(3 * 32);
  for (size_t i = 0; i < filter.size(); ++i) filter[i] = std::sin(static_cast<float>(i));
  for (size_t i = 0; i < fc.size(); ++i) fc[i] = 0.3f * std::cos(static_cast<float>(i) * 0.7f);
  const int32_t w = t.tensor({2, 3, 3, 1}, 0, 0, 0, TfliteBuilder::bytes_of(filter));
  const int32_t c = t.tensor({2}, 0, 0, 0, TfliteBuilder::bytes_of(bias));
  const int32_t conv = t.tensor({1, 4, 4, 2}, 0);
  auto options = tools::FbNode::table();
  options->set(0, int8_t{0});  // SAME
  options->set(1, int32_t{1});
  options->set(2, int32_t{1});
  options->set(3, int8_t{1});  // RELU
  t.op(3, {in, w, c}, conv, options);
  const int32_t flat = t.tensor({1, 32}, 0);
  t.op(22, {conv}, flat);
  const int32_t fw = t.tensor({3, 32}, 0, 0, 0, TfliteBuilder::bytes_of(fc));
  const int32_t logits = t.tensor({1, 3}, 0);
  t.op(9, {flat, fw}, logits);
  const int32_t out = t.tensor({1, 3}, 0);
  t.op(25, {logits}, out);
  const std::optional<fp::Graph> g = read_float_model(t.finish(in, out));
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(kinds(*g),
            (std::vector<fp::OpKind>{fp::OpKind::kConv2d, fp::OpKind::kReshape,
                                     fp::OpKind::kFullyConnected, fp::OpKind::kSoftmax}));
  EXPECT_EQ(g->ops[0].pad_top, 1);
  EXPECT_EQ(g->ops[0].act_min, 0.0f);
  const FloatImportResult r = quantize(*g, 30);
  ASSERT_EQ(r.agreement.classes.size(), 1u);
  EXPECT_GE(r.agreement.classes[0].agreeing, 190u);

  TfliteBuilder q;
  const int32_t qi = q.tensor({1, 4}, 9, 0.1f, 0);
  const int32_t qw = q.tensor({2, 4}, 9, 0.1f, 0, std::vector<uint8_t>(8, 1));
  const int32_t qo = q.tensor({1, 2}, 9, 0.1f, 0);
  q.op(9, {qi, qw}, qo);
  EXPECT_FALSE(read_float_model(q.finish(qi, qo)).has_value());
  try {
    read_float_model({1, 2, 3});
    FAIL() << "accepted three bytes as a model";
  } catch (const ImportError &e) {
    EXPECT_STREQ(e.what(),
                 "not a model: neither a TFLite flatbuffer (no TFL3 identifier) nor an ONNX "
                 "ModelProto");
  }
}

}  // namespace
}  // namespace sotto::gw::model
