/* The SDK's clock port (sotto_clock_port_t) over sotto_port_now_ms: the same for every board of
 * ports/cortex-m and ports/riscv and for the host build of tests/target, which each define only
 * sotto_port_now_ms (the board timer, or CLOCK_MONOTONIC). */
#include <stdint.h>

#include "sotto/port_target.h"

static uint64_t clock_now_ms(void *ctx) {
  (void)ctx;
  return sotto_port_now_ms();
}

sotto_clock_port_t sotto_port_clock(void) {
  sotto_clock_port_t port = {0, clock_now_ms};
  return port;
}
