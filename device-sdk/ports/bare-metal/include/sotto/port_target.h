/* sotto bare-metal port API, one header for ports/cortex-m and ports/riscv: semihosting output
 * and exit, a clock from the board timer, and a deterministic instruction count for benchmarks.
 * Each port (and the host build of tests/target) defines these functions except
 * sotto_port_clock, which ports/bare-metal/clock_port.c builds on sotto_port_now_ms for all. */
#ifndef SOTTO_PORT_TARGET_H
#define SOTTO_PORT_TARGET_H

#include <stdint.h>

#include "sotto/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a NUL-terminated string to the debugger console (QEMU: stdout/stderr). */
void sotto_port_write(const char *text);
/* One semihosting call: operation number and the address of its argument block; returns the
 * host's answer. Targets only; test images use it to read files from the host. */
uintptr_t sotto_port_semihost(uintptr_t op, uintptr_t arg);
/* Ends the program; QEMU exits with this status (semihosting SYS_EXIT_EXTENDED). */
void sotto_port_exit(int status) __attribute__((noreturn));
/* Instructions retired since reset, exact and deterministic only under QEMU -icount (see the
 * port's clock file for the flags). Benchmarks subtract two readings around the measured code. */
uint64_t sotto_port_instructions(void);
/* Milliseconds since reset from the board timer. */
uint64_t sotto_port_now_ms(void);
/* A clock port for sotto_device_config_t reading sotto_port_now_ms. */
sotto_clock_port_t sotto_port_clock(void);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_PORT_TARGET_H */
