// Passes of the Cortex-M4 pointwise CONV_2D (pointwise_conv.h) written whole in assembly: four
// pixels' expanded inputs times every block of four interleaved filter rows, requantized and
// stored; either one pass whose inputs the caller expanded, or (stride 1) every whole pass of the
// layer, each expanding its own four pixels' inputs, so that the C++ pays once per layer. Written
// by hand because GCC, given the same steps as intrinsics, spilled the pass's sums, pixel pointers
// and bookkeeping around every pair of rows (about 210 instructions of fixed cost per pair); here a
// pair of rows pays about 34 besides its groups' 24 instructions each and its eight outputs'
// requantization (four instructions each on the plain stage, seven on the general one; kws's 64->64
// layers went from 1.23 to 0.94 instruction per MAC). All fourteen registers hold the inner loop's
// state; everything else lives in the pass's stack frame and moves with LDM/STM.
//
// It covers the common case only, which pointwise_conv.h checks before calling it: whole groups of
// four inputs (in_c % 4 == 0), one chunk of at most kChunk inputs (so that raw - low is exactly
// 256 x B, pointwise_conv.h), and every channel's requantization within PassEntry's reach (below).
// Rows past the last whole block of four are left to the caller.
#ifndef SOTTO_INFER_CORTEX_M4_POINTWISE_PASS_H
#define SOTTO_INFER_CORTEX_M4_POINTWISE_PASS_H

#include <stddef.h>
#include <stdint.h>

namespace sotto_infer {
namespace pointwise {

// Bytes of one group's code (SOTTO_PW_GROUP, checked as it is assembled): the loop runs four per
// iteration, and its first starts as far in as the groups' count leaves over (+1: Thumb code).
#define SOTTO_PW_GROUP_BYTES_N 96  // 24 instructions of 4 bytes
const int32_t kGroupBytes = SOTTO_PW_GROUP_BYTES_N;

// What a pass reads, in the order of the assembly's stack frame (the offsets below); the pass
// copies it there and leaves it untouched.
struct PassFrame {
  int32_t minus_lift[4];   // 0: -128 x sum of each pixel's inputs (LDM from sp)
  const uint32_t *xs;      // 16: the expanded inputs (scratch)
  const uint8_t *weights;  // 20: the first block of interleaved rows (LDRD with xs)
  // 24: the first block's pair B (weights + 8). A pair's weights end where the next pair of the
  // same kind starts (pair A's at the next block's A, B's at the next block's B), so after each
  // pair this and weights swap, the end taking this one's place (one LDR, one STRD).
  const uint8_t *other_weights;
  const int32_t *folded;   // 28: folded bias, from channel 0 (one LDRD with other_weights)
  const uint32_t *xs_end;  // 32: end of the expanded inputs
  // 36: 1 + kGroupBytes x ((4 - groups % 4) % 4): the loop runs 4 groups per iteration. Words 0
  // to 36 start a pair in one LDM (r0-r3 the lifts, r8 xs, r9 the weights, r10-r12 spare, pc).
  int32_t loop_entry;
  const void *table_end;  // 40: entry of the first channel past the whole blocks
  // 44: each pixel's output, at channel 0 (one LDM / STM with the table).
  int8_t *out[4];
  const void *table;      // 60: PassEntry per channel, from channel 0
  int32_t general_stage;  // 64: nonzero for the general output stage, else the plain one
  // 68: the number of whole passes to run from the raw inputs below (stride 1: each pass's four
  // pixels follow each other in the input and the output), expanding each into xs itself; 0: one
  // pass whose inputs the caller expanded, with the lifts and outputs above.
  int32_t passes;
  const int8_t *input;      // 72: the first pass's first pixel's inputs (in_c bytes a pixel)
  int32_t in_c;             // 76
  int8_t *output;           // 80: the first pass's first pixel's outputs (out_c bytes a pixel)
  int32_t out_c;            // 84
  const uint8_t *weights0;  // 88: weights, other_weights, folded and table as each pass starts
  const uint8_t *other_weights0;
  const int32_t *folded0;
  const void *table0;  // 100
};

// The frame's offsets as assembly text (kept in step with PassFrame by the static_assert).
static_assert(sizeof(PassFrame) == 104 && offsetof(PassFrame, passes) == 68 &&
                  offsetof(PassFrame, input) == 72 && offsetof(PassFrame, output) == 80 &&
                  offsetof(PassFrame, weights0) == 88 && offsetof(PassFrame, table0) == 100 &&
                  offsetof(PassFrame, xs) == 16 && offsetof(PassFrame, weights) == 20 &&
                  offsetof(PassFrame, other_weights) == 24 && offsetof(PassFrame, folded) == 28 &&
                  offsetof(PassFrame, xs_end) == 32 && offsetof(PassFrame, loop_entry) == 36 &&
                  offsetof(PassFrame, table_end) == 40 && offsetof(PassFrame, out) == 44 &&
                  offsetof(PassFrame, table) == 60 && offsetof(PassFrame, general_stage) == 64,
              "PassFrame: the assembly's offsets");
// clang-format off
#define SOTTO_PW_XS "16"     // and the weights at 20
#define SOTTO_PW_W "20"
#define SOTTO_PW_W_OTHER "24"
#define SOTTO_PW_FOLD "28"
#define SOTTO_PW_END "32"
#define SOTTO_PW_ENTRY "36"
#define SOTTO_PW_TEND "40"
#define SOTTO_PW_OUT "44"     /* and the table at 60 */
#define SOTTO_PW_OUT_B "60"
#define SOTTO_PW_STAGE "64"
#define SOTTO_PW_PASSES "68"
#define SOTTO_PW_INPUT "72"   /* and in_c at 76 */
#define SOTTO_PW_OUTPUT "80"  /* and out_c at 84 */
#define SOTTO_PW_START "88"   /* weights0, other_weights0, folded0, table0 */
#define SOTTO_PW_FRAME "104"
#define SOTTO_PW_TEXT(N) #N
#define SOTTO_PW_NUMBER(N) SOTTO_PW_TEXT(N)
#define SOTTO_PW_GROUP_BYTES SOTTO_PW_NUMBER(SOTTO_PW_GROUP_BYTES_N)

// One group of four inputs times the pair of rows, four pixels (as pointwise_conv.h's
// SOTTO_POINTWISE_GROUP, with fixed registers): r0-r3 low sums, r4-r7 raw sums, r8 inputs,
// r9 weights, r10 weight word, r11 its low rows, r12 and lr two pixels' int16 pairs.
#define SOTTO_PW_HALF(STEP)           \
  "ldr r10, [r9], #" #STEP "\n\t"     \
  "and r11, r10, #0x00FF00FF\n\t"     \
  "ldrd r12, lr, [r8], #8\n\t"        \
  "smlad r0, r12, r11, r0\n\t"        \
  "smlad r4, r12, r10, r4\n\t"        \
  "smlad r1, lr, r11, r1\n\t"         \
  "smlad r5, lr, r10, r5\n\t"         \
  "ldrd r12, lr, [r8], #8\n\t"        \
  "smlad r2, r12, r11, r2\n\t"        \
  "smlad r6, r12, r10, r6\n\t"        \
  "smlad r3, lr, r11, r3\n\t"         \
  "smlad r7, lr, r10, r7\n\t"
#define SOTTO_PW_GROUP SOTTO_PW_HALF(4) SOTTO_PW_HALF(12)

// One output of sum register S (destroyed) through the channel's PassEntry in r9-r12 to the
// pixel pointer P, which advances by one byte (see PassEntry), then SSAT #8. PLAIN takes twice
// the sum (dsp.h's OutputScale, without the sign term: four instructions); GENERAL the sum itself,
// with the sign term and the separate offset, through lr.
#define SOTTO_PW_STORE_PLAIN(S, P)             \
  "smmlar " S ", " S ", r9, r10\n\t"           \
  "asr " S ", " S ", r11\n\t"                  \
  "ssat " S ", #8, " S "\n\t"                  \
  "strb " S ", [" P "], #1\n\t"
#define SOTTO_PW_STORE_GENERAL(S, P)           \
  "add lr, r10, " S ", asr #31\n\t"            \
  "smmlar lr, " S ", r9, lr\n\t"               \
  "add " S ", lr, " S "\n\t"                   \
  "asr " S ", " S ", r11\n\t"                  \
  "add " S ", " S ", r12\n\t"                  \
  "ssat " S ", #8, " S "\n\t"                  \
  "strb " S ", [" P "], #1\n\t"

// One output stage for pair A's sums in r0-r3 and B's on the stack, with r4-r7 the pixel
// pointers and r8 the table (SOTTO_PW_SUMS's LDM), then back to the next
// pair (1) or out (to 9). Between the PUSH of B's sums and their POP the frame is 16 bytes further
// from sp (the _B offsets).
#define SOTTO_PW_OUTPUTS(STORE)                                                       \
  "ldmia r8!, {r9-r12}\n\t"                                                           \
  STORE("r0", "r4") STORE("r1", "r5") STORE("r2", "r6") STORE("r3", "r7")             \
  "pop {r0-r3}\n\t"                     /* B's outputs */                             \
  "ldmia r8!, {r9-r12}\n\t"                                                           \
  STORE("r0", "r4") STORE("r1", "r5") STORE("r2", "r6") STORE("r3", "r7")             \
  "add lr, sp, #" SOTTO_PW_OUT "\n\t"                                                  \
  "stm lr, {r4-r8}\n\t"                                                               \
  "ldr lr, [sp, #" SOTTO_PW_TEND "]\n\t"                                              \
  "cmp r8, lr\n\t"                                                                    \
  "bne 1b\n\t"                                                                        \
  "b 9f\n\t"

// Two pixels' words of raw inputs (at X and Y, which advance) into their int16 pairs, evens in
// r11, r12 and odds in r9, r10, whose lanes are added to the pixels' sums S, T (at most kChunk / 2
// inputs of +-128 each: within int16).
#define SOTTO_PW_EXPAND_TWO(X, Y, S, T)        \
  "ldr r9, [" X "], #4\n\t"                    \
  "ldr r10, [" Y "], #4\n\t"                   \
  "sxtb16 r11, r9\n\t"                         \
  "sxtb16 r12, r10\n\t"                        \
  "sxtb16 r9, r9, ror #8\n\t"                  \
  "sxtb16 r10, r10, ror #8\n\t"                \
  "sadd16 " S ", " S ", r11\n\t"               \
  "sadd16 " T ", " T ", r12\n\t"               \
  "sadd16 " S ", " S ", r9\n\t"                \
  "sadd16 " T ", " T ", r10\n\t"

// A pass's start from the frame's raw inputs (passes > 0): the four pixels' inputs expanded into
// xs (pointwise_conv.h's layout: per group, the pixels' evens, then their odds; 26 instructions
// per group), their lifts (one SMUAD each of the int16 lane sums), the pixel pointers, and the
// weights, folded biases and table back at their first block; input and output move on to the
// next pass.
#define SOTTO_PW_PASS_START                                                           \
  "ldrd r0, r12, [sp, #" SOTTO_PW_INPUT "]\n\t" /* r0-r3 the pixels' inputs */         \
  "add r1, r0, r12\n\t"                                                               \
  "add r2, r1, r12\n\t"                                                               \
  "add r3, r2, r12\n\t"                                                               \
  "ldr r4, [sp, #" SOTTO_PW_XS "]\n\t"                                                \
  "ldr lr, [sp, #" SOTTO_PW_END "]\n\t"                                               \
  "movs r5, #0\n\t"                    /* r5-r8 the sums' lanes */                   \
  "movs r6, #0\n\t"                                                                   \
  "movs r7, #0\n\t"                                                                   \
  "mov r8, #0\n\t"                                                                    \
  "6:\n\t"                                                                            \
  SOTTO_PW_EXPAND_TWO("r2", "r3", "r7", "r8")                                         \
  "strd r11, r12, [r4, #8]\n\t"                                                       \
  "strd r9, r10, [r4, #24]\n\t"                                                       \
  SOTTO_PW_EXPAND_TWO("r0", "r1", "r5", "r6")                                         \
  "strd r9, r10, [r4, #16]\n\t"                                                       \
  "strd r11, r12, [r4], #32\n\t"                                                      \
  "cmp r4, lr\n\t"                                                                    \
  "bne 6b\n\t"                                                                        \
  "str r3, [sp, #" SOTTO_PW_INPUT "]\n\t" /* pixel 3's end: the next pass's input */   \
  "mvn r9, #0x007F007F\n\t"            /* -128 in both lanes */                      \
  "smuad r5, r5, r9\n\t"                                                              \
  "smuad r6, r6, r9\n\t"                                                              \
  "smuad r7, r7, r9\n\t"                                                              \
  "smuad r8, r8, r9\n\t"                                                              \
  "stm sp, {r5-r8}\n\t"                                                               \
  "ldrd r0, r12, [sp, #" SOTTO_PW_OUTPUT "]\n\t" /* r0-r3 the pixels' outputs */       \
  "add r1, r0, r12\n\t"                                                               \
  "add r2, r1, r12\n\t"                                                               \
  "add r3, r2, r12\n\t"                                                               \
  "add r4, r3, r12\n\t"                                                               \
  "str r4, [sp, #" SOTTO_PW_OUTPUT "]\n\t"                                            \
  "add r8, sp, #" SOTTO_PW_START "\n\t"                                               \
  "ldm r8, {r5-r7, r9}\n\t"                                                           \
  "add r8, sp, #" SOTTO_PW_W "\n\t"                                                   \
  "stm r8, {r5-r7}\n\t"                                                               \
  "add r8, sp, #" SOTTO_PW_OUT "\n\t"                                                 \
  "stm r8, {r0-r3, r9}\n\t"

// The pair's sums from A's low (r0-r3) and raw (r4-r7) ones and the folded biases in r10, r11,
// times 2^(8 - B_SHIFT) (B_SHIFT 8: the sums; 7: twice them, with the biases doubled): B = folded
// B + (raw - low) / 256 (an exact multiple), A = folded A + low; then B's aside on the stack and
// r4-r8 the pixel pointers and the table.
#define SOTTO_PW_SUMS(B_SHIFT)                                                        \
  "sub r4, r4, r0\n\t"                                                                \
  "add r4, r11, r4, asr #" B_SHIFT "\n\t"                                             \
  "sub r5, r5, r1\n\t"                                                                \
  "add r5, r11, r5, asr #" B_SHIFT "\n\t"                                             \
  "sub r6, r6, r2\n\t"                                                                \
  "add r6, r11, r6, asr #" B_SHIFT "\n\t"                                             \
  "sub r7, r7, r3\n\t"                                                                \
  "add r7, r11, r7, asr #" B_SHIFT "\n\t"                                             \
  "add r0, r10, r0, lsl #(8 - " B_SHIFT ")\n\t"                                       \
  "add r1, r10, r1, lsl #(8 - " B_SHIFT ")\n\t"                                       \
  "add r2, r10, r2, lsl #(8 - " B_SHIFT ")\n\t"                                       \
  "add r3, r10, r3, lsl #(8 - " B_SHIFT ")\n\t"                                       \
  "push {r4-r7}\n\t"                    /* B aside, A's outputs */                    \
  "add r8, sp, #" SOTTO_PW_OUT_B "\n\t"                                               \
  "ldm r8, {r4-r8}\n\t"

// The whole call: the frame copied, the loop's entry and the output stage's address computed
// once; then per pass (PassFrame::passes) its start, and per pair of rows the sums and the output
// stage the frame names.
#define SOTTO_PW_PASS                                                                 \
  "push {r4-r11, lr}\n\t"                                                             \
  "sub sp, sp, #" SOTTO_PW_FRAME "\n\t"                                               \
  "ldm r0!, {r1-r12}\n\t"               /* the frame: 26 words */                     \
  "stm sp, {r1-r12}\n\t"                                                              \
  "ldm r0!, {r1-r12}\n\t"                                                             \
  "add lr, sp, #48\n\t"                                                               \
  "stm lr, {r1-r12}\n\t"                                                              \
  "ldrd r1, r2, [r0]\n\t"                                                             \
  "strd r1, r2, [sp, #96]\n\t"                                                        \
  "adr r1, 2f\n\t"                      /* the loop's entry for in_c / 4 groups */    \
  "ldr r2, [sp, #" SOTTO_PW_ENTRY "]\n\t"                                             \
  "add r1, r1, r2\n\t"                                                                \
  "str r1, [sp, #" SOTTO_PW_ENTRY "]\n\t"                                             \
  "adr r1, 7f + 1\n\t"                  /* the output stage (+1: Thumb code) */       \
  "adr r2, 8f + 1\n\t"                                                                \
  "ldr r3, [sp, #" SOTTO_PW_STAGE "]\n\t"                                             \
  "cmp r3, #0\n\t"                                                                    \
  "it ne\n\t"                                                                         \
  "movne r1, r2\n\t"                                                                  \
  "str r1, [sp, #" SOTTO_PW_STAGE "]\n\t"                                             \
  "ldr r0, [sp, #" SOTTO_PW_PASSES "]\n\t"                                            \
  "cmp r0, #0\n\t"                                                                    \
  "beq 1f\n\t"                        /* one pass, expanded by the caller */        \
  "5:\n\t" SOTTO_PW_PASS_START                                                       \
  "1:\n\t"                              /* a pair: every sum starts at -lift */       \
  "ldm sp, {r4-r7}\n\t"                                                               \
  "ldm sp, {r0-r3, r8-r12, pc}\n\t"   /* and xs, the weights, into the loop */      \
  "2:\n\t" SOTTO_PW_GROUP                                                             \
  "3:\n\t" SOTTO_PW_GROUP SOTTO_PW_GROUP SOTTO_PW_GROUP                               \
  ".if (3b - 2b) != " SOTTO_PW_GROUP_BYTES "\n\t"                                     \
  ".error \"pointwise pass: a group is not " SOTTO_PW_GROUP_BYTES " bytes\"\n\t"      \
  ".endif\n\t"                                                                        \
  "ldr r10, [sp, #" SOTTO_PW_END "]\n\t"                                              \
  "cmp r8, r10\n\t"                                                                   \
  "bne 2b\n\t"                                                                        \
  "ldrd r10, r12, [sp, #" SOTTO_PW_W_OTHER "]\n\t" /* next weights, folded bias */   \
  "strd r10, r9, [sp, #" SOTTO_PW_W "]\n\t" /* this pair's end: the next of its kind */ \
  "ldrd r10, r11, [r12], #8\n\t"                                                      \
  "str r12, [sp, #" SOTTO_PW_FOLD "]\n\t"                                             \
  "ldr pc, [sp, #" SOTTO_PW_STAGE "]\n\t"                                             \
  "7:\n\t"                              /* plain: twice the sums (OutputScale) */      \
  "lsl r10, r10, #1\n\t"                                                              \
  "lsl r11, r11, #1\n\t"                                                              \
  SOTTO_PW_SUMS("7") SOTTO_PW_OUTPUTS(SOTTO_PW_STORE_PLAIN)                            \
  "8:\n\t"                              /* general: the sums */                        \
  SOTTO_PW_SUMS("8") SOTTO_PW_OUTPUTS(SOTTO_PW_STORE_GENERAL)                          \
  "9:\n\t"                                                                            \
  "ldr r0, [sp, #" SOTTO_PW_PASSES "]\n\t"                                            \
  "subs r0, r0, #1\n\t"                                                               \
  "str r0, [sp, #" SOTTO_PW_PASSES "]\n\t"                                            \
  "bgt 5b\n\t"                                                                        \
  "add sp, sp, #" SOTTO_PW_FRAME "\n\t"                                               \
  "pop {r4-r11, pc}\n\t"
// clang-format on

// A channel's output stage as the pass reads it (16 bytes, in the place of pointwise_conv.h's
// ChannelEntry), for a multiplier m >= 2^30 (every normalized one) and a right shift r of 1..31.
// The plain stage's entry is dsp.h's OutputScale {m, rounding with the offset inside, r} (offset
// 0; a dead channel's is {0, -128, 0}: its output, the plain layer's offset): the pass doubles the
// sums as it finishes them, which needs |acc| < 2^30 on every live channel (checked from the
// largest sum), and SMMLAR of 2 acc and m gives h + rounding. The general stage takes any int32
// acc: it multiplies acc by twice m, which as int32 is 2m - 2^32, so SMMLAR gives
// floor((acc m + 2^30) / 2^31) - acc + rounding, and adding acc back gives h + rounding
// (OutputScale's h), given |h + rounding| < 2^31 (checked per channel from the largest sum). Its
// rounding is 2^(r-1) alone and the offset is added after the shift (the same value: a multiple
// of 2^r added before the shift), since offset x 2^r overflows beyond r = 21. MobileNet's
// near-dead channels (vww: r of 25..29 with biases near 2^30) need it.
struct PassEntry {
  int32_t multiplier;  // plain: m; general: 2m, wrapped
  int32_t rounding;
  int32_t right_shift;
  int32_t offset;
};

// The plain output stage serves layers with every channel's offset inside its rounding (r <= 21),
// every live channel's sums below 2^30 and negative results clamped away (act_min >= output
// offset, as every ReLU layer quantized with a zero point of -128): four instructions per output
// (and two per pair of rows to double the folded biases). The general stage adds the sum back,
// the sign term and the separate offset: seven.
__attribute__((naked, noinline, noipa)) static void run_pass(const PassFrame *) {
  __asm__ volatile(SOTTO_PW_PASS);
}

}  // namespace pointwise
}  // namespace sotto_infer

#endif
