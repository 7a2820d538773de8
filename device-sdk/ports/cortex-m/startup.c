/* Cortex-M4F reset: vector table, .data/.bss setup, FPU enable, then main(); its return value
 * becomes QEMU's exit code. No static constructors are run (the linker script rejects any). */
#include <stdint.h>
#include <string.h>

#include "sotto/port_target.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
int main(void);
void sotto_port_clock_start(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void sotto_reset_handler(void) {
  memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
  memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
  SCB_CPACR |= 0xFu << 20; /* CP10 + CP11 full access: the hard-float ABI needs the FPU */
  __asm__ volatile("dsb\n isb" ::: "memory");
  sotto_port_clock_start();
  sotto_port_exit(main());
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
