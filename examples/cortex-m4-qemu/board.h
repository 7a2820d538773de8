/* The board functions of sensor-node on QEMU's mps2-an386: console on UART0 and, because QEMU is
 * the test bench, an exit with a status (semihosting). Also defines the two functions the port
 * template needs (board_uplink_publish, board_log_write). */
#ifndef SENSOR_NODE_BOARD_H
#define SENSOR_NODE_BOARD_H

#include <stddef.h>
#include <stdint.h>

void board_init(void);
void board_print(const char *text);
void board_print_hex(const uint8_t *bytes, size_t len);
void board_print_uint(uint32_t value);
/* Ends the run; QEMU exits with status. */
void board_exit(int status) __attribute__((noreturn));

#endif /* SENSOR_NODE_BOARD_H */
