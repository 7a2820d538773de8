/* Board clock for mps2-an386: CMSDK TIMER0 (0x40000000) counting down at 25 MHz.
 * Instruction counting: under QEMU -icount shift=3,align=off,sleep=off each timer tick is
 * exactly 5 instructions (1 instruction = 2^3 ns of virtual time, 1 tick = 40 ns), so
 * sotto_port_instructions() = ticks * 5, deterministic for the same binary and input. */
#include <stdint.h>

#include "sotto/port_target.h"

#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)

enum { kTicksPerMs = 25000, kInstructionsPerTick = 5 };

static uint64_t ticks_total; /* ticks accumulated up to last_value */
static uint32_t last_value;

void sotto_port_clock_start(void) {
  TIMER0_CTRL = 0;
  TIMER0_RELOAD = 0xFFFFFFFFu;
  TIMER0_VALUE = 0xFFFFFFFFu;
  last_value = 0xFFFFFFFFu;
  ticks_total = 0;
  TIMER0_CTRL = 1; /* enable, no interrupt */
}

/* The counter wraps every 2^32 ticks (171 s); reading at least that often keeps it exact. */
static uint64_t ticks(void) {
  uint32_t value = TIMER0_VALUE;
  ticks_total += (uint32_t)(last_value - value);
  last_value = value;
  return ticks_total;
}

uint64_t sotto_port_instructions(void) {
  return ticks() * kInstructionsPerTick;
}

uint64_t sotto_port_now_ms(void) {
  return ticks() / kTicksPerMs;
}
