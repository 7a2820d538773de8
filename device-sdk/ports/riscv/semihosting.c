/* RISC-V semihosting (slli/ebreak/srai, uncompressed, same page): console output and exit with
 * the program's status. QEMU needs -semihosting-config enable=on,target=native. */
#include <stdint.h>

#include "sotto/port_target.h"

enum { kSysWrite0 = 0x04, kSysExitExtended = 0x20, kAdpStoppedApplicationExit = 0x20026 };

uintptr_t sotto_port_semihost(uintptr_t op, uintptr_t arg) {
  register uintptr_t a0 __asm__("a0") = op;
  register uintptr_t a1 __asm__("a1") = arg;
  __asm__ volatile(
      ".option push\n .option norvc\n .balign 16\n"
      " slli x0, x0, 0x1f\n ebreak\n srai x0, x0, 7\n .option pop"
      : "+r"(a0)
      : "r"(a1)
      : "memory");
  return a0;
}

void sotto_port_write(const char *text) {
  (void)sotto_port_semihost(kSysWrite0, (uintptr_t)text);
}

void sotto_port_exit(int status) {
  /* SYS_EXIT_EXTENDED: unlike SYS_EXIT, QEMU's exit code becomes our status. */
  uintptr_t block[2] = {kAdpStoppedApplicationExit, (uintptr_t)status};
  for (;;) {
    (void)sotto_port_semihost(kSysExitExtended, (uintptr_t)block);
  }
}
