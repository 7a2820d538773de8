/* Decimal numbers through sotto_port_write, for on-target test and benchmark images (the ports
 * have no printf). */
#ifndef SOTTO_TEST_WRITE_INT_H
#define SOTTO_TEST_WRITE_INT_H

#include <stdint.h>

#include "sotto/port_target.h"

static inline void sotto_test_write_int(int64_t value) {
  char text[24];
  char *p = text + sizeof text - 1;
  *p = '\0';
  uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
  do {
    *--p = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0) {
    *--p = '-';
  }
  sotto_port_write(p);
}

#endif /* SOTTO_TEST_WRITE_INT_H */
