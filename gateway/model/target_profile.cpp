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
#define INSTRUCTIONS(target, op, per_call, per_mac, per_output, per_input, per_row, samples) \
  {target, op, {per_call, per_mac, per_output, per_input, per_row, samples}},
#include "op_instruction_table.inc"
#undef INSTRUCTIONS
};

// Typical figures at 25 °C from each part's datasheet; README "What a model costs on a chip"
// explains the choice of part and of rows.
PowerModel stm32l476() {
  return {"STM32L476 (Cortex-M4F, 80 MHz)",
          "ST DS10198 features: 100 uA/MHz run (LDO), 1.4 uA Stop 2 with RTC, 4 us wake-up "
          "from Stop; VDD 3.0 V",
          100.0,
          1.4,
          4.0,
          3.0,
          80.0};
}
PowerModel stm32l081() {
  return {"STM32L081 (Cortex-M0+, 32 MHz)",
          "ST DS10888 rev 6 features: 93 uA/MHz run, 0.86 uA Stop + RTC + 20 KB RAM, 5 us "
          "wake-up from flash; VDD 3.0 V",
          93.0,
          0.86,
          5.0,
          3.0,
          32.0};
}
PowerModel esp32c3() {
  return {"ESP32-C3 (RV32IMC, 160 MHz)",
          "Espressif ESP32-C3 datasheet v1.6: Modem-sleep with the CPU at 160 MHz 20 mA "
          "(125 uA/MHz), Light-sleep 130 uA, wake-up under 1 ms; VDD 3.3 V",
          125.0,
          130.0,
          1000.0,
          3.3,
          160.0};
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
    case SOTTO_OP_DEPTHWISE_CONV_2D:
    case SOTTO_OP_FULLY_CONNECTED:
      // int8 weights: one byte per multiply-accumulate of each output element.
      s.macs = s.output_elements * (op.weights_bytes / channels);
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
  if (in == SOTTO_SMDL_INT8 && out == SOTTO_SMDL_INT8) return key;
  auto type = [](uint32_t t) { return t < SOTTO_SMDL_TYPE_COUNT_ ? kTypes[t] : "?"; };
  return key + ":" + type(in) + ">" + type(out);
}

uint64_t OpInstructionCost::instructions(const OpShape &shape) const {
  const double n = per_call + per_mac * static_cast<double>(shape.macs) +
                   per_output * static_cast<double>(shape.output_elements) +
                   per_input * static_cast<double>(shape.input_elements) +
                   per_row * static_cast<double>(shape.output_rows);
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
