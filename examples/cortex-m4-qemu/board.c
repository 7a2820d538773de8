/* sensor-node's board: UART0 of mps2-an386 (a CMSDK APB UART) as console and uplink. The uplink
 * of this bench board is the console: each message is printed as "publish <topic> <hex>" and
 * counts as acknowledged; a real board hands it to its MQTT client or modem instead. */
#include "board.h"

#include "sotto_board_port.h"

#define UART0_DATA (*(volatile uint32_t *)0x40004000u)
#define UART0_STATE (*(volatile uint32_t *)0x40004004u)
#define UART0_CTRL (*(volatile uint32_t *)0x40004008u)
#define UART0_BAUDDIV (*(volatile uint32_t *)0x40004010u)
#define UART_STATE_TX_FULL 0x1u
#define UART_CTRL_TX_ENABLE 0x1u

void board_init(void) {
  UART0_BAUDDIV = 16; /* the smallest divisor the UART accepts */
  UART0_CTRL = UART_CTRL_TX_ENABLE;
}

static void put_char(char c) {
  while (UART0_STATE & UART_STATE_TX_FULL) {
  }
  UART0_DATA = (uint32_t)(unsigned char)c;
}

void board_print(const char *text) {
  while (*text != '\0') put_char(*text++);
}

void board_print_hex(const uint8_t *bytes, size_t len) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < len; ++i) {
    put_char(digits[bytes[i] >> 4]);
    put_char(digits[bytes[i] & 0xF]);
  }
}

void board_print_uint(uint32_t value) {
  char text[11];
  size_t at = sizeof text;
  text[--at] = '\0';
  do {
    text[--at] = (char)('0' + value % 10u);
    value /= 10u;
  } while (value != 0u);
  board_print(text + at);
}

/* Semihosting SYS_EXIT_EXTENDED: QEMU (-semihosting-config enable=on) exits with the status. */
void board_exit(int status) {
  uintptr_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uintptr_t)status};
  for (;;) {
    register uintptr_t r0 __asm__("r0") = 0x20u;
    register uintptr_t r1 __asm__("r1") = (uintptr_t)block;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  }
}

int board_uplink_publish(const char *topic, const uint8_t *payload, size_t len) {
  board_print("publish ");
  board_print(topic);
  board_print(" ");
  board_print_hex(payload, len);
  board_print("\n");
  return 0;
}

void board_log_write(const char *line) {
  board_print("log ");
  board_print(line);
  board_print("\n");
}
