/* The SDK's clock port (sotto_clock_port_t) from the Cortex-M SysTick timer: a 1 ms interrupt
 * counts milliseconds since sotto_port_systick_start() (systick_clock.h). SysTick is part of every
 * Cortex-M core, so this file needs only the core clock frequency:
 *   -DSOTTO_PORT_CORE_CLOCK_HZ=<the frequency SysTick counts, usually the CPU clock>
 * It defines SysTick_Handler; if your firmware needs that interrupt too, call
 * sotto_port_systick_tick() from your handler instead and build with
 * -DSOTTO_PORT_SYSTICK_HANDLER_ELSEWHERE. */
#include <stdint.h>

#include "systick_clock.h"

#ifndef SOTTO_PORT_CORE_CLOCK_HZ
#error "systick_clock.c: define SOTTO_PORT_CORE_CLOCK_HZ, the clock SysTick counts (e.g. 25000000)"
#endif

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_CSR_ENABLE_TICKINT_CPU_CLOCK 0x7u

/* 64-bit milliseconds as two words: the handler writes low before high, and a reader retries when
 * high changed under it, so no reading is torn and no interrupt is ever masked. */
static volatile uint32_t ms_low;
static volatile uint32_t ms_high;

void sotto_port_systick_start(void) {
  SYST_CSR = 0;
  SYST_RVR = (uint32_t)(SOTTO_PORT_CORE_CLOCK_HZ / 1000u) - 1u; /* 24-bit reload: <= 16.7 GHz */
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE_TICKINT_CPU_CLOCK;
}

void sotto_port_systick_tick(void) {
  uint32_t next = ms_low + 1u;
  ms_low = next;
  if (next == 0u) {
    ms_high = ms_high + 1u;
  }
}

#ifndef SOTTO_PORT_SYSTICK_HANDLER_ELSEWHERE
void SysTick_Handler(void) {
  sotto_port_systick_tick();
}
#endif

static uint64_t systick_now_ms(void *ctx) {
  (void)ctx;
  uint32_t high;
  uint32_t low;
  do {
    high = ms_high;
    low = ms_low;
  } while (high != ms_high);
  return ((uint64_t)high << 32) | low;
}

sotto_clock_port_t sotto_port_systick_clock(void) {
  sotto_clock_port_t clock = {0, systick_now_ms};
  return clock;
}
