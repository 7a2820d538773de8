// Whether the Cortex-M4's CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD kernels may hand an
// op they cannot run themselves to the reference kernel (sotto_infer_library's
// NO_REFERENCE_FALLBACK, CMake's SOTTO_INFER_REFERENCE_FALLBACK): an op of more than one batch or
// with too little scratch, FULLY_CONNECTED weights not interleaved, a depthwise window of another
// shape (depth multiplier 1, channels a multiple of 4, at most 64 taps) or of scales its output
// stages do not cover, an int16 or broadcast ADD or one of other scales. A blob imported with
// --target cortex-m4 holds none of those for kws, vww, ic and ad. Without the fallback the loader
// refuses such an op by name (the checks in reference/conv_2d.cpp, depthwise_conv_2d.cpp,
// fully_connected.cpp and add.cpp), the kernels skip the tests the loader made, and a firmware's
// linked engine drops the reference kernels.
#ifndef SOTTO_INFER_REFERENCE_FALLBACK_H
#define SOTTO_INFER_REFERENCE_FALLBACK_H

#include <stdint.h>

#include "smdl_format.h"

namespace sotto_infer {

#ifdef SOTTO_INFER_NO_REFERENCE_FALLBACK
constexpr bool kReferenceFallback = false;
#else
constexpr bool kReferenceFallback = true;
#endif

#define SOTTO_INFER_FALLBACK_LEFT_OUT \
  " (this engine is built without the reference fallback: SOTTO_INFER_REFERENCE_FALLBACK)"

// The scratch the Cortex-M4 CONV_2D kernel needs for an int8 dense filter of out_c rows over a
// window of `window` values (in_c of them per pixel), by its layout
// (SOTTO_P_FC_WEIGHTS_INTERLEAVED; gateway/model/importer.cpp plans the same): four pixels' inputs
// as int16 pairs (8 bytes per value in whole groups of four; the windowed and plain layouts one
// window staged as int8 too, the plain one 4 tail values per pixel more), then a 16-byte output
// stage entry per row.
inline uint64_t m4_conv_2d_scratch_bytes(int32_t interleaving, uint32_t in_c, uint32_t window,
                                         uint32_t out_c) {
  const uint64_t entries = 16ull * out_c;
  if (interleaving == SOTTO_SMDL_INTERLEAVED_ROWS) return 8ull * (in_c & ~3u) + entries;
  if (interleaving == SOTTO_SMDL_INTERLEAVED_WINDOW) {
    return 9ull * sotto_smdl_window_row(window) + entries;
  }
  return 8ull * ((window & ~3u) + 4) + ((window + 3ull) & ~3ull) + entries;
}

// DEPTHWISE_CONV_2D on the Cortex-M4 (cortex-m4/depthwise_conv_2d.cpp): windows of at most this
// many taps, and this much scratch (gateway/model/importer.cpp plans it): a 16-byte entry per
// channel, then 2 bytes per tap and channel of widened weights.
constexpr int32_t kM4DepthwiseMaxTaps = 64;
inline uint32_t m4_depthwise_scratch_bytes(int32_t ch, int32_t taps) {
  return static_cast<uint32_t>((16 + 2 * taps) * ch);
}

// Whether that kernel's output stages cover a channel of bias b, shift s (its multiplier is
// non-negative: check_mac_quantization) in a window of `taps` taps: the conditions its
// prepare_entries tests (the short stage: |b| below 2^30 minus the largest sum of products and s
// in -21..-1; else the requantization with s <= -2; |b| <= 2^31 - 2^22 either way).
inline bool m4_depthwise_channel_fits(int32_t b, int32_t s, int32_t taps) {
  const uint32_t magnitude = b < 0 ? 0u - static_cast<uint32_t>(b) : static_cast<uint32_t>(b);
  const uint32_t short_room = (1u << 30) - static_cast<uint32_t>(taps) * 255u * 128u;
  if (magnitude > static_cast<uint32_t>(INT32_MAX) - (1u << 22)) return false;
  return s <= -2 || (s == -1 && magnitude < short_room);
}

// ADD on the Cortex-M4 (cortex-m4/add.cpp): int8, same-shape inputs, each input's rescaling a
// half (multiplier 2^30, shift 0, left shift at least 1) or a right shift of at least 2, at least
// one a half, and the output's shift in -21..-1 (dsp.h's output_scale_ok).
inline bool m4_add_fits(const int32_t *p, bool int8, bool same_shapes) {
  const bool half1 = p[SOTTO_P_ADD_INPUT1_MULT] == (1 << 30) && p[SOTTO_P_ADD_INPUT1_SHIFT] == 0 &&
                     p[SOTTO_P_ADD_LEFT_SHIFT] >= 1;
  const bool half2 = p[SOTTO_P_ADD_INPUT2_MULT] == (1 << 30) && p[SOTTO_P_ADD_INPUT2_SHIFT] == 0 &&
                     p[SOTTO_P_ADD_LEFT_SHIFT] >= 1;
  return int8 && same_shapes && (half1 || half2) && (half1 || p[SOTTO_P_ADD_INPUT1_SHIFT] <= -2) &&
         (half2 || p[SOTTO_P_ADD_INPUT2_SHIFT] <= -2) && p[SOTTO_P_ADD_OUTPUT_MULT] >= 0 &&
         p[SOTTO_P_ADD_OUTPUT_SHIFT] <= -1 && p[SOTTO_P_ADD_OUTPUT_SHIFT] >= -21;
}

}  // namespace sotto_infer

#endif
