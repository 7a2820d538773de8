/* File reads and the command line over semihosting, so on-target conformance images read the
 * shared golden data from the host instead of carrying it in flash. */
#ifndef SOTTO_TEST_SEMIHOST_FILES_H
#define SOTTO_TEST_SEMIHOST_FILES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the file at `path` into buf; returns its size, or -1 if missing or larger than cap. */
long semihost_read_file(const char *path, void *buf, size_t cap);
/* Hands the file at `path` to sink in pieces of at most 256 bytes, in order (offset: where the
 * piece starts), so a caller needs no RAM of the file's size; a sink returning nonzero stops the
 * read. Returns the file's size, or -1 if it is missing, unreadable or the sink stopped. */
long semihost_stream_file(const char *path,
                          int (*sink)(void *ctx, size_t offset, const uint8_t *piece, size_t n),
                          void *ctx);
/* Compares the file at `path` with bytes[0, n): 0 equal, 1 different (size or content), -1
 * missing. Streams the file (semihost_stream_file). */
int semihost_compare_file(const char *path, const void *bytes, size_t n);
/* Compares the file's bytes [at, at + n) with bytes[0, n): 0 equal, 1 different (or the file
 * ends before at + n), -1 missing; *file_bytes gets the file's size (-1 when missing). */
int semihost_compare_file_at(const char *path, size_t at, const void *bytes, size_t n,
                             long *file_bytes);
/* Copies the program's command line (QEMU: -semihosting-config arg=...) into buf; 0 on success. */
int semihost_command_line(char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
