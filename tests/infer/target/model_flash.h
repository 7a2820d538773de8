/* Models that do not fit in the target's RAM (the Cortex-M0's nRF51 has 16 KB): the conformance
 * image programs the .smdl into flash past its own code and runs it from there, as firmware
 * that receives a model does. */
#ifndef SOTTO_TEST_MODEL_FLASH_H
#define SOTTO_TEST_MODEL_FLASH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Erases the model region, programs the file at `path` (over semihosting) into it and points
 * *blob at it; returns the model's size, or -1 if the file is missing or larger than the
 * region. */
long model_flash_program(const char *path, const uint8_t **blob);

#ifdef __cplusplus
}
#endif

#endif
