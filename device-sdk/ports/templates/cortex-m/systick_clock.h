/* The SDK's clock port from the Cortex-M SysTick timer (systick_clock.c). */
#ifndef SOTTO_SYSTICK_CLOCK_H
#define SOTTO_SYSTICK_CLOCK_H

#include "sotto/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Starts the 1 ms SysTick interrupt; call once before sotto_device_init. */
void sotto_port_systick_start(void);
/* One millisecond passed: SysTick_Handler calls it (or yours, with
 * -DSOTTO_PORT_SYSTICK_HANDLER_ELSEWHERE). */
void sotto_port_systick_tick(void);
/* Milliseconds since sotto_port_systick_start, for sotto_board_ports(). */
sotto_clock_port_t sotto_port_systick_clock(void);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_SYSTICK_CLOCK_H */
