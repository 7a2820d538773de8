/* The bare-metal port functions of sotto/port_target.h for the host build of tests/target:
 * stdout instead of semihosting, CLOCK_MONOTONIC instead of the board timer (sotto_port_clock
 * comes from device-sdk/ports/bare-metal/clock_port.c, as on the targets). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sotto/port_target.h"

void sotto_port_write(const char *text) {
  fputs(text, stdout);
}

void sotto_port_exit(int status) {
  exit(status);
}

/* The host has no deterministic counter; benchmarks use QEMU targets. */
uint64_t sotto_port_instructions(void) {
  return 0;
}

uint64_t sotto_port_now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}
