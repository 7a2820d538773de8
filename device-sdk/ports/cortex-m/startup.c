/* Cortex-M reset (M4F on mps2-an386, M0 on the nRF51 microbit): vector table, .data/.bss
 * setup, FPU enable on hard-float builds, then main(); its return value becomes QEMU's exit
 * code. No static constructors are run (the linker script rejects any). Where the linker
 * script reserves a stack (nrf51.ld: __stack_limit), a guard word at its bottom turns a stack
 * that ran into the statics into a failed run (status 124). */
#include <stdint.h>
#include <string.h>

#include "sotto/port_target.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
extern uint32_t __stack_limit[] __attribute__((weak));
int main(void);
void sotto_port_clock_start(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

enum { kStackGuard = 0x57AC6A4Du };

void sotto_reset_handler(void) {
  memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
  memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
#if defined(__ARM_FP)
  SCB_CPACR |= 0xFu << 20; /* CP10 + CP11 full access: the hard-float ABI needs the FPU */
  __asm__ volatile("dsb\n isb" ::: "memory");
#endif
  if (__stack_limit) *(volatile uint32_t *)__stack_limit = kStackGuard;
  sotto_port_clock_start();
  int status = main();
  if (__stack_limit && *(volatile uint32_t *)__stack_limit != kStackGuard) {
    sotto_port_write("sotto: the stack ran past its reserve into static RAM\n");
    status = 124;
  }
  sotto_port_exit(status);
}

static void fault_handler(void) {
  sotto_port_write("sotto: fault\n");
  sotto_port_exit(125);
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))__stack_top,
    sotto_reset_handler,
    fault_handler,
    fault_handler,
    fault_handler,
    fault_handler,
    fault_handler,
    0,
    0,
    0,
    0,
    fault_handler,
    fault_handler,
    0,
    fault_handler,
    fault_handler};
