// Static arena plan: tensors whose lifetimes overlap never share bytes, except an op's output
// and an input that dies at that op, which may overlap when the kernel provably never
// overwrites input bytes it (or a later output unit) still reads (in-place reuse).
#pragma once

#include <cstdint>
#include <vector>

namespace sotto::gw::model {

struct PlanItem {
  uint32_t bytes = 0;
  int32_t first_op = 0;    // op that writes it (or 0 for model inputs)
  int32_t last_op = 0;     // last op that reads it (op count for model outputs)
  int32_t alias_of = -1;   // shares the offset of this earlier item (RESHAPE in place)
  bool fill_gaps = false;  // small and short-lived (kernel scratch): also tried placed last
  uint32_t offset = 0;     // result
};

// Op `op` writes item `output` while reading item `input`; the two may share bytes when
// offset(input) - offset(output) >= min_distance (the importer derives it from the kernel's
// access order). Ignored unless `input` dies at `op` and `output` is born there.
struct PlanOverlap {
  int32_t output = 0;
  int32_t input = 0;
  int32_t op = 0;
  int64_t min_distance = 0;
};

// Assigns offsets (4-byte aligned) and returns the arena size the plan needs.
uint32_t plan_memory(std::vector<PlanItem> *items, const std::vector<PlanOverlap> &overlaps = {});

}  // namespace sotto::gw::model
