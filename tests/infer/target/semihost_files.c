/* Semihosting SYS_OPEN/SYS_FLEN/SYS_READ/SYS_CLOSE/SYS_GET_CMDLINE for Arm (bkpt 0xab) and
 * RISC-V (the slli/ebreak/srai sequence); see semihost_files.h. */
#include "semihost_files.h"

#include <string.h>

enum { kOpen = 0x01, kClose = 0x02, kRead = 0x06, kFlen = 0x0C, kCmdline = 0x15 };

static intptr_t call(uintptr_t op, void *arg) {
#if defined(__arm__)
  register uintptr_t r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return (intptr_t)r0;
#elif defined(__riscv)
  register uintptr_t a0 __asm__("a0") = op;
  register void *a1 __asm__("a1") = arg;
  __asm__ volatile(
      ".option push\n .option norvc\n .balign 16\n"
      " slli x0, x0, 0x1f\n ebreak\n srai x0, x0, 7\n .option pop"
      : "+r"(a0)
      : "r"(a1)
      : "memory");
  return (intptr_t)a0;
#else
#error "semihosting needs Arm or RISC-V"
#endif
}

long semihost_read_file(const char *path, void *buf, size_t cap) {
  uintptr_t open_args[3] = {(uintptr_t)path, 1 /* "rb" */, strlen(path)};
  const intptr_t fd = call(kOpen, open_args);
  if (fd < 0) return -1;
  uintptr_t flen_args[1] = {(uintptr_t)fd};
  const intptr_t len = call(kFlen, flen_args);
  long result = -1;
  if (len >= 0 && (size_t)len <= cap) {
    uintptr_t read_args[3] = {(uintptr_t)fd, (uintptr_t)buf, (uintptr_t)len};
    if (call(kRead, read_args) == 0) result = (long)len; /* returns the bytes NOT read */
  }
  uintptr_t close_args[1] = {(uintptr_t)fd};
  (void)call(kClose, close_args);
  return result;
}

int semihost_command_line(char *buf, size_t cap) {
  uintptr_t args[2] = {(uintptr_t)buf, cap};
  return call(kCmdline, args) == 0 ? 0 : -1;
}
