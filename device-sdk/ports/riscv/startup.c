/* RV32 C start: clear .bss (QEMU loads .data in place), run main(), exit with its status.
 * No static constructors are run (the linker script rejects any). */
#include <stdint.h>
#include <string.h>

#include "sotto/port_target.h"

extern uint32_t __bss_start[], __bss_end[];
int main(void);

void sotto_riscv_start(void) {
  memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
  sotto_port_exit(main());
}

void sotto_riscv_trap(void) {
  sotto_port_write("sotto: trap\n");
  sotto_port_exit(125);
}
