// What the 0.1.0 engine read (the SDK of the first packages, commit 28609de): format version 2,
// op kinds 1..15 (CONV_2D .. DEQUANTIZE), int8 activations, FULLY_CONNECTED rows interleaved or
// plain, every other filter plain and dense. Everything since needs 0.2.0: row streams (format
// version 3), the later ops (TRANSPOSE, SVDF, LSTM, ...), int16 activations, interleaved CONV_2D
// filters (pointwise and windowed) and block-sparse weights. A kernel's arithmetic that changed
// without a change of format (MEAN's rounding) is caught on the device instead: its self-test
// output would differ from the bundle's, and it keeps the model it runs. The next addition to what
// the importer writes raises SOTTO_SDK_VERSION and gets its own check below, with the SDK that
// first reads it.
#include "model_sdk_floor.h"

#include "loadable_blob.h"
#include "op_registry.h"
#include "smdl_format.h"

namespace sotto::gw {
namespace {

constexpr uint32_t kLastOpKindOfFirstRelease = SOTTO_OP_DEQUANTIZE;
static_assert(SOTTO_OP_DEQUANTIZE == 15, "op kinds 1..15 were the first release's");

std::string op_label(uint32_t index, uint32_t kind) {
  return "op " + std::to_string(index) + " (" + sotto_infer::op_name(kind) + ")";
}

}  // namespace

ModelSdkFloor model_sdk_floor(const std::vector<uint8_t> &bytes) {
  // The loader checks every bound the walk below relies on.
  const LoadableBlob opened = open_loadable_blob(bytes);
  const uint8_t *blob = opened.bytes();
  const auto &h = *reinterpret_cast<const sotto_smdl_header_t *>(blob);
  const auto *tensors = reinterpret_cast<const sotto_smdl_tensor_t *>(blob + h.tensor_table_offset);
  const auto *ops = reinterpret_cast<const sotto_smdl_op_t *>(blob + h.op_table_offset);
  auto needs = [](std::string what) {
    return ModelSdkFloor{kSdkReadingAdditions, std::move(what)};
  };
  if (h.format_version > SOTTO_SMDL_VERSION_NO_STREAMS) {
    return needs("row streams, format version " + std::to_string(h.format_version) +
                 " (import with --whole-tensors)");
  }
  for (uint32_t i = 0; i < h.op_count; ++i) {
    const sotto_smdl_op_t &op = ops[i];
    if (op.kind > kLastOpKindOfFirstRelease) {
      return needs(op_label(i, op.kind) + ": an op added after 0.1.0");
    }
    if (tensors[op.input0].type == SOTTO_SMDL_INT16 ||
        tensors[op.output].type == SOTTO_SMDL_INT16) {
      return needs(op_label(i, op.kind) + ": int16 activations");
    }
    const bool weighted = op.kind == SOTTO_OP_CONV_2D || op.kind == SOTTO_OP_FULLY_CONNECTED;
    if (weighted && op.params[SOTTO_P_SPARSE_WEIGHTS] != 0) {
      return needs(op_label(i, op.kind) + ": block-sparse weights (import without --prune)");
    }
    if (op.kind == SOTTO_OP_CONV_2D && op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] != 0) {
      return needs(op_label(i, op.kind) + ": an interleaved filter (import with --plain-filters)");
    }
  }
  return {};
}

}  // namespace sotto::gw
