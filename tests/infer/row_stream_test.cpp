// Row streams (smdl_format.h): the arena they save on the MLPerf Tiny models (exact bytes), the
// same outputs as whole-tensor execution, and random shapes steered through the band edges
// (padding at the top and bottom, strides, dilations, odd heights) against the same graph run
// op by op. The conformance test checks every streamed layer row by row against TFLM.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "importer.h"
#include "model_fixture.h"
#include "seed_model.h"
#include "sotto/model.h"
#include "xorshift.h"

namespace {

using namespace sotto::gw::model;
using sotto_test::AlignedBlob;
using sotto_test::read_file;
using sotto_test::SeedModelBuilder;
using sotto_test::shared_model;

ImportSummary summary_of(const char *file, Target target, bool streams) {
  ImportSummary s;
  BlobOptions blob;
  blob.row_streams = streams;
  import_tflite(read_file(shared_model(file)), target, &s, {}, blob);
  return s;
}

TEST(RowStream, ArenaOfIcAndVwwWithAndWithoutStreams) {
  SOTTO_REQUIRE_SHARED_DATA();
  // Exact plan sizes: a change here is a planner change to review, not noise.
  const char *const ic = "pretrainedResnet_quant.tflite", *const vww = "vww_96_int8.tflite";
  // ic, whole tensors: the first residual block's skip 32x32x16 and its conv pair in place.
  EXPECT_EQ(33312u, summary_of(ic, Target::kGeneric, false).arena_bytes);
  // Streamed: both 32x32x16 blocks run conv -> conv -> ADD (and the stride-2 block its 1x1
  // skip conv too) with 3 + 1 rows of the intermediates; the ADD writes over the block's input.
  // Left: the 32x32x16 block input (16384) and the rings (3 x 512 + 512 + 512).
  const ImportSummary ic_streamed = summary_of(ic, Target::kGeneric, true);
  EXPECT_EQ(18944u, ic_streamed.arena_bytes);
  EXPECT_EQ(2u, ic_streamed.streams);
  // The Cortex-M4 kernels' scratch on top: one per stream, its ops run one at a time (the 3x3
  // convs' windowed kernel needs 9 bytes per padded window value, window_conv.h).
  EXPECT_EQ(35872u, summary_of(ic, Target::kCortexM4, false).arena_bytes);
  EXPECT_EQ(22048u, summary_of(ic, Target::kCortexM4, true).arena_bytes);
  // vww: the 96x96x3 input, conv s2 -> depthwise -> pointwise -> depthwise s2 as one stream
  // (rings of 3, 1 and 3 rows at 48x48).
  EXPECT_EQ(36888u, summary_of(vww, Target::kGeneric, false).arena_bytes);
  const ImportSummary vww_streamed = summary_of(vww, Target::kGeneric, true);
  EXPECT_EQ(31488u, vww_streamed.arena_bytes);
  EXPECT_EQ(1u, vww_streamed.streams);
  EXPECT_EQ(37424u, summary_of(vww, Target::kCortexM4, false).arena_bytes);
  EXPECT_EQ(32032u, summary_of(vww, Target::kCortexM4, true).arena_bytes);
}

// The model's output for golden input `n`.
std::vector<uint8_t> run_case(AlignedBlob &blob, const std::string &golden, int n) {
  sotto_model_t model;
  EXPECT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
  std::vector<uint32_t> arena((sotto_model_arena_bytes(&model) + 3) / 4);
  EXPECT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  const std::vector<uint8_t> input = read_file(golden + "/input_" + std::to_string(n) + ".bin");
  sotto_tensor_t in, out;
  EXPECT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
  EXPECT_EQ(input.size(), in.bytes);
  memcpy(in.data, input.data(), input.size());
  EXPECT_EQ(SOTTO_OK, sotto_invoke(&model));
  EXPECT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
  const uint8_t *o = static_cast<const uint8_t *>(out.data);
  return std::vector<uint8_t>(o, o + out.bytes);
}

TEST(RowStream, StreamedOutputsEqualWholeTensorOutputsOnEveryConformanceInput) {
  SOTTO_REQUIRE_SHARED_DATA();
  const std::string conformance = std::string(SOTTO_SHARED_DIR) + "/conformance/tflm-golden/";
  for (const auto &[file, name] :
       {std::pair{"pretrainedResnet_quant.tflite", "ic"}, std::pair{"vww_96_int8.tflite", "vww"}}) {
    for (Target target : {Target::kGeneric, Target::kCortexM4}) {
      ImportSummary s;
      BlobOptions whole_tensors;
      whole_tensors.row_streams = false;
      AlignedBlob streamed(import_tflite(read_file(shared_model(file)), target, &s));
      AlignedBlob whole(
          import_tflite(read_file(shared_model(file)), target, nullptr, {}, whole_tensors));
      ASSERT_GT(s.streams, 0u) << name;
      for (int n : {0, 1, 4, 5, 8, 9}) {
        SCOPED_TRACE(std::string(name) + " input " + std::to_string(n));
        EXPECT_EQ(run_case(whole, conformance + name, n),
                  run_case(streamed, conformance + name, n));
      }
    }
  }
}

// A random window: kernel, stride, dilation and top padding along one axis, the output length
// the input allows with a bottom padding of at most the window's extent.
struct Axis {
  int32_t kernel, stride, dilation, pad, out;
};
Axis random_axis(sotto_test::Xorshift32 &rng, int32_t in) {
  Axis a;
  a.kernel = rng.pick(1, 4);
  a.stride = rng.pick(1, 3);
  a.dilation = rng.pick(1, 2);
  const int32_t extent = (a.kernel - 1) * a.dilation;
  a.pad = rng.pick(0, extent);
  const int32_t pad_after = rng.pick(0, extent);
  a.out = (in + a.pad + pad_after - extent - 1) / a.stride + 1;
  return a;
}

void set_window(sotto_smdl_op_t *o, const Axis &h, const Axis &w) {
  int32_t *p = o->params;
  p[SOTTO_P_KERNEL_H] = h.kernel;
  p[SOTTO_P_STRIDE_H] = h.stride;
  p[SOTTO_P_DILATION_H] = h.dilation;
  p[SOTTO_P_PAD_H] = h.pad;
  p[SOTTO_P_KERNEL_W] = w.kernel;
  p[SOTTO_P_STRIDE_W] = w.stride;
  p[SOTTO_P_DILATION_W] = w.dilation;
  p[SOTTO_P_PAD_W] = w.pad;
  p[SOTTO_P_INPUT_OFFSET] = 3;
  p[SOTTO_P_OUTPUT_OFFSET] = -1;
}

// Per op, the bytes of its output the observer saw, in report order.
void collect(void *ctx, uint32_t op, const sotto_tensor_t *out) {
  auto *seen = static_cast<std::vector<std::vector<uint8_t>> *>(ctx);
  const uint8_t *d = static_cast<const uint8_t *>(out->data);
  (*seen)[op].insert((*seen)[op].end(), d, d + out->bytes);
}

struct RandomChain {
  std::vector<uint8_t> whole, streamed;
  uint32_t ops = 0;
};

// input -> CONV_2D -> DEPTHWISE_CONV_2D [-> ADD with a second graph input], random windows.
bool random_chain(uint32_t seed, RandomChain *out) {
  sotto_test::Xorshift32 rng{seed};
  const int32_t in_h = rng.pick(1, 9), in_w = rng.pick(1, 6), c0 = rng.pick(1, 5);
  const int32_t c1 = rng.pick(1, 6);
  const Axis h1 = random_axis(rng, in_h), w1 = random_axis(rng, in_w);
  if (h1.out < 1 || w1.out < 1) return false;
  const Axis h2 = random_axis(rng, h1.out), w2 = random_axis(rng, w1.out);
  if (h2.out < 1 || w2.out < 1) return false;
  const bool add = rng.pick(0, 1) == 1;
  for (bool streamed : {false, true}) {
    SeedModelBuilder b;
    uint32_t at = 0;
    const auto place = [&](int32_t h, int32_t w, int32_t c, int32_t zp) {
      const uint32_t t = b.tensor(h, w, c, at, zp);
      at += static_cast<uint32_t>(h * w * c + 3) / 4 * 4;
      return t;
    };
    const uint32_t in = place(in_h, in_w, c0, -3);
    const uint32_t skip = add ? place(h2.out, w2.out, c1, 1) : 0;
    const uint32_t conv = place(h1.out, w1.out, c1, 1);
    const uint32_t dw = place(h2.out, w2.out, c1, -1);
    const uint32_t sum = add ? place(h2.out, w2.out, c1, 0) : 0;
    sotto_smdl_op_t *o = &b.op(SOTTO_OP_CONV_2D, in, conv);
    set_window(o, h1, w1);
    b.constants(o, static_cast<uint32_t>(c1 * h1.kernel * w1.kernel * c0),
                static_cast<uint32_t>(c1));
    o = &b.op(SOTTO_OP_DEPTHWISE_CONV_2D, conv, dw);
    set_window(o, h2, w2);
    o->params[SOTTO_P_INPUT_OFFSET] = -1;
    b.constants(o, static_cast<uint32_t>(h2.kernel * w2.kernel * c1), static_cast<uint32_t>(c1));
    if (add) {
      b.add(dw, skip, sum, 1, -1);
    }
    if (streamed) {
      // The ring: the depthwise window's rows (all of them when the tensor is shorter).
      const uint32_t span = static_cast<uint32_t>((h2.kernel - 1) * h2.dilation + 1);
      const uint32_t ring = std::min(span, static_cast<uint32_t>(h1.out));
      b.stream(0, add ? std::vector<uint32_t>{ring, 1} : std::vector<uint32_t>{ring});
    }
    std::vector<uint32_t> inputs{in};
    if (add) inputs.push_back(skip);
    (streamed ? out->streamed : out->whole) = b.finish(inputs, {add ? sum : dw}, at);
  }
  out->ops = add ? 3 : 2;
  return true;
}

// Runs `blob` on inputs from `seed`; every op's output as the observer saw it.
std::vector<std::vector<uint8_t>> observe(const std::vector<uint8_t> &smdl, uint32_t ops,
                                          uint32_t seed) {
  AlignedBlob blob(smdl);
  sotto_model_t model;
  EXPECT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes))
      << sotto_model_open_fault(&model)->check;
  std::vector<uint32_t> arena((sotto_model_arena_bytes(&model) + 3) / 4, 0xA5A5A5A5u);
  EXPECT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  sotto_test::Xorshift32 rng{seed * 7919u + 1u};
  for (uint32_t k = 0; k < sotto_model_input_count(&model); ++k) {
    sotto_tensor_t in;
    EXPECT_EQ(SOTTO_OK, sotto_model_input(&model, k, &in));
    for (size_t i = 0; i < in.bytes; ++i) static_cast<int8_t *>(in.data)[i] = int8_t(rng.next());
  }
  std::vector<std::vector<uint8_t>> seen(ops);
  EXPECT_EQ(SOTTO_OK, sotto_invoke_observed(&model, collect, &seen));
  return seen;
}

TEST(RowStream, RandomChainsMatchOpByOpExecutionEveryLayer) {
  uint32_t checked = 0, with_add = 0;
  for (uint32_t seed = 1; checked < 300; ++seed) {
    RandomChain chain;
    if (!random_chain(seed, &chain)) continue;
    SCOPED_TRACE("seed " + std::to_string(seed));
    const auto whole = observe(chain.whole, chain.ops, seed);
    const auto streamed = observe(chain.streamed, chain.ops, seed);
    ASSERT_EQ(whole, streamed);  // every layer, the ring's rows as they were made
    ++checked;
    with_add += chain.ops == 3;
  }
  EXPECT_GT(with_add, 100u);
}

TEST(RowStream, TheFuzzerStreamSeedOpensAndRuns) {
  const std::vector<uint8_t> smdl = sotto_test::stream_seed_model();
  AlignedBlob blob(smdl);
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes))
      << sotto_model_open_fault(&model)->check;
  EXPECT_EQ(100u, sotto_model_arena_bytes(&model));
  const auto seen = observe(smdl, 3, 5);
  EXPECT_EQ(45u, seen[0].size());  // every row of the ring, reported as it was made
  EXPECT_EQ(18u, seen[1].size());
  EXPECT_EQ(18u, seen[2].size());
}

TEST(RowStream, LoaderRefusesRingsTheDriverCannotKeep) {
  RandomChain chain;
  uint32_t seed = 1;
  while (!random_chain(seed, &chain)) ++seed;
  AlignedBlob ok(chain.streamed);
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, ok.data(), ok.bytes));
  // Offsets into the stream table: right after the io table.
  const auto table = [](AlignedBlob &b) {
    const sotto_smdl_header_t *h = b.header();
    return reinterpret_cast<uint32_t *>(b.data() + h->io_table_offset +
                                        size_t{4} * (h->input_count + h->output_count));
  };
  const auto refusal = [](AlignedBlob &b) {
    b.reseal();
    sotto_model_t m;
    if (sotto_model_open(&m, b.data(), b.bytes) == SOTTO_OK) return std::string("opened");
    return std::string(sotto_err_name(sotto_model_open_fault(&m)->error)) + ": " +
           sotto_model_open_fault(&m)->check;
  };
  {
    AlignedBlob b(chain.streamed);
    table(b)[2] = 5;  // op_count past the op table
    EXPECT_EQ(
        "SOTTO_ERR_MODEL_BAD_LAYOUT: stream: expected 2..4 ops inside the op table, after "
        "the previous stream",
        refusal(b));
  }
  {
    AlignedBlob b(chain.streamed);
    table(b)[3] = 0;  // no ring rows for the first op
    EXPECT_EQ(
        "SOTTO_ERR_MODEL_BAD_LAYOUT: stream: expected ring rows for every op but the last, "
        "0 for the last and past it",
        refusal(b));
  }
  {
    AlignedBlob b(chain.streamed);
    table(b)[0] = 1000;  // a count whose records run past the blob
    EXPECT_EQ("SOTTO_ERR_MODEL_BAD_LAYOUT: streams: expected the table in the blob", refusal(b));
  }
  {
    AlignedBlob b(chain.streamed);
    b.ops()[1].kind = SOTTO_OP_MAX_POOL_2D;  // not a kind the driver streams
    EXPECT_EQ("SOTTO_ERR_MODEL_BAD_OP: stream op: expected CONV_2D, DEPTHWISE_CONV_2D or ADD",
              refusal(b));
  }
  {
    AlignedBlob b(chain.streamed);
    table(b)[3] = 100000;  // a ring past the arena's end
    EXPECT_EQ(
        "SOTTO_ERR_MODEL_BAD_TENSOR: arena range: expected inside the arena (a stream's ring: "
        "its rows)",
        refusal(b));
  }
}

}  // namespace
