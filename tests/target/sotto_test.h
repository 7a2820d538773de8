/* A tiny freestanding test harness for tests that run on the host and on QEMU targets alike:
 * CHECK macros, an explicit test table (no static constructors) and a main() that runs every
 * test and returns the failure count (the exit status under QEMU, via semihosting).
 *
 *   static void encodes_known_event(void) { CHECK_EQ(len, 18); }
 *   SOTTO_TESTS_BEGIN
 *   SOTTO_TEST(encodes_known_event)
 *   SOTTO_TESTS_END
 * Output goes through sotto_port_write (semihosting on targets, stdout on the host). */
#ifndef SOTTO_TEST_H
#define SOTTO_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sotto/port_target.h"
#include "write_int.h"

typedef struct sotto_test_case {
  const char *name;
  void (*run)(void);
} sotto_test_case_t;

/* Zero-initialized; each test image includes this header once. */
static int sotto_test_failed_checks; /* NOLINT(bugprone-dynamic-static-initializers) */

static inline void sotto_test_fail(const char *file, int line, const char *expr, int64_t left,
                                   int64_t right, int has_values) {
  ++sotto_test_failed_checks;
  sotto_port_write("  FAILED ");
  sotto_port_write(file);
  sotto_port_write(":");
  sotto_test_write_int(line);
  sotto_port_write(": ");
  sotto_port_write(expr);
  if (has_values) {
    sotto_port_write(" (");
    sotto_test_write_int(left);
    sotto_port_write(" vs ");
    sotto_test_write_int(right);
    sotto_port_write(")");
  }
  sotto_port_write("\n");
}

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) sotto_test_fail(__FILE__, __LINE__, #cond, 0, 0, 0); \
  } while (0)
#define CHECK_EQ(a, b)                                                          \
  do {                                                                          \
    int64_t sotto_l_ = (int64_t)(a), sotto_r_ = (int64_t)(b);                   \
    if (sotto_l_ != sotto_r_)                                                   \
      sotto_test_fail(__FILE__, __LINE__, #a " == " #b, sotto_l_, sotto_r_, 1); \
  } while (0)
#define CHECK_BYTES(actual, expected, len) CHECK(memcmp((actual), (expected), (len)) == 0)

static inline int sotto_test_run_all(const sotto_test_case_t *tests, size_t count) {
  int failed_tests = 0;
  for (size_t i = 0; i < count; ++i) {
    int before = sotto_test_failed_checks;
    tests[i].run();
    int ok = sotto_test_failed_checks == before;
    sotto_port_write(ok ? "[ ok ] " : "[FAIL] ");
    sotto_port_write(tests[i].name);
    sotto_port_write("\n");
    if (!ok) {
      ++failed_tests;
    }
  }
  sotto_test_write_int((int64_t)count);
  sotto_port_write(" tests, ");
  sotto_test_write_int(failed_tests);
  sotto_port_write(" failed\n");
  return failed_tests;
}

#define SOTTO_TESTS_BEGIN static const sotto_test_case_t sotto_tests[] = {
#define SOTTO_TEST(fn) {#fn, fn},
#define SOTTO_TESTS_END                                                                 \
  }                                                                                     \
  ;                                                                                     \
  int main(void) {                                                                      \
    return sotto_test_run_all(sotto_tests, sizeof sotto_tests / sizeof sotto_tests[0]); \
  }

#endif /* SOTTO_TEST_H */
