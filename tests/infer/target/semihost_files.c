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

enum { kPieceBytes = 256 };

long semihost_stream_file(const char *path,
                          int (*sink)(void *ctx, size_t offset, const uint8_t *piece, size_t n),
                          void *ctx) {
  static uint8_t piece[kPieceBytes];
  uintptr_t open_args[3] = {(uintptr_t)path, 1 /* "rb" */, strlen(path)};
  const intptr_t fd = call(kOpen, open_args);
  if (fd < 0) return -1;
  uintptr_t flen_args[1] = {(uintptr_t)fd};
  const intptr_t len = call(kFlen, flen_args);
  long result = len >= 0 ? (long)len : -1;
  for (size_t offset = 0; result >= 0 && offset < (size_t)len; offset += kPieceBytes) {
    const size_t n = (size_t)len - offset < kPieceBytes ? (size_t)len - offset : kPieceBytes;
    uintptr_t read_args[3] = {(uintptr_t)fd, (uintptr_t)piece, (uintptr_t)n};
    /* SYS_READ returns the bytes NOT read */
    if (call(kRead, read_args) != 0 || sink(ctx, offset, piece, n) != 0) result = -1;
  }
  uintptr_t close_args[1] = {(uintptr_t)fd};
  (void)call(kClose, close_args);
  return result;
}

struct compare_state {
  const uint8_t *bytes;
  size_t at; /* file offset of bytes[0] */
  size_t n;
  int differs;
};

/* Compares the part of a piece that falls in [at, at + n); a piece past it ends the read. */
static int compare_piece(void *ctx, size_t offset, const uint8_t *piece, size_t n) {
  struct compare_state *state = (struct compare_state *)ctx;
  const size_t end = state->at + state->n;
  const size_t from = offset > state->at ? offset : state->at;
  const size_t to = offset + n < end ? offset + n : end;
  if (from < to && memcmp(state->bytes + (from - state->at), piece + (from - offset), to - from)) {
    state->differs = 1;
  }
  return state->differs;
}

int semihost_compare_file(const char *path, const void *bytes, size_t n) {
  long len = 0;
  const int differs = semihost_compare_file_at(path, 0, bytes, n, &len);
  return differs != 0 ? differs : ((size_t)len == n ? 0 : 1);
}

int semihost_compare_file_at(const char *path, size_t at, const void *bytes, size_t n,
                             long *file_bytes) {
  struct compare_state state = {(const uint8_t *)bytes, at, n, 0};
  const long len = semihost_stream_file(path, compare_piece, &state);
  *file_bytes = len;
  if (state.differs) return 1;
  if (len < 0) return -1;
  return (size_t)len >= at + n ? 0 : 1;
}

int semihost_command_line(char *buf, size_t cap) {
  uintptr_t args[2] = {(uintptr_t)buf, cap};
  return call(kCmdline, args) == 0 ? 0 : -1;
}
