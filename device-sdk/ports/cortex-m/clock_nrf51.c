/* Board clock for QEMU's microbit (nRF51822): TIMER0 (0x40008000) in 32-bit timer mode at its
 * full 16 MHz (PRESCALER 0), read by capturing the counter into CC[0].
 * Instruction counting: under QEMU -icount shift=0,align=off,sleep=off one instruction is 1 ns
 * of virtual time and one tick 62.5 ns, so sotto_port_instructions() = ticks * 125 / 2:
 * deterministic for the same binary and input, to within one tick (62.5 instructions). */
#include <stdint.h>

#include "sotto/port_target.h"

#define TIMER0_REG(offset) (*(volatile uint32_t *)(0x40008000u + (offset)))
#define TIMER0_TASKS_START TIMER0_REG(0x000)
#define TIMER0_TASKS_STOP TIMER0_REG(0x004)
#define TIMER0_TASKS_CLEAR TIMER0_REG(0x00C)
#define TIMER0_TASKS_CAPTURE0 TIMER0_REG(0x040)
#define TIMER0_MODE TIMER0_REG(0x504)
#define TIMER0_BITMODE TIMER0_REG(0x508)
#define TIMER0_PRESCALER TIMER0_REG(0x510)
#define TIMER0_CC0 TIMER0_REG(0x540)

enum { kTicksPerMs = 16000, kModeTimer = 0, kBitmode32 = 3 };

static uint64_t ticks_total; /* ticks accumulated up to last_value */
static uint32_t last_value;

void sotto_port_clock_start(void) {
  TIMER0_TASKS_STOP = 1;
  TIMER0_MODE = kModeTimer;
  TIMER0_BITMODE = kBitmode32;
  TIMER0_PRESCALER = 0;
  TIMER0_TASKS_CLEAR = 1;
  last_value = 0;
  ticks_total = 0;
  TIMER0_TASKS_START = 1;
}

/* The counter wraps every 2^32 ticks (268 s); reading at least that often keeps it exact. */
static uint64_t ticks(void) {
  TIMER0_TASKS_CAPTURE0 = 1;
  uint32_t value = TIMER0_CC0;
  ticks_total += (uint32_t)(value - last_value);
  last_value = value;
  return ticks_total;
}

uint64_t sotto_port_instructions(void) {
  return ticks() * 125u / 2u;
}

uint64_t sotto_port_now_ms(void) {
  return ticks() / kTicksPerMs;
}
