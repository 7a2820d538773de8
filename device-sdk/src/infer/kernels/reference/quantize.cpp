// QUANTIZE at the model edge (float32 -> int8) or between integer scales and types (int8, int16,
// int32 in any pairing, as TFLM's Requantize): the loader's check and the reference kernel, with
// TFLite's arithmetic: round(x / scale) + zp in float, or
// MultiplyByQuantizedMultiplier(x - zp_in) + zp_out saturated to the output type.
#include <string.h>

#include "fixed_point.h"
#include "kernel_args.h"
#include "op_check.h"

namespace sotto_infer {
namespace {

bool is_integer(uint32_t type) {
  return type == SOTTO_SMDL_INT8 || type == SOTTO_SMDL_INT16 || type == SOTTO_SMDL_INT32;
}

// A zero point of an integer type (int32: any).
bool zero_point_of(uint32_t type, int32_t zp) {
  return type == SOTTO_SMDL_INT8 ? zero_point_ok(zp)
                                 : type != SOTTO_SMDL_INT16 || int16_zero_point_ok(zp);
}

}  // namespace

sotto_err_t check_quantize(OpCheck &c) {
  const sotto_smdl_tensor_t &in = c.input0, &out = c.output;
  const int32_t *p = c.param();
  if (!is_integer(out.type) || (!is_integer(in.type) && in.type != SOTTO_SMDL_FLOAT32)) {
    return c.fail(SOTTO_ERR_MODEL_BAD_TENSOR,
                  "types: expected float32 in and int8 out, or int8/int16/int32 in and out");
  }
  if (p[SOTTO_P_QUANTIZE_FROM_FLOAT] != 0) {
    if (in.type != SOTTO_SMDL_FLOAT32 || out.type != SOTTO_SMDL_INT8 ||
        in.bytes != 4 * static_cast<uint64_t>(out.bytes)) {
      return c.fail(SOTTO_ERR_MODEL_SHAPE_MISMATCH,
                    "from float: expected a float32 input of the int8 output's element count");
    }
  } else if (!is_integer(in.type) || element_count(in) != element_count(out) ||
             !zero_point_of(in.type, p[SOTTO_P_QUANTIZE_INPUT_ZERO_POINT]) ||
             p[SOTTO_P_QUANTIZE_MULT] < 0 || !shift_ok(p[SOTTO_P_QUANTIZE_SHIFT])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP,
                  "requantize: expected an integer input of the output's element count, its "
                  "type's zero point, multiplier >= 0 and shift -31..30");
  }
  if (!zero_point_of(out.type, p[SOTTO_P_OUTPUT_OFFSET])) {
    return c.fail(SOTTO_ERR_MODEL_BAD_OP, "output zero point: expected within the output type");
  }
  return SOTTO_OK;
}

namespace {

// std::round(v) + zero_point clamped to int8, without libm.
int8_t quantize_one(float v, int32_t zero_point) {
  return static_cast<int8_t>(clamp_i32(round_half_away(v) + zero_point, -128, 127));
}

int32_t load(const int8_t *data, uint32_t type, uint32_t i) {
  if (type == SOTTO_SMDL_INT8) return data[i];
  if (type == SOTTO_SMDL_INT16) return reinterpret_cast<const int16_t *>(data)[i];
  return reinterpret_cast<const int32_t *>(data)[i];
}

}  // namespace

void reference::quantize(const KernelArgs &a) {
  const int32_t *p = a.op->params;
  const uint32_t n = element_count(*a.output);
  if (p[SOTTO_P_QUANTIZE_FROM_FLOAT]) {
    const float scale = float_from_bits(p[SOTTO_P_QUANTIZE_SCALE_BITS]);
    for (uint32_t i = 0; i < n; ++i) {
      float x;
      memcpy(&x, a.input0_data + 4 * i, 4);
      a.output_data[i] = quantize_one(x / scale, p[SOTTO_P_OUTPUT_OFFSET]);
    }
    return;
  }
  const uint32_t in_type = a.input0->type, out_type = a.output->type;
  const int32_t zp_in = p[SOTTO_P_QUANTIZE_INPUT_ZERO_POINT], zp_out = p[SOTTO_P_OUTPUT_OFFSET];
  for (uint32_t i = 0; i < n; ++i) {
    // Wrapping: only a hostile int32 zero point can overflow, and must stay defined.
    const int32_t x = wrapping_sub(load(a.input0_data, in_type, i), zp_in);
    if (out_type == SOTTO_SMDL_INT32) {
      reinterpret_cast<int32_t *>(a.output_data)[i] = wrapping_add(
          multiply_by_quantized_multiplier(x, p[SOTTO_P_QUANTIZE_MULT], p[SOTTO_P_QUANTIZE_SHIFT]),
          zp_out);
    } else if (out_type == SOTTO_SMDL_INT16) {
      reinterpret_cast<int16_t *>(a.output_data)[i] = static_cast<int16_t>(requantize_clamped(
          x, p[SOTTO_P_QUANTIZE_MULT], p[SOTTO_P_QUANTIZE_SHIFT], zp_out, -32768, 32767));
    } else {
      a.output_data[i] = static_cast<int8_t>(requantize_clamped(
          x, p[SOTTO_P_QUANTIZE_MULT], p[SOTTO_P_QUANTIZE_SHIFT], zp_out, -128, 127));
    }
  }
}

}  // namespace sotto_infer
