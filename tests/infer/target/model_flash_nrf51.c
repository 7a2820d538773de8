/* model_flash.h on the nRF51 (QEMU microbit): the NVMC erases the region's 1 KB pages and
 * programs it a 32-bit word at a time (only the pages the model covers). The region is
 * model_flash_nrf51.ld's. */
#include <string.h>

#include "model_flash.h"
#include "semihost_files.h"

#define NVMC_READY (*(volatile uint32_t *)0x4001E400u)
#define NVMC_CONFIG (*(volatile uint32_t *)0x4001E504u)
#define NVMC_ERASEPAGE (*(volatile uint32_t *)0x4001E508u)

enum { kReadOnly = 0, kWriteEnable = 1, kEraseEnable = 2, kPageBytes = 1024 };

extern uint8_t __sotto_model_flash[], __sotto_model_flash_end[];

static void wait_ready(void) {
  while ((NVMC_READY & 1u) == 0) {
  }
}

static int program_piece(void *ctx, size_t offset, const uint8_t *piece, size_t n) {
  (void)ctx;
  volatile uint32_t *word = (volatile uint32_t *)(__sotto_model_flash + offset);
  for (size_t i = 0; i < n; i += 4) {
    uint32_t value = 0xFFFFFFFFu; /* a last partial word keeps its tail erased */
    memcpy(&value, piece + i, n - i < 4 ? n - i : 4);
    *word++ = value;
    wait_ready();
  }
  return 0;
}

static int fits(void *ctx, size_t offset, const uint8_t *piece, size_t n) {
  (void)ctx;
  (void)piece;
  return offset + n > (size_t)(__sotto_model_flash_end - __sotto_model_flash);
}

long model_flash_program(const char *path, const uint8_t **blob) {
  /* A first pass only measures: a model larger than the region is refused before any erase. */
  const long size = semihost_stream_file(path, fits, 0);
  if (size < 0) return -1;
  NVMC_CONFIG = kEraseEnable;
  for (uint8_t *page = __sotto_model_flash; page < __sotto_model_flash + size; page += kPageBytes) {
    NVMC_ERASEPAGE = (uint32_t)(uintptr_t)page;
    wait_ready();
  }
  NVMC_CONFIG = kWriteEnable;
  const long written = semihost_stream_file(path, program_piece, 0);
  NVMC_CONFIG = kReadOnly;
  *blob = __sotto_model_flash;
  return written == size ? size : -1;
}
