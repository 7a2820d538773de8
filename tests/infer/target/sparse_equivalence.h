/* Sparse == dense: this build's kernels on block-sparse weights against the reference kernels on
 * the same weights stored dense (sparse_equivalence.cpp). Runs on the host and on every target. */
#ifndef SOTTO_TEST_SPARSE_EQUIVALENCE_H
#define SOTTO_TEST_SPARSE_EQUIVALENCE_H

#include <stdint.h>

/* Runs `cases` random FULLY_CONNECTED and CONV_2D ops (alternating) with about half their 1x4
 * blocks zero (sometimes none, all, or whole rows); returns how many outputs differed in any byte
 * and stores how many ops were compared and how many of them were each kind. */
uint32_t run_sparse_equivalence(uint32_t cases, uint32_t *checked, uint32_t *fully_connected,
                                uint32_t *conv);

#endif
