/* Random-shape comparison of this build's kernels with the reference (kernel_equivalence.cpp). */
#ifndef SOTTO_TEST_KERNEL_EQUIVALENCE_H
#define SOTTO_TEST_KERNEL_EQUIVALENCE_H

#include <stdint.h>

/* Runs `cases` random ops through both kernel sets; returns how many outputs differed and
 * stores how many ops were compared (shapes with an empty output are skipped). */
uint32_t run_kernel_equivalence(uint32_t cases, uint32_t *checked);

/* Mismatches of the last run by kind: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD. */
extern uint32_t g_kind_mismatches[4];

#endif
