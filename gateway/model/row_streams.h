// Row streams (smdl_format.h, sotto_smdl_stream): the runs of ops the importer lets the engine
// execute row-interleaved, and the arena plan with them. Inside a stream an intermediate tensor
// takes only the rows its reader's window spans (a ring), and the stream's output may overwrite
// the stream's inputs as far as the engine's row order allows.
#pragma once

#include <cstdint>
#include <vector>

#include "memory_plan.h"
#include "smdl_format.h"

namespace sotto::gw::model {

// What the planner needs of a compiled graph.
struct PlanGraph {
  const std::vector<sotto_smdl_op_t> &ops;
  const std::vector<sotto_smdl_tensor_t> &tensors;
  const std::vector<uint8_t> &data;           // constants (CONCATENATION's input lists)
  const std::vector<uint32_t> &io;            // graph inputs and outputs
  const std::vector<PlanItem> &tensor_items;  // one per tensor: bytes and lifetime
};

// Every run of 2..SOTTO_SMDL_MAX_STREAM_OPS ops starting at `first` that the engine's loader
// accepts as a stream (row_stream.cpp checks the same), ring rows set to the reader's window.
std::vector<sotto_smdl_stream_t> stream_candidates(const PlanGraph &g, uint32_t first);

// The arena plan with `streams`: offsets of every tensor (rings take their rows) and of every
// op's scratch (a stream's ops share one, as they run one at a time); returns the arena bytes.
struct ArenaPlan {
  uint32_t arena_bytes = 0;
  std::vector<uint32_t> tensor_offsets;
  std::vector<uint32_t> scratch_offsets;  // per op (0 without scratch)
};
ArenaPlan plan_arena(const PlanGraph &g, const std::vector<sotto_smdl_stream_t> &streams);

// The streams that lower the arena most, chosen greedily from the first op on: at each op the
// candidate giving the smallest arena if no larger than without it, then each chosen stream
// dropped again unless the arena grows without it by an eighth of the whole-tensor arena or more
// (streaming costs time: a kernel call per row).
std::vector<sotto_smdl_stream_t> choose_streams(const PlanGraph &g);

}  // namespace sotto::gw::model
