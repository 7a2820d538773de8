/* Random-shape comparison of this build's kernels with the reference (kernel_equivalence.cpp). */
#ifndef SOTTO_TEST_KERNEL_EQUIVALENCE_H
#define SOTTO_TEST_KERNEL_EQUIVALENCE_H

#include <stdint.h>

/* Runs `cases` random ops through both kernel sets; returns how many outputs differed and
 * stores how many ops were compared (shapes with an empty output are skipped). */
uint32_t run_kernel_equivalence(uint32_t cases, uint32_t *checked);

/* Mismatches of the last run by kind: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD. */
extern uint32_t g_kind_mismatches[4];

/* The last run's FULLY_CONNECTED cases, and how many of those with a block of four rows
 * (out_n >= 4) took each path of the Cortex-M4 kernel: the short output stage (a per-tensor
 * multiplier >= 2^30, shift -21..-1), that stage with biases of 2^30 and more (saturated doubling),
 * inputs not a multiple of 4 (row tails), and more than one chunk of 504 inputs. */
typedef struct {
  uint32_t cases, short_stage, saturating, tails, chunked;
} FullyConnectedCases;
extern FullyConnectedCases g_fully_connected;

/* The last run's pointwise CONV_2D cases on the interleaved filter, and how many of them took each
 * tail of the Cortex-M4's register-blocked kernel: in_c % 4 != 0, out_c % 4 != 0, a pixel count
 * not a multiple of its 4 pixels per pass, in_c above its 256-input chunk, and no scratch (the
 * reference on the interleaved filter); then those steered into its assembly pass (whole blocks
 * of four rows, pointwise_pass.h), and of those the ones on its plain output stage, the ones
 * drawn for it with a live channel whose sums may reach 2^30 (which it doubles: they take the
 * general stage), the ones whose last pixels (pixels % 4) run one by one (single_pixel in
 * pointwise_conv.h) and the ones with stride 1, whole blocks only (out_c % 4 == 0) and at least one
 * whole pass of four pixels, whose whole passes run in one call of the assembly, each expanding
 * its own inputs (run in pointwise_conv.h). */
typedef struct {
  uint32_t cases, channel_tails, row_tails, short_passes, chunked, without_scratch;
  uint32_t assembly, assembly_plain, assembly_unbounded, assembly_single, assembly_stride1;
} PointwiseCases;
extern PointwiseCases g_pointwise;

/* The last run's windowed CONV_2D cases (every non-pointwise one), run again on the filter
 * interleaved for the Cortex-M4's windowed kernel, and how many had in_c a multiple of 4 (expanded
 * straight from the input), a window not a multiple of 4 (padded rows), out_c % 4 != 0, a pixel
 * count not a multiple of 4, a padded row above its 256-input chunk, dilation, and the conditions
 * of the pointwise kernel's assembly pass (pointwise_pass.h), which the windowed kernel then runs
 * its rows through. */
typedef struct {
  uint32_t cases, channel_groups, padded_rows, row_tails, short_passes, chunked, dilated, assembly;
} WindowCases;
extern WindowCases g_window;

/* The last run's depthwise cases the Cortex-M4 kernel takes (channels a multiple of 4), and how
 * many of them had its unrolled 3x3 interior, stride 2 across with it, channels scaled below its
 * short output stage (shift < -21), and activation bounds narrower than int8 (clamped after). */
typedef struct {
  uint32_t cases, unrolled, strided, deep_shifts, narrow_bounds;
} DepthwiseCases;
extern DepthwiseCases g_depthwise;

#endif
