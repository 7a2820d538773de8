// Magnitude pruning and the block-sparse encoding (see prune.h).
#include "prune.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "cli_arguments.h"

namespace sotto::gw::model::detail {
namespace {

constexpr uint32_t kBlock = SOTTO_SMDL_SPARSE_BLOCK;

uint32_t blocks_per_run(uint32_t run) {
  return (run + kBlock - 1) / kBlock;
}

int8_t at(const WeightRows &w, size_t index) {
  return static_cast<int8_t>((*w.weights)[index]);
}

// The dense index range of block b of row r: [first, first + length).
void block_range(const WeightRows &w, uint32_t r, uint32_t b, size_t *first, uint32_t *length) {
  const uint32_t per_run = blocks_per_run(w.run);
  const uint32_t group = b / per_run, k = (b % per_run) * kBlock;
  *first = (static_cast<size_t>(r) * w.groups + group) * w.run + k;
  *length = std::min(kBlock, w.run - k);
}

}  // namespace

void prune_weights(const WeightRows &w, const std::vector<float> &scales, double sparsity,
                   bool whole_channels) {
  const uint32_t per_row = w.groups * blocks_per_run(w.run);
  auto scale = [&](uint32_t r) { return scales.size() == 1 ? scales[0] : scales[r]; };
  // Units: a block, or a whole row; each with its L1 norm in real units.
  const size_t units = whole_channels ? w.rows : static_cast<size_t>(w.rows) * per_row;
  std::vector<double> norm(units, 0.0);
  for (uint32_t r = 0; r < w.rows; ++r) {
    for (uint32_t b = 0; b < per_row; ++b) {
      size_t first = 0;
      uint32_t length = 0;
      block_range(w, r, b, &first, &length);
      double sum = 0;
      for (uint32_t j = 0; j < length; ++j) sum += std::abs(at(w, first + j));
      norm[whole_channels ? r : static_cast<size_t>(r) * per_row + b] += sum * scale(r);
    }
  }
  std::vector<size_t> order(units);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return norm[a] < norm[b]; });
  const size_t cut = static_cast<size_t>(std::llround(sparsity * static_cast<double>(units)));
  for (size_t i = 0; i < cut; ++i) {
    const size_t unit = order[i];
    const uint32_t r = static_cast<uint32_t>(whole_channels ? unit : unit / per_row);
    const uint32_t b0 = whole_channels ? 0 : static_cast<uint32_t>(unit % per_row);
    const uint32_t b1 = whole_channels ? per_row : b0 + 1;
    for (uint32_t b = b0; b < b1; ++b) {
      size_t first = 0;
      uint32_t length = 0;
      block_range(w, r, b, &first, &length);
      std::fill_n(w.weights->begin() + static_cast<long>(first), length, uint8_t{0});
    }
  }
}

std::vector<uint8_t> encode_sparse(const WeightRows &w) {
  const uint32_t per_row = w.groups * blocks_per_run(w.run);
  const uint32_t row_bytes = sotto_smdl_sparse_row_bitmap_bytes(w.groups, w.run);
  std::vector<uint8_t> out(
      static_cast<size_t>(sotto_smdl_sparse_bitmap_bytes(w.rows, w.groups, w.run)), 0);
  for (uint32_t r = 0; r < w.rows; ++r) {
    for (uint32_t b = 0; b < per_row; ++b) {
      size_t first = 0;
      uint32_t length = 0;
      block_range(w, r, b, &first, &length);
      bool stored = false;
      for (uint32_t j = 0; j < length; ++j) stored = stored || at(w, first + j) != 0;
      if (!stored) continue;
      out[static_cast<size_t>(r) * row_bytes + b / 8] |= static_cast<uint8_t>(1u << (b % 8));
      for (uint32_t j = 0; j < kBlock; ++j) {
        out.push_back(j < length ? (*w.weights)[first + j] : uint8_t{0});
      }
    }
  }
  return out;
}

bool store_sparse(const WeightRows &w, const std::vector<uint8_t> &encoded) {
  return encoded.size() * 4 <= w.weights->size() * 3;
}

PruneOptions prune_options(const std::optional<std::string> &sparsity, bool whole_channels) {
  PruneOptions options;
  options.whole_channels = whole_channels;
  if (!sparsity) {
    if (whole_channels) throw UsageError("--prune-channels needs --prune SPARSITY");
    return options;
  }
  try {
    size_t used = 0;
    const double value = std::stod(*sparsity, &used);
    if (used == sparsity->size() && value > 0.0 && value < 1.0) {
      options.sparsity = value;
      return options;
    }
  } catch (const std::exception &) {
  }
  throw UsageError("--prune '" + *sparsity +
                   "'; expected the fraction of each layer's weights to remove, above 0 and "
                   "below 1 (e.g. 0.5)");
}

std::string ratio_text(uint64_t stored, uint64_t dense) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3fx",
                dense == 0 ? 0.0 : static_cast<double>(stored) / static_cast<double>(dense));
  return text;
}

std::string sparse_weights_note(const sotto_smdl_op_t &op, const sotto_smdl_tensor_t *tensors) {
  if (op.params[SOTTO_P_SPARSE_WEIGHTS] == 0 ||
      (op.kind != SOTTO_OP_FULLY_CONNECTED && op.kind != SOTTO_OP_CONV_2D)) {
    return "";
  }
  const sotto_smdl_tensor_t &in = tensors[op.input0], &out = tensors[op.output];
  const uint64_t out_c = static_cast<uint64_t>(out.dims[3]);
  const uint64_t dense = op.kind == SOTTO_OP_CONV_2D
                             ? out_c * static_cast<uint64_t>(op.params[SOTTO_P_KERNEL_H]) *
                                   static_cast<uint64_t>(op.params[SOTTO_P_KERNEL_W]) *
                                   static_cast<uint64_t>(in.dims[3])
                             : out_c * (in.bytes / (out.bytes / out_c));
  return "      sparse 1x4 blocks: " + std::to_string(op.weights_bytes) + " of " +
         std::to_string(dense) + " dense weight bytes (" + ratio_text(op.weights_bytes, dense) +
         ")\n";
}

}  // namespace sotto::gw::model::detail
