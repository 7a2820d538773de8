/* Whole-file reads and the command line over semihosting, so on-target conformance images read
 * the shared golden data from the host instead of carrying it in flash. */
#ifndef SOTTO_TEST_SEMIHOST_FILES_H
#define SOTTO_TEST_SEMIHOST_FILES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the file at `path` into buf; returns its size, or -1 if missing or larger than cap. */
long semihost_read_file(const char *path, void *buf, size_t cap);
/* Copies the program's command line (QEMU: -semihosting-config arg=...) into buf; 0 on success. */
int semihost_command_line(char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
