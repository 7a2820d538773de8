/* Board clock for QEMU virt: the CLINT mtime counter (10 MHz, 0x0200BFF8).
 * Instruction counting: minstret (instructions retired), exact under any QEMU run; run with
 * -icount shift=0 so mtime/mcycle follow the instruction count too and runs are repeatable. */
#include <stdint.h>

#include "sotto/port_target.h"

#define CLINT_MTIME_LO (*(volatile uint32_t *)0x0200BFF8u)
#define CLINT_MTIME_HI (*(volatile uint32_t *)0x0200BFFCu)

enum { kMtimeTicksPerMs = 10000 };

uint64_t sotto_port_instructions(void) {
  uint32_t hi, lo, hi2;
  /* binutils 2.40 needs zicsr spelled out for csrr under -march=rv32imc; hi and hi2 are asm
   * outputs, so the loop does end (clang-tidy cannot see that). */
  do { /* NOLINT(bugprone-infinite-loop) */
    __asm__ volatile(".option push\n .option arch, +zicsr\n csrr %0, minstreth\n .option pop"
                     : "=r"(hi));
    __asm__ volatile(".option push\n .option arch, +zicsr\n csrr %0, minstret\n .option pop"
                     : "=r"(lo));
    __asm__ volatile(".option push\n .option arch, +zicsr\n csrr %0, minstreth\n .option pop"
                     : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

uint64_t sotto_port_now_ms(void) {
  uint32_t hi, lo;
  do {
    hi = CLINT_MTIME_HI;
    lo = CLINT_MTIME_LO;
  } while (hi != CLINT_MTIME_HI);
  return (((uint64_t)hi << 32) | lo) / kMtimeTicksPerMs;
}
