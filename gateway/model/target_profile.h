// What running a model costs on each cross target, as measured on this SDK's own builds: the
// flash of the engine's core and of each op's kernel files (from the cross-compiled objects),
// the instructions of each op as a function of its shape (fitted to QEMU -icount counts), and a
// named MCU power model whose figures come from a datasheet. deploy/cost-table.sh regenerates
// the two measured tables (kernel_flash_table.inc, op_instruction_table.inc).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "importer.h"
#include "smdl_format.h"

namespace sotto::gw::model {

// The shape terms an op's instruction count is fitted on. Multiply-accumulates for CONV_2D,
// DEPTHWISE_CONV_2D and FULLY_CONNECTED (output elements x weights per output channel; with
// block-sparse weights only the stored blocks' weights count, the bitmap walk apart),
// TRANSPOSE_CONV (the filter taps that reach each output x input channels) and SVDF (filters x
// (inputs + memory) per batch), and window reads for the pools (output elements x kernel area); 0
// for other ops.
struct OpShape {
  uint64_t macs = 0;
  uint64_t output_elements = 0;
  uint64_t input_elements = 0;  // both activation inputs
  uint64_t output_rows = 0;     // output elements / innermost dimension: the contiguous runs
  // Block-sparse weights: the bitmap's blocks the kernel walks, stored or not (output elements x
  // blocks per output channel's row); 0 for dense weights.
  uint64_t walked_blocks = 0;
};
OpShape op_shape(const sotto_smdl_op_t &op, const sotto_smdl_tensor_t *tensors);

// The instruction table's row for an op: its name when it reads and writes int8 ("ADD"), else
// the name with its input and output types ("ADD:int16>int16", "QUANTIZE:float32>int8"): the
// kernels take other paths for other types (CONV_2D with int16 activations, TFLite's 16x8, is
// "CONV_2D:int16>int16"). DEPTHWISE_CONV_2D with a depth multiplier above 1 is
// "DEPTHWISE_CONV_2D/multiplier"; FULLY_CONNECTED and CONV_2D with block-sparse weights are
// "FULLY_CONNECTED/sparse" and "CONV_2D/sparse".
std::string op_cost_key(const sotto_smdl_op_t &op, const sotto_smdl_tensor_t *tensors);

// instructions = per_call + per_mac * macs + per_output * output elements + per_input * input
// elements + per_row * output rows + per_block * walked blocks, rounded; `samples` is how many
// measured ops the fit saw.
struct OpInstructionCost {
  double per_call = 0;
  double per_mac = 0;
  double per_output = 0;
  double per_input = 0;
  double per_row = 0;
  double per_block = 0;
  uint32_t samples = 0;
  uint64_t instructions(const OpShape &shape) const;
};

// An MCU's current in run and sleep and what a wake-up costs, from its datasheet (typical
// figures). Energy per inference = supply_v x active_ua_per_mhz x clock_mhz x (run time +
// wake-up time); see README "What a model costs on a chip".
struct PowerModel {
  std::string part;    // "STM32L476 (Cortex-M4F)"
  std::string source;  // the datasheet and the rows the figures come from
  double active_ua_per_mhz = 0;
  double sleep_ua = 0;
  double wake_us = 0;
  double supply_v = 0;
  double clock_mhz = 0;  // default clock: the part's maximum
};

struct TargetProfile {
  std::string name;                                          // "cortex-m4"
  uint32_t engine_core_flash_bytes = 0;                      // loader, dispatcher, op registry
  std::map<std::string, uint32_t> kernel_flash_bytes;        // by op name ("CONV_2D")
  std::map<std::string, OpInstructionCost> op_instructions;  // by op_cost_key; absent: unmeasured
  std::string instruction_source;  // how the instruction table was measured
  PowerModel power;
};

// The shipped profile of a cross target; throws std::invalid_argument for Target::kGeneric
// (it has no chip).
const TargetProfile &target_profile(Target target);

}  // namespace sotto::gw::model
