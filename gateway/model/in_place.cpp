// See in_place.h: simulate the order of output units and the first input byte each reads.
#include "in_place.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace sotto::gw::model {
namespace {

const int64_t kNothing = std::numeric_limits<int64_t>::max();

// First input byte read by each output pixel of a windowed op (kNothing when the window lies
// outside the picture).
std::vector<int64_t> window_first_reads(const sotto_smdl_op_t &op, const sotto_smdl_tensor_t &in,
                                        const sotto_smdl_tensor_t &out) {
  const int32_t *p = op.params;
  std::vector<int64_t> first;
  const int64_t in_h = in.dims[1], in_w = in.dims[2];
  const int64_t in_c = in.dims[3] * static_cast<int64_t>(sotto_smdl_type_bytes(in.type));
  for (int64_t b = 0; b < out.dims[0]; ++b) {
    for (int64_t oy = 0; oy < out.dims[1]; ++oy) {
      for (int64_t ox = 0; ox < out.dims[2]; ++ox) {
        int64_t iy = -1, ix = -1;
        for (int64_t ky = 0; ky < p[SOTTO_P_KERNEL_H] && iy < 0; ++ky) {
          const int64_t y =
              oy * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H] + p[SOTTO_P_DILATION_H] * ky;
          if (y >= 0 && y < in_h) iy = y;
        }
        for (int64_t kx = 0; kx < p[SOTTO_P_KERNEL_W] && ix < 0; ++kx) {
          const int64_t x =
              ox * p[SOTTO_P_STRIDE_W] - p[SOTTO_P_PAD_W] + p[SOTTO_P_DILATION_W] * kx;
          if (x >= 0 && x < in_w) ix = x;
        }
        first.push_back(iy < 0 || ix < 0 ? kNothing : ((b * in_h + iy) * in_w + ix) * in_c);
      }
    }
  }
  return first;
}

}  // namespace

int64_t in_place_distance(const sotto_smdl_op_t &op, uint32_t input,
                          const sotto_smdl_tensor_t *tensors) {
  const sotto_smdl_tensor_t &in = tensors[input];
  const sotto_smdl_tensor_t &out = tensors[op.output];
  std::vector<int64_t> first;  // first input byte each output unit reads
  int64_t unit_bytes = 1;
  switch (op.kind) {
    case SOTTO_OP_CONV_2D:
    case SOTTO_OP_DEPTHWISE_CONV_2D:
    case SOTTO_OP_AVERAGE_POOL_2D:
    case SOTTO_OP_MAX_POOL_2D:
      first = window_first_reads(op, in, out);
      unit_bytes = out.dims[3] * static_cast<int64_t>(sotto_smdl_type_bytes(out.type));
      break;
    case SOTTO_OP_FULLY_CONNECTED:
    case SOTTO_OP_SOFTMAX: {
      // A row of output (int8, or int16 from SOFTMAX) is written after its input row is read.
      unit_bytes = out.dims[3] * static_cast<int64_t>(sotto_smdl_type_bytes(out.type));
      const int64_t rows = out.bytes / unit_bytes, in_row = in.bytes / rows;
      for (int64_t r = 0; r < rows; ++r) first.push_back(r * in_row);
      break;
    }
    case SOTTO_OP_ADD:
      for (int64_t i = 0; i < out.bytes; ++i) first.push_back(i);
      break;
    default:  // no in-place rule: the input must stay clear of the whole output
      return out.bytes;
  }
  // Units are written in order; unit u's writes end at (u + 1) * unit_bytes and every read of
  // units >= u starts at or after min(first[u..]).
  int64_t distance = std::numeric_limits<int64_t>::min(), need_from = kNothing;
  for (size_t u = first.size(); u-- > 0;) {
    need_from = std::min(need_from, first[u]);
    if (need_from != kNothing) {
      distance = std::max(distance, static_cast<int64_t>(u + 1) * unit_bytes - need_from);
    }
  }
  return distance == std::numeric_limits<int64_t>::min() ? 0 : distance;
}

}  // namespace sotto::gw::model
