// What an op's loader check (check_<stem> in kernels/reference/<stem>.cpp) is given, the range
// helpers it shares with the loader, and how it names what failed. The loader has already
// checked, for every op: tensor indices inside the table, every constant range inside the data
// section (4-byte aligned for int32 constants), scratch inside the arena, and the activation
// bounds inside the output's type (int16 for int16 outputs, else int8). An op's check adds what its
// kernel relies on; every index the kernel computes from the blob must be bounded by it.
#ifndef SOTTO_INFER_OP_CHECK_H
#define SOTTO_INFER_OP_CHECK_H

#include <stdint.h>

#include "model_view.h"
#include "smdl_format.h"
#include "sotto/error.h"

namespace sotto_infer {

// True when [offset, offset + count * unit) lies inside [0, limit).
inline bool range_ok(uint32_t offset, uint32_t count, uint32_t unit, uint32_t limit) {
  if (offset > limit) return false;
  const uint64_t bytes = static_cast<uint64_t>(count) * unit;
  return bytes <= static_cast<uint64_t>(limit - offset);
}

inline bool zero_point_ok(int32_t v) {
  return v >= -128 && v <= 127;
}

// An input offset is minus an int8 zero point.
inline bool offset_ok(int32_t v) {
  return v >= -127 && v <= 128;
}

// A zero point of an int16 tensor, and an input offset (minus one).
inline bool int16_zero_point_ok(int32_t v) {
  return v >= -32768 && v <= 32767;
}
inline bool int16_offset_ok(int32_t v) {
  return v >= -32767 && v <= 32768;
}

inline bool shift_ok(int32_t s) {
  return s >= -31 && s <= 30;
}

// `text` where the build keeps the texts of failed checks, else "" (SOTTO_INFER_NO_FAULT_TEXT):
// for a text a check hands back through a pointer (*what), which the compiler keeps in flash once
// it is stored even where the caller drops it.
constexpr const char *fault_text(const char *text) {
#ifdef SOTTO_INFER_NO_FAULT_TEXT
  return (void)text, "";
#else
  return text;
#endif
}

// Why a check refused its op: the error (its class) and the text of the check that failed. The
// texts are left out of builds with SOTTO_INFER_NO_FAULT_TEXT (CMake: SOTTO_INFER_FAULT_TEXT=OFF),
// where they would only cost flash; the host tools always have them.
struct OpCheck {
  const ModelView &model;
  const sotto_smdl_op_t &op;
  const sotto_smdl_tensor_t &input0;
  const sotto_smdl_tensor_t *input1;  // nullptr when the record names none
  const sotto_smdl_tensor_t &output;
  const char *failed;

  sotto_err_t fail(sotto_err_t err, const char *what) {
#ifdef SOTTO_INFER_NO_FAULT_TEXT
    (void)what;
    failed = "";
#else
    failed = what;
#endif
    return err;
  }
  const int32_t *param() const {
    return op.params;
  }
};

typedef sotto_err_t (*OpCheckFn)(OpCheck &check);

// Checks shared by several ops (op_check.cpp).
// Input and output int8 (and the second input, when the op has one).
sotto_err_t check_int8_activations(OpCheck &c);
// Input and output (and the second input) all int8 or all int16.
sotto_err_t check_int8_or_int16_activations(OpCheck &c);
// ADD, SUB and MUL: a second input, both inputs of 1 element, of the output's last dim or of its
// size (in elements).
sotto_err_t check_two_broadcast_inputs(OpCheck &c);
// ADD and SUB: int8 or int16 activations, broadcast inputs, and the rescaling parameters the
// shared kernel (reference/rescaled_add.h) keeps inside int32 for that type.
sotto_err_t check_add_or_sub(OpCheck &c);
// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED: int8 offsets and one non-negative Q31 multiplier
// with a shift in -31..30 per multiplier entry.
sotto_err_t check_mac_quantization(OpCheck &c);
// CONV_2D and TRANSPOSE_CONV with int16 activations (TFLite's 16x8): zero points (offsets) 0
// throughout, one multiplier >= 0 with a shift in -31..7 (the 64-bit requantization's range)
// per output channel, and none or one int64 bias per output channel below 2^46 in magnitude, so
// that an accumulator of `depth` (at most SOTTO_SMDL_MAX_ACCUMULATION_DEPTH) int16 x int8
// products plus its bias stays below the 2^47 that requantization takes.
sotto_err_t check_16x8_quantization(OpCheck &c, uint64_t depth);
// CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV: whether `depth` products per output fit the int32
// accumulator for this op's plain int8 weights (sotto_smdl_depth_fits_int32).
bool accumulation_fits(const OpCheck &c, uint64_t depth);
// A tensor an op keeps across invokes (sotto_smdl_state_tensor) must be this op's alone for the
// whole run: no other op reads, writes or keeps it, it is no graph input or output, and no other
// tensor or any scratch shares its bytes.
sotto_err_t check_state_is_private(OpCheck &c, uint32_t state);
// The pools' and convolutions' window: strides, dilations and kernel 1..1024, padding 0..1024,
// one batch count.
sotto_err_t check_window(OpCheck &c);

}  // namespace sotto_infer

#endif
