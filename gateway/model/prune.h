// Pruning and block-sparse storage of FULLY_CONNECTED and CONV_2D weights (smdl_format.h,
// SOTTO_SMDL_SPARSE_*): magnitude pruning per layer (1x4 blocks along the input dimension, or
// whole output channels), and the encoding the device kernels read in place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "importer.h"
#include "smdl_format.h"

namespace sotto::gw::model::detail {

// int8 weights [rows][groups * run] (FULLY_CONNECTED: groups 1, run in_n; CONV_2D: groups
// kernel_h * kernel_w, run in_c), as the encoding cuts them.
struct WeightRows {
  std::vector<uint8_t> *weights;
  uint32_t rows;
  uint32_t groups;
  uint32_t run;
};

// Zeroes round(sparsity * count) of the layer's 1x4 blocks (or whole rows with
// whole_channels), those of the smallest L1 norm in real units (|q| times the row's scale:
// `scales` holds one per row or one for all), ties to the earlier block.
void prune_weights(const WeightRows &w, const std::vector<float> &scales, double sparsity,
                   bool whole_channels);

// The block-sparse encoding of the weights (smdl_format.h).
std::vector<uint8_t> encode_sparse(const WeightRows &w);

// Whether the weights are stored sparse: when the encoding takes at most 3/4 of the dense
// bytes (about 30 % of the blocks zero), where the saving pays for the kernels' bitmap walk.
bool store_sparse(const WeightRows &w, const std::vector<uint8_t> &encoded);

// The import's --prune SPARSITY and --prune-channels; throws UsageError naming what was wrong.
PruneOptions prune_options(const std::optional<std::string> &sparsity, bool whole_channels);

// "0.531x": stored bytes over dense bytes, three decimals.
std::string ratio_text(uint64_t stored, uint64_t dense);

// For `model inspect`: "      sparse 1x4 blocks: 544 of 1024 dense weight bytes (0.531x)\n"
// for an op stored block-sparse, else "".
std::string sparse_weights_note(const sotto_smdl_op_t &op, const sotto_smdl_tensor_t *tensors);

}  // namespace sotto::gw::model::detail
