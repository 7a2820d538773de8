// The .smdl format version (smdl_format.h): the importer writes 2 (no stream table) when it chose
// no row stream, and 3 only with streams; the loader reads both and refuses a stream table where
// its version has none or cannot hold it. What firmware from before streams and the interleaved
// CONV_2D filters runs comes from BlobOptions with both off (`--whole-tensors --plain-filters`);
// model_sdk_floor_test.cpp checks which SDK each blob needs.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "importer.h"
#include "model_fixture.h"
#include "sotto/model.h"

namespace {

using namespace sotto::gw::model;
using sotto_test::AlignedBlob;
using sotto_test::read_file;
using sotto_test::shared_model;

// Where the stream table of a version 3 blob starts: right after the io table.
uint32_t stream_table_offset(const sotto_smdl_header_t &h) {
  return h.io_table_offset + 4 * (h.input_count + h.output_count);
}

// "ERROR: check" of the loader's refusal of `blob` (sealed again first), or "opened".
std::string refusal(AlignedBlob &b) {
  b.reseal();
  sotto_model_t m;
  if (sotto_model_open(&m, b.data(), b.bytes) == SOTTO_OK) return "opened";
  return std::string(sotto_err_name(sotto_model_open_fault(&m)->error)) + ": " +
         sotto_model_open_fault(&m)->check;
}

// kws's output for every golden input, each compared with TFLM's output_N.bin.
void expect_kws_golden_outputs(AlignedBlob &blob) {
  const std::string golden = std::string(SOTTO_SHARED_DIR) + "/conformance/tflm-golden/kws/";
  sotto_model_t model;
  ASSERT_EQ(SOTTO_OK, sotto_model_open(&model, blob.data(), blob.bytes));
  std::vector<uint32_t> arena((sotto_model_arena_bytes(&model) + 3) / 4);
  ASSERT_EQ(SOTTO_OK, sotto_model_attach_arena(&model, arena.data(), arena.size() * 4));
  for (int n : {0, 1, 4, 5, 8, 9, 10}) {
    SCOPED_TRACE("kws input " + std::to_string(n));
    const std::vector<uint8_t> input = read_file(golden + "input_" + std::to_string(n) + ".bin");
    sotto_tensor_t in, out;
    ASSERT_EQ(SOTTO_OK, sotto_model_input(&model, 0, &in));
    ASSERT_EQ(input.size(), in.bytes);
    memcpy(in.data, input.data(), input.size());
    ASSERT_EQ(SOTTO_OK, sotto_invoke(&model));
    ASSERT_EQ(SOTTO_OK, sotto_model_output(&model, 0, &out));
    const uint8_t *o = static_cast<const uint8_t *>(out.data);
    EXPECT_EQ(read_file(golden + "output_" + std::to_string(n) + ".bin"),
              std::vector<uint8_t>(o, o + out.bytes));
  }
}

std::vector<uint8_t> import_shared(const char *file, ImportSummary *s) {
  return import_tflite(read_file(shared_model(file)), Target::kGeneric, s);
}

TEST(SmdlVersion, KwsWithoutStreamsIsVersion2WithoutAStreamTableAndRunsBitExact) {
  SOTTO_REQUIRE_SHARED_DATA();
  ImportSummary s;
  AlignedBlob kws(import_shared("kws_ref_model.tflite", &s));
  ASSERT_EQ(0u, s.streams);  // the importer finds none worth keeping (row_streams.h)
  const sotto_smdl_header_t h = *kws.header();
  EXPECT_EQ(2u, h.format_version);
  EXPECT_EQ(stream_table_offset(h), h.data_offset);  // the data right after the io table
  EXPECT_EQ(h.data_offset + h.data_bytes, h.total_bytes);
  expect_kws_golden_outputs(kws);
}

// CONV_2D ops of a blob: with the windowed filter layout (weights flag 2), pointwise filters
// interleaved (flag 1), and windows larger than 1x1 stored plain.
struct ConvFilters {
  uint32_t windowed = 0, interleaved_pointwise = 0, other_windows = 0;
};
ConvFilters conv_filters(const std::vector<uint8_t> &blob) {
  sotto_smdl_header_t h;
  memcpy(&h, blob.data(), sizeof h);
  ConvFilters f;
  for (uint32_t i = 0; i < h.op_count; ++i) {
    sotto_smdl_op_t op;
    memcpy(&op, blob.data() + h.op_table_offset + i * sizeof op, sizeof op);
    if (op.kind != SOTTO_OP_CONV_2D) continue;
    if (op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == SOTTO_SMDL_INTERLEAVED_WINDOW) {
      ++f.windowed;
    } else if (op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == SOTTO_SMDL_INTERLEAVED_ROWS) {
      ++f.interleaved_pointwise;
    } else if (op.params[SOTTO_P_KERNEL_H] * op.params[SOTTO_P_KERNEL_W] > 1) {
      ++f.other_windows;
    }
  }
  return f;
}

TEST(SmdlVersion, CortexM4BlobForOlderFirmwareKeepsPlainFiltersAndWholeTensors) {
  SOTTO_REQUIRE_SHARED_DATA();
  const std::vector<uint8_t> ic_tflite = read_file(shared_model("pretrainedResnet_quant.tflite"));
  const std::vector<uint8_t> kws_tflite = read_file(shared_model("kws_ref_model.tflite"));
  BlobOptions older;
  older.row_streams = false;
  older.interleaved_filters = false;
  // ic has 7 3x3 convs and two 1x1: by default all interleaved and two streams (version 3); for
  // older firmware none of either.
  ImportSummary s;
  const std::vector<uint8_t> ic = import_tflite(ic_tflite, Target::kCortexM4, &s);
  EXPECT_EQ(2u, s.streams);
  EXPECT_EQ(7u, conv_filters(ic).windowed);
  EXPECT_EQ(2u, conv_filters(ic).interleaved_pointwise);
  EXPECT_EQ(0u, conv_filters(ic).other_windows);
  const std::vector<uint8_t> ic_older = import_tflite(ic_tflite, Target::kCortexM4, &s, {}, older);
  EXPECT_EQ(0u, s.streams);
  EXPECT_EQ(0u, conv_filters(ic_older).windowed);
  EXPECT_EQ(0u, conv_filters(ic_older).interleaved_pointwise);
  EXPECT_EQ(7u, conv_filters(ic_older).other_windows);
  sotto_smdl_header_t h;
  memcpy(&h, ic_older.data(), sizeof h);
  EXPECT_EQ(2u, h.format_version);
  // kws's first conv (10x4) alone has a window, its four pointwise convs none; the older blob
  // still runs bit-exact.
  const ConvFilters kws_filters = conv_filters(import_tflite(kws_tflite, Target::kCortexM4));
  EXPECT_EQ(1u, kws_filters.windowed);
  EXPECT_EQ(4u, kws_filters.interleaved_pointwise);
  const std::vector<uint8_t> kws_older =
      import_tflite(kws_tflite, Target::kCortexM4, nullptr, {}, older);
  EXPECT_EQ(0u, conv_filters(kws_older).windowed);
  EXPECT_EQ(0u, conv_filters(kws_older).interleaved_pointwise);
  EXPECT_EQ(1u, conv_filters(kws_older).other_windows);
  AlignedBlob kws(kws_older);
  EXPECT_EQ(2u, kws.header()->format_version);
  expect_kws_golden_outputs(kws);
}

TEST(SmdlVersion, IcWithStreamsIsVersion3WithItsStreamTable) {
  SOTTO_REQUIRE_SHARED_DATA();
  ImportSummary s;
  AlignedBlob ic(import_shared("pretrainedResnet_quant.tflite", &s));
  EXPECT_EQ(2u, s.streams);
  const sotto_smdl_header_t h = *ic.header();
  EXPECT_EQ(3u, h.format_version);
  uint32_t count = 0;
  memcpy(&count, ic.data() + stream_table_offset(h), 4);
  EXPECT_EQ(2u, count);
  EXPECT_EQ(stream_table_offset(h) + 4 + 2 * sizeof(sotto_smdl_stream_t), h.data_offset);
}

TEST(SmdlVersion, Version3WithZeroStreamsRunsKwsBitExact) {
  SOTTO_REQUIRE_SHARED_DATA();
  std::vector<uint8_t> v2 = import_shared("kws_ref_model.tflite", nullptr);
  sotto_smdl_header_t h;
  memcpy(&h, v2.data(), sizeof h);
  // The same model with an empty stream table (a zero count) before the data.
  std::vector<uint8_t> v3(v2.begin(), v2.begin() + h.data_offset);
  v3.insert(v3.end(), 4, 0);
  v3.insert(v3.end(), v2.begin() + h.data_offset, v2.end());
  h.format_version = 3;
  h.data_offset += 4;
  h.total_bytes += 4;
  memcpy(v3.data(), &h, sizeof h);
  AlignedBlob b(v3);
  ASSERT_EQ("opened", refusal(b));
  expect_kws_golden_outputs(b);
}

TEST(SmdlVersion, LoaderRefusesOtherVersionsAndStreamTablesItsVersionCannotHold) {
  SOTTO_REQUIRE_SHARED_DATA();
  const std::vector<uint8_t> kws = import_shared("kws_ref_model.tflite", nullptr);
  const std::vector<uint8_t> ic = import_shared("pretrainedResnet_quant.tflite", nullptr);
  for (uint16_t version : {uint16_t{1}, uint16_t{4}}) {
    AlignedBlob b(kws);
    b.header()->format_version = version;
    EXPECT_EQ("SOTTO_ERR_MODEL_VERSION: header: expected format version 2 or 3", refusal(b));
  }
  {
    AlignedBlob b(ic);  // ic's stream table under version 2, which has none
    b.header()->format_version = 2;
    EXPECT_EQ(
        "SOTTO_ERR_MODEL_BAD_LAYOUT: header: expected the data right after the io table "
        "(version 2: no streams)",
        refusal(b));
  }
  {
    AlignedBlob b(ic);  // cut 8 bytes into the first of its two stream records
    sotto_smdl_header_t *h = b.header();
    h->data_offset = h->total_bytes = stream_table_offset(*h) + 4 + 8;
    h->data_bytes = 0;
    b.bytes = h->total_bytes;
    EXPECT_EQ("SOTTO_ERR_MODEL_BAD_LAYOUT: streams: expected the table in the blob", refusal(b));
  }
  {
    AlignedBlob b(kws);  // version 3 ending right after the io table: no stream count
    sotto_smdl_header_t *h = b.header();
    h->format_version = 3;
    h->data_offset = h->total_bytes = stream_table_offset(*h);
    h->data_bytes = 0;
    b.bytes = h->total_bytes;
    EXPECT_EQ("SOTTO_ERR_MODEL_BAD_LAYOUT: header: expected a stream count in the blob",
              refusal(b));
  }
}

}  // namespace
