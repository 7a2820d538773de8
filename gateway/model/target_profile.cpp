// The shipped cost profiles of the cross targets; see target_profile.h.
#include "target_profile.h"

#include <cmath>
#include <stdexcept>

#include "op_registry.h"

namespace sotto::gw::model {
namespace {

struct FlashRow {
  const char *target;
  const char *op;  // an op name, or ENGINE_CORE
  uint32_t bytes;
};
constexpr FlashRow kFlashRows[] = {
#define FLASH(target, op, bytes) {target, op, bytes},
#include "kernel_flash_table.inc"
#undef FLASH
};

struct InstructionRow {
  const char *target;
  const char *op;
  OpInstructionCost cost;
};
const InstructionRow kInstructionRows[] = {
#define INSTRUCTIONS(target, op, per_call, per_mac, per_output, per_input, per_row, per_block, \
                     samples)                                                                  \
  {target, op, {per_call, per_mac, per_output, per_input, per_row, per_block, samples}},
#include "op_instruction_table.inc"
#undef INSTRUCTIONS
};

// Typical figures at 25 °C; README "What a model costs on a chip" explains the choice of part
// and of rows. Beside each figure: the document it was checked against, or that it was not
// (datasheets this project could not reach; the figures then stand as first written and say so
// in `source`).
PowerModel stm32l476() {
  return {"STM32L476 (Cortex-M4F, 80 MHz)",
          "ST DS10198 features: 100 uA/MHz run (LDO), 1.4 uA Stop 2 with RTC, 4 us wake-up "
          "from Stop; VDD 3.0 V (not yet checked against the datasheet)",
          100.0,  // run, LDO: DS10198 features list, not checked (datasheet not reached)
          1.4,    // Stop 2 + RTC: DS10198 features list, not checked (datasheet not reached)
          4.0,    // "wake-up from Stop": DS10198 features, not checked; Stop 2's may be longer
          3.0,    // the supply DS10198's typical tables are given at, not checked
          80.0};  // maximum clock: AN4621 rev 4 introduction ("up to 80 MHz", STM32L4 Series)
}
PowerModel stm32l081() {
  return {"STM32L081 (Cortex-M0+, 32 MHz)",
          "ST DS10888 rev 6 features: 93 uA/MHz run, 0.86 uA Stop + RTC + 20 KB RAM, 5 us "
          "wake-up from flash; VDD 3.0 V (not yet checked against the datasheet)",
          93.0,   // run: STM32L081 datasheet features list, not checked (datasheet not reached)
          0.86,   // Stop + RTC + 20 KB RAM: same, not checked
          5.0,    // wake-up from flash: not checked for the L081; ST's STM32L053 features list
                  // (same STM32L0 series) gives 5 us from flash
          3.0,    // not checked
          32.0};  // maximum clock: ST's STM32L011 and STM32L053 pages (same series, 32 MHz); not
                  // checked for the L081
}
PowerModel esp32c3() {
  return {"ESP32-C3 (RV32IMC, 160 MHz)",
          "Espressif: Modem-sleep with the CPU at 160 MHz about 20 mA (125 uA/MHz; ESP-AT "
          "'Sleep AT Examples', ESP32-C3), Light-sleep 140 uA (ESP-IDF 'Low Power Mode in "
          "Wi-Fi Scenarios', ESP32-C3 Light-sleep table, minimum current), wake-up from "
          "Light-sleep under 1 ms (ESP32-C3 book, 12.2.2); VDD 3.3 V",
          // 20 mA / 160 MHz. ESP-AT "Sleep AT Examples" (ESP32-C3): Modem-sleep at 160 MHz about
          // 20 mA; ESP-IDF "Low Power Mode in Wi-Fi Scenarios" (sleep-current/esp32c3_summary):
          // Modem-sleep 20.67-21.47 mA (Wi-Fi connected, DTIM 10..1).
          125.0,
          // ESP-IDF "Low Power Mode in Wi-Fi Scenarios", ESP32-C3 Light-sleep table
          // (sleep-current/esp32c3_light_sleep): minimum current 0.14 mA at 160 MHz, the floor
          // between wake-ups. Was 130 uA from memory of the datasheet, which was not reached.
          140.0,
          // "The Internet of Things with ESP32-C3" (Espressif), 12.2.2 Light-sleep mode:
          // wake-up latency under 1 ms; the bound taken as the figure.
          1000.0,
          3.3,     // nominal supply; the documents above do not state theirs: not checked
          160.0};  // the CPU clock of every figure above
}

TargetProfile build_profile(const std::string &name, PowerModel power) {
  TargetProfile p;
  p.name = name;
  p.power = std::move(power);
  for (const FlashRow &row : kFlashRows) {
    if (name != row.target) continue;
    if (std::string(row.op) == "ENGINE_CORE") {
      p.engine_core_flash_bytes = row.bytes;
    } else {
      p.kernel_flash_bytes[row.op] = row.bytes;
    }
  }
  for (const InstructionRow &row : kInstructionRows) {
    if (name == row.target) p.op_instructions[row.op] = row.cost;
  }
  p.instruction_source =
      p.op_instructions.empty()
          ? "no instruction table measured for it yet (deploy/cost-table.sh instructions)"
          : "per-op table fitted to QEMU -icount counts";
  return p;
}

// A block-sparse op's weights (smdl_format.h): its rows are the output channels, each kernel
// pixel (CONV_2D) or the whole input row (FULLY_CONNECTED) a run of input weights cut into
// blocks of 4.
struct SparseWeights {
  uint64_t stored_weights;  // the stored blocks' weights a kernel multiplies (short blocks: run
                            // weights over blocks per run on average)
  uint64_t blocks_per_row;  // the bitmap's blocks of one output channel, stored or not
};
SparseWeights sparse_weights(const sotto_smdl_op_t &op, const sotto_smdl_tensor_t *tensors) {
  const sotto_smdl_tensor_t &in = tensors[op.input0], &out = tensors[op.output];
  const uint32_t rows = static_cast<uint32_t>(out.dims[3]);
  const bool conv = op.kind == SOTTO_OP_CONV_2D;
  const uint32_t groups =
      conv ? static_cast<uint32_t>(op.params[SOTTO_P_KERNEL_H] * op.params[SOTTO_P_KERNEL_W]) : 1u;
  const uint32_t run = conv ? static_cast<uint32_t>(in.dims[3]) : in.bytes / (out.bytes / rows);
  const uint64_t blocks_per_run = (run + SOTTO_SMDL_SPARSE_BLOCK - 1) / SOTTO_SMDL_SPARSE_BLOCK;
  const uint64_t bitmap = sotto_smdl_sparse_bitmap_bytes(rows, groups, run);
  const uint64_t stored_blocks =
      op.weights_bytes > bitmap ? (op.weights_bytes - bitmap) / SOTTO_SMDL_SPARSE_BLOCK : 0;
  return {blocks_per_run == 0 ? 0 : stored_blocks * run / blocks_per_run, groups * blocks_per_run};
}

// Filter taps k of one axis that reach an input for output position `out` (input position
// (out + pad - k) / stride, a whole index inside 0..in - 1), as the kernel walks them.
uint64_t transpose_conv_taps(int32_t out, int32_t pad, int32_t stride, int32_t in, int32_t kernel) {
  uint64_t taps = 0;
  for (int32_t k = 0; k < kernel; ++k) {
    const int32_t t = out + pad - k;
    if (t >= 0 && t % stride == 0 && t / stride < in) ++taps;
  }
  return taps;
}

// TRANSPOSE_CONV gathers each output from the taps that reach it: its multiply-accumulates are
// the taps over all outputs times the input channels.
uint64_t transpose_conv_macs(const sotto_smdl_op_t &op, const sotto_smdl_tensor_t *tensors) {
  const sotto_smdl_tensor_t &in = tensors[op.input0], &out = tensors[op.output];
  const int32_t *p = op.params;
  if (p[SOTTO_P_STRIDE_H] <= 0 || p[SOTTO_P_STRIDE_W] <= 0) return 0;
  uint64_t rows = 0, cols = 0;
  for (int32_t oy = 0; oy < out.dims[1]; ++oy) {
    rows += transpose_conv_taps(oy, p[SOTTO_P_PAD_H], p[SOTTO_P_STRIDE_H], in.dims[1],
                                p[SOTTO_P_KERNEL_H]);
  }
  for (int32_t ox = 0; ox < out.dims[2]; ++ox) {
    cols += transpose_conv_taps(ox, p[SOTTO_P_PAD_W], p[SOTTO_P_STRIDE_W], in.dims[2],
                                p[SOTTO_P_KERNEL_W]);
  }
  return static_cast<uint64_t>(out.dims[0]) * rows * cols * static_cast<uint64_t>(out.dims[3]) *
         static_cast<uint64_t>(in.dims[3]);
}

}  // namespace

OpShape op_shape(const sotto_smdl_op_t &op, const sotto_smdl_tensor_t *tensors) {
  auto elements = [](const sotto_smdl_tensor_t &t) {
    uint64_t n = 1;
    for (int32_t d : t.dims) n *= static_cast<uint64_t>(d);
    return n;
  };
  OpShape s;
  const sotto_smdl_tensor_t &out = tensors[op.output];
  s.output_elements = elements(out);
  s.input_elements = elements(tensors[op.input0]);
  if (op.input1 != 0xFFFFFFFFu) s.input_elements += elements(tensors[op.input1]);
  s.output_rows = out.dims[3] > 0 ? s.output_elements / static_cast<uint64_t>(out.dims[3]) : 0;
  const uint64_t channels = out.dims[3] > 0 ? static_cast<uint64_t>(out.dims[3]) : 1;
  switch (op.kind) {
    case SOTTO_OP_CONV_2D:
    case SOTTO_OP_FULLY_CONNECTED:
      if (op.params[SOTTO_P_SPARSE_WEIGHTS] != 0) {
        const SparseWeights w = sparse_weights(op, tensors);
        s.macs = s.output_elements * (w.stored_weights / channels);
        s.walked_blocks = s.output_elements * w.blocks_per_row;
        break;
      }
      [[fallthrough]];
    case SOTTO_OP_DEPTHWISE_CONV_2D:
      // int8 weights: one byte per multiply-accumulate of each output element.
      s.macs = s.output_elements * (op.weights_bytes / channels);
      break;
    case SOTTO_OP_TRANSPOSE_CONV:
      s.macs = transpose_conv_macs(op, tensors);
      break;
    case SOTTO_OP_SVDF: {
      // Each filter's feature weights over the inputs, then its time weights over the memory.
      const uint64_t batches = static_cast<uint64_t>(tensors[op.input0].dims[2]);
      const uint64_t inputs = static_cast<uint64_t>(tensors[op.input0].dims[3]);
      const uint64_t filters = channels * static_cast<uint64_t>(op.params[SOTTO_P_SVDF_RANK]);
      s.macs = batches * filters * (inputs + static_cast<uint64_t>(op.params[SOTTO_P_SVDF_MEMORY]));
      break;
    }
    case SOTTO_OP_UNIDIRECTIONAL_SEQUENCE_LSTM:
      // Every step's hidden state (an output row of units) takes all four gates' input and
      // recurrent weights once: weights_bytes = 4 * units * (inputs + units) MACs per row.
      s.macs = s.output_rows * op.weights_bytes;
      break;
    case SOTTO_OP_AVERAGE_POOL_2D:
    case SOTTO_OP_MAX_POOL_2D:
      s.macs = s.output_elements * static_cast<uint64_t>(op.params[SOTTO_P_KERNEL_H]) *
               static_cast<uint64_t>(op.params[SOTTO_P_KERNEL_W]);
      break;
    default:
      break;
  }
  return s;
}

std::string op_cost_key(const sotto_smdl_op_t &op, const sotto_smdl_tensor_t *tensors) {
  static const char *const kTypes[SOTTO_SMDL_TYPE_COUNT_] = {"int8", "float32", "int16", "int32",
                                                             "uint8"};
  const uint32_t in = tensors[op.input0].type, out = tensors[op.output].type;
  std::string key = sotto_infer::op_name(op.kind);
  // A depth multiplier above 1 (one input channel fanned out to several) runs the reference
  // kernel even on the Cortex-M4, at several times the instructions per MAC.
  if (op.kind == SOTTO_OP_DEPTHWISE_CONV_2D && op.params[SOTTO_P_DEPTH_MULTIPLIER] != 1) {
    key += "/multiplier";
  }
  // Block-sparse weights: the kernels walk the bitmap and the stored blocks only, so the cost
  // follows the stored weights, not the dense ones.
  if ((op.kind == SOTTO_OP_FULLY_CONNECTED || op.kind == SOTTO_OP_CONV_2D) &&
      op.params[SOTTO_P_SPARSE_WEIGHTS] != 0) {
    key += "/sparse";
  }
  // Filters interleaved for the Cortex-M4 run its register-blocked kernels, at a fraction of the
  // instructions per MAC of a plain filter's (which MobileNetV2's expansions keep): pointwise
  // filters the matrix kernel, other windows the windowed kernel that gathers them first.
  if (op.kind == SOTTO_OP_CONV_2D &&
      op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == SOTTO_SMDL_INTERLEAVED_ROWS) {
    key += "/pointwise";
  }
  if (op.kind == SOTTO_OP_CONV_2D &&
      op.params[SOTTO_P_FC_WEIGHTS_INTERLEAVED] == SOTTO_SMDL_INTERLEAVED_WINDOW) {
    key += "/window";
  }
  if (in == SOTTO_SMDL_INT8 && out == SOTTO_SMDL_INT8) return key;
  auto type = [](uint32_t t) { return t < SOTTO_SMDL_TYPE_COUNT_ ? kTypes[t] : "?"; };
  return key + ":" + type(in) + ">" + type(out);
}

uint64_t OpInstructionCost::instructions(const OpShape &shape) const {
  const double n = per_call + per_mac * static_cast<double>(shape.macs) +
                   per_output * static_cast<double>(shape.output_elements) +
                   per_input * static_cast<double>(shape.input_elements) +
                   per_row * static_cast<double>(shape.output_rows) +
                   per_block * static_cast<double>(shape.walked_blocks);
  return n <= 0 ? 0 : static_cast<uint64_t>(std::llround(n));
}

const TargetProfile &target_profile(Target target) {
  static const TargetProfile m4 = build_profile("cortex-m4", stm32l476());
  static const TargetProfile m0 = build_profile("cortex-m0", stm32l081());
  static const TargetProfile rv32 = build_profile("rv32", esp32c3());
  switch (target) {
    case Target::kCortexM4:
      return m4;
    case Target::kCortexM0:
      return m0;
    case Target::kRv32:
      return rv32;
    case Target::kGeneric:
      break;
  }
  throw std::invalid_argument(
      "the generic target has no chip to cost; give --target cortex-m4, "
      "cortex-m0 or rv32");
}

}  // namespace sotto::gw::model
