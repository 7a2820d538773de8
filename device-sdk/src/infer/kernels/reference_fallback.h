// Whether the Cortex-M4's CONV_2D and FULLY_CONNECTED kernels may hand an op they cannot run
// themselves to the reference kernel (sotto_infer_library's NO_REFERENCE_FALLBACK, CMake's
// SOTTO_INFER_REFERENCE_FALLBACK). They can run every int8 op the importer lays out for the
// Cortex-M4; the reference serves other blobs: more than one batch, too little scratch, or
// FULLY_CONNECTED weights not interleaved. Without the fallback the loader refuses those ops by
// name (the checks in reference/conv_2d.cpp and reference/fully_connected.cpp), the kernels skip
// the tests the loader made, and a firmware's linked engine drops the reference kernels.
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

}  // namespace sotto_infer

#endif
