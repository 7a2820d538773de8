/* Semihosting SYS_OPEN/SYS_FLEN/SYS_READ/SYS_CLOSE/SYS_GET_CMDLINE through the port's
 * sotto_port_semihost; see semihost_files.h. */
#include "semihost_files.h"

#include <string.h>

#include "sotto/port_target.h"

enum { kOpen = 0x01, kClose = 0x02, kRead = 0x06, kFlen = 0x0C, kCmdline = 0x15 };

static intptr_t call(uintptr_t op, const void *arg) {
  return (intptr_t)sotto_port_semihost(op, (uintptr_t)arg);
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
