/* Cortex-M startup (ARMv6-M and ARMv7-M: M0/M0+, M3, M4, M7): the vector table and the reset
 * handler. Copy it into your firmware; it needs only the symbols that sections.ld defines.
 *
 * Reset: copies .data from flash, zeroes .bss, turns the FPU on when the build uses one (a
 * hard-float build faults at its first float instruction otherwise), runs static constructors
 * (C++ or __attribute__((constructor))), then calls main(). main() of a firmware never returns;
 * if it does, the core sleeps.
 *
 * What to fill in: your part's interrupt handlers. The first 16 entries are the core's and the
 * same on every Cortex-M; add the device interrupts from your part's reference manual (or its
 * vendor startup file) in device_vectors[], in order. Every handler you do not write goes to
 * Default_Handler, which stops in a loop where a debugger shows it. */
#include <stdint.h>

/* From sections.ld. */
extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);

int main(void);
void Reset_Handler(void);

void Default_Handler(void) {
  for (;;) {
  }
}

/* Write any of these with the same name to replace the default. */
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) static const vector_t core_vectors[16] = {
    (vector_t)__stack_top, /* initial stack pointer: the end of RAM */
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler, /* ARMv7-M only; reserved on M0 */
    BusFault_Handler,
    UsageFault_Handler,
    0,
    0,
    0,
    0,
    SVC_Handler,
    DebugMon_Handler,
    0,
    PendSV_Handler,
    SysTick_Handler};

/* Device interrupts 0..N-1 follow the core's directly (.vectors.device sorts after .vectors). */
__attribute__((section(".vectors.device"), used)) static const vector_t device_vectors[] = {
    Default_Handler, /* IRQ 0: replace with your part's handlers, one entry per IRQ number */
};

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void Reset_Handler(void) {
  /* Word loops, not memcpy: nothing from the C library runs before its data exists. */
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) {
    *dst++ = *src++;
  }
  for (uint32_t *dst = __bss_start; dst < __bss_end;) {
    *dst++ = 0;
  }
#if defined(__ARM_FP)
  SCB_CPACR |= 0xFu << 20; /* CP10 + CP11 full access */
  __asm__ volatile("dsb\n isb" ::: "memory");
#endif
  for (void (**constructor)(void) = __init_array_start; constructor < __init_array_end;
       ++constructor) {
    (*constructor)();
  }
  (void)main();
  for (;;) {
    __asm__ volatile("wfi");
  }
}
