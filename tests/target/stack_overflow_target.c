/* Cortex-M0 only (nrf51.ld reserves 2 KB of stack above the statics): a program whose stack runs
 * past that reserve must fail (startup.c's guard word, status 124) instead of passing on
 * corrupted statics. This one fills a 3 KB local buffer and returns 0. */
#include <stdint.h>
#include <string.h>

int main(void) {
  volatile uint8_t buffer[3 * 1024];
  memset((void *)buffer, 0, sizeof buffer);
  return buffer[0];
}
