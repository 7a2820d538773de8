/* The SDK's clock port (sotto_clock_port_t) over the board clock file's sotto_port_now_ms: the
 * same on every Cortex-M board of this port. */
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
