// How far below an input an op's output must start for the op to run in place: the kernels
// (reference and every optimized variant) produce output units (a pixel's channels, an FC row, a
// softmax row, an ADD element) in order, and may re-read any input byte of the current or a
// later unit after writing earlier ones.
#pragma once

#include <cstdint>

#include "smdl_format.h"

namespace sotto::gw::model {

// Smallest offset(input) - offset(output) at which no write of `op` ever lands on an input
// byte still to be read. `input` is op.input0 or op.input1; `tensors` is the tensor table.
int64_t in_place_distance(const sotto_smdl_op_t &op, uint32_t input,
                          const sotto_smdl_tensor_t *tensors);

}  // namespace sotto::gw::model
