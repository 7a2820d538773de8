// Compiles an int8 TFLite model into a .smdl blob: op lowering, requantization, memory plan.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sotto/model.h"

namespace sotto::gw::model {

enum class Target { kGeneric = 0, kCortexM4 = 1, kCortexM0 = 2, kRv32 = 3 };

// Parses "generic", "cortex-m4", "cortex-m0", "rv32"; throws std::invalid_argument otherwise.
Target parse_target(const std::string &name);

// Thrown for models the engine cannot run; the message names the op, its index and what is
// supported.
class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ImportSummary {
  uint32_t op_count = 0;
  uint32_t arena_bytes = 0;
  uint32_t streams = 0;  // runs of ops executed row-interleaved (smdl_format.h)
  uint32_t weight_bytes = 0;
  uint32_t blob_bytes = 0;
  uint32_t sparse_ops = 0;          // FULLY_CONNECTED / CONV_2D ops stored block-sparse
  uint32_t sparse_dense_bytes = 0;  // what those ops' weights take dense
  uint32_t sparse_bytes = 0;        // and what they take sparse
};

// Pruning on import (prune.h), for FULLY_CONNECTED and CONV_2D layers with weight offset 0.
// Whatever the options, a layer whose weights are mostly zero blocks is stored sparse.
struct PruneOptions {
  double sparsity = 0;          // fraction of each layer's 1x4 blocks zeroed, in [0, 1)
  bool whole_channels = false;  // zero whole output channels instead of blocks
  // Layers with fewer weights are not pruned: they save little flash, and the small output
  // heads carry the decisions (the fleet's industrial score head, 32 weights, loses its
  // correlation with the float score when halved).
  uint32_t min_pruned_weights = 1024;
  bool sparse_storage = true;  // false: every layer dense (the same weights, for comparisons)
};

// What a blob may use that the first SDK release's engine (0.1.0) cannot read. With both off,
// and without --prune, ops added since or int16 activations, the blob is one that release runs
// (format version 2, plain CONV_2D filters; gateway/rollout/model_sdk_floor.h).
struct BlobOptions {
  // Run ops row-interleaved where that lowers the arena (format version 3); false plans every
  // tensor whole (also for comparisons).
  bool row_streams = true;
  // Cortex-M4: CONV_2D filters in its kernels' interleaved layouts, a pointwise one as
  // FULLY_CONNECTED's rows (weights flag 1, pointwise_conv.h), another window padded to whole
  // groups (flag 2, window_conv.h); false keeps every filter plain, for the general kernel.
  bool interleaved_filters = true;
};

// The blob opens with this SDK's engine (import_tflite opens what it wrote, so no limit of the
// loader can refuse a model the importer accepted).
std::vector<uint8_t> import_tflite(std::vector<uint8_t> tflite, Target target,
                                   ImportSummary *summary = nullptr, const PruneOptions &prune = {},
                                   const BlobOptions &blob = {});

// "SOTTO_ERR_MODEL_SHAPE_MISMATCH at operator 3 (FULLY_CONNECTED): weights: expected ..." for a
// blob sotto_model_open refused.
std::string fault_text(const sotto_model_fault_t &fault);

}  // namespace sotto::gw::model
