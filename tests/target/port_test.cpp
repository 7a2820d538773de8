// On-target: the port's instruction counter (used by benchmarks) and clock. Under QEMU -icount
// both follow the instruction count exactly: RV32 minstret counts every instruction; the
// Cortex-M4 timer ticks once per 5 instructions and the Cortex-M0's (nRF51) once per 62.5, so
// their readings are exact to one tick.
#include "sotto_test.h"

#if defined(__arm__) || defined(__riscv)
// Runs exactly 2 * iterations instructions in the loop (a decrement and a taken branch each).
static void counted_loop(uint32_t iterations) {
#if defined(__arm__)
  // GCC hands Thumb-1 (Cortex-M0) inline assembly to the assembler in divided syntax, where
  // "subs" with three operands does not exist: ask for unified syntax (GCC restores it after).
  __asm__ volatile(".syntax unified\n1: subs %0, %0, #1\n bne 1b" : "+r"(iterations) : : "cc");
#else
  __asm__ volatile("1: addi %0, %0, -1\n bnez %0, 1b" : "+r"(iterations));
#endif
}

static uint64_t instructions_for(uint32_t iterations) {
  uint64_t start = sotto_port_instructions();
  counted_loop(iterations);
  return sotto_port_instructions() - start;
}
#endif

#if defined(__ARM_ARCH_6M__)
enum { kCounterResolution = 63, kInstructionsPerMs = 1000000 }; /* shift=0: 1 ns each */
#elif defined(__arm__)
enum { kCounterResolution = 5, kInstructionsPerMs = 125000 }; /* shift=3: 8 ns each */
#elif defined(__riscv)
enum { kCounterResolution = 0, kInstructionsPerMs = 1000000 }; /* shift=0: 1 ns each */
#endif

static void instruction_count_is_exact(void) {
#if defined(__arm__) || defined(__riscv)
  // The counter's own overhead is the same in both runs and cancels out.
  int64_t extra = (int64_t)instructions_for(30000) - (int64_t)instructions_for(10000);
  CHECK(extra >= 40000 - kCounterResolution && extra <= 40000 + kCounterResolution);
#if defined(__riscv)
  CHECK_EQ(extra, 40000);
#endif
#else
  CHECK_EQ(sotto_port_instructions(), 0);                     // the host has no instruction counter
#endif
}

static void clock_follows_the_instruction_count(void) {
  sotto_clock_port_t clock = sotto_port_clock();
  uint64_t before = clock.now_ms(clock.ctx);
#if defined(__arm__) || defined(__riscv)
  counted_loop(10u * kInstructionsPerMs / 2u);  // 10 ms of virtual time
  uint64_t elapsed = clock.now_ms(clock.ctx) - before;
  CHECK(elapsed == 10 || elapsed == 11);  // 11 when the start was late in a millisecond
#else
  CHECK(clock.now_ms(clock.ctx) >= before);
#endif
}

SOTTO_TESTS_BEGIN
SOTTO_TEST(instruction_count_is_exact)
SOTTO_TEST(clock_follows_the_instruction_count)
SOTTO_TESTS_END
