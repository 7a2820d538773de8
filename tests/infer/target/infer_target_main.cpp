// On-target conformance and benchmark image: reads a .smdl and TFLM golden data over
// semihosting and runs the given cases, comparing every layer of the layer cases and every
// final output byte for byte; in bench mode it counts the instructions of one sotto_invoke; in
// kernels mode it compares this build's kernels with the reference on random shapes.
//
// Command line (QEMU -semihosting-config arg=...):
//   conform MODEL.smdl GOLDEN_DIR OPS CASES LAYER_CASES   (CASES "0+1+8": QEMU splits its
//   -semihosting-config at commas; LAYER_CASES likewise, or "none")
//   bench|profile MODEL.smdl GOLDEN_DIR CASE
//   kernels   (not in the Cortex-M0 image: its buffers need more than the nRF51's 16 KB of RAM)
// conform fails (exit 1) unless it ran exactly the listed cases and OPS layers per layer case,
// every invoke returned SOTTO_OK and nothing differed; a missing file is a failure.
#include <stdint.h>
#include <string.h>

#include "model_view.h"
#include "op_registry.h"
#include "semihost_files.h"
#include "sotto/model.h"
#include "sotto/port_target.h"
#include "write_int.h"

#if defined(SOTTO_INFER_TARGET_MODEL_IN_FLASH)
// Cortex-M0 (nRF51: 16 KB of RAM): the model runs from flash (model_flash.h), the arena takes
// what the statics and nrf51.ld's 2 KB stack reserve leave (seanet_transpose_conv_3 needs
// 13,072 B).
#include "model_flash.h"
#define SOTTO_ARENA_BYTES (13 * 1024 - 128)
#define SOTTO_CMDLINE_BYTES 512
#define SOTTO_PATH_BYTES 256
#else
#include "kernel_equivalence.h"
#include "sparse_equivalence.h"
#define SOTTO_ARENA_BYTES (3 * 1024 * 1024)
#define SOTTO_CMDLINE_BYTES 1024
#define SOTTO_PATH_BYTES 512
#endif

// The MobileNets need megabytes: on the Cortex-M4 board (mps2-an386) the big buffers go to its
// 16 MB PSRAM (target/psram.ld), past the 4 MB of SRAM for data.
#if defined(__ARM_ARCH) && !defined(SOTTO_INFER_TARGET_MODEL_IN_FLASH)
#define SOTTO_BIG_BUFFER __attribute__((section(".psram")))
#else
#define SOTTO_BIG_BUFFER
#endif

namespace {

#if !defined(SOTTO_INFER_TARGET_MODEL_IN_FLASH)
alignas(16) SOTTO_BIG_BUFFER uint8_t g_blob[5 * 1024 * 1024];
#endif
alignas(16) SOTTO_BIG_BUFFER uint8_t g_arena[SOTTO_ARENA_BYTES];
char g_path[SOTTO_PATH_BYTES];
char g_cmdline[SOTTO_CMDLINE_BYTES];

// An op whose output came in part so far (a row-streamed op: smdl_format.h): at most the ops of
// one stream report rows in turn, so a few slots do.
struct PartialLayer {
  uint32_t op;  // UINT32_MAX: free
  size_t bytes;
};
const int kPartialSlots = SOTTO_SMDL_MAX_STREAM_OPS;

struct Check {
  const char *golden_dir;
  int case_index;
  uint32_t layers;
  uint32_t mismatches;
  PartialLayer partial[kPartialSlots];
};

void write_line(const char *a, const char *b) {
  sotto_port_write(a);
  sotto_port_write(b);
  sotto_port_write("\n");
}

// g_path = dir + "/" + pattern with the numbers a, b, c substituted for its '#'s in turn (a
// '#' after "op" takes two digits).
const char *path_of(const char *dir, const char *pattern, int a, int b = 0) {
  size_t n = strlen(dir);
  memcpy(g_path, dir, n);
  g_path[n++] = '/';
  int which = 0;
  for (const char *c = pattern; *c != '\0' && n + 4 < sizeof g_path; ++c) {
    if (*c != '#') {
      g_path[n++] = *c;
      continue;
    }
    const int v = which++ == 0 ? a : b;
    const bool two_digits = c >= pattern + 2 && c[-2] == 'o' && c[-1] == 'p';
    if (two_digits && v < 10) g_path[n++] = '0';
    if (v >= 10) g_path[n++] = static_cast<char>('0' + v / 10);
    g_path[n++] = static_cast<char>('0' + v % 10);
  }
  g_path[n] = '\0';
  return g_path;
}

uint64_t g_last_count;

// Profile mode: instructions spent in each operator since the previous report (observer overhead
// included, a few dozen), as "op INDEX KIND instructions N".
void profile_layer(void *context, uint32_t op, const sotto_tensor_t *) {
  const uint64_t now = sotto_port_instructions();
  const sotto_model_t *model = static_cast<const sotto_model_t *>(context);
  sotto_port_write("op ");
  sotto_test_write_int(op);
  sotto_port_write(" ");
  sotto_port_write(sotto_infer::op_name(sotto_infer::view_at(model->blob).ops[op].kind));
  sotto_port_write(" instructions ");
  sotto_test_write_int(now - g_last_count);
  sotto_port_write("\n");
  g_last_count = sotto_port_instructions();
}

// A streamed op (smdl_format.h) reports its output row by row, in order: each report is compared
// at the bytes reported before it, and the op counts as one layer once its last byte came.
void compare_layer(void *ctx, uint32_t op, const sotto_tensor_t *out) {
  Check *c = static_cast<Check *>(ctx);
  PartialLayer *slot = nullptr;
  for (PartialLayer &p : c->partial) {
    if (p.op == op || (slot == nullptr && p.op == UINT32_MAX)) slot = &p;
  }
  const size_t before = slot != nullptr && slot->op == op ? slot->bytes : 0;
  long file_bytes = 0;
  const int differs = semihost_compare_file_at(
      path_of(c->golden_dir, "layers/case#_op#.bin", c->case_index, static_cast<int>(op)), before,
      out->data, out->bytes, &file_bytes);
  const size_t seen = before + out->bytes;
  if (file_bytes >= 0 && seen >= static_cast<size_t>(file_bytes)) {
    ++c->layers;
    if (slot != nullptr && slot->op == op) slot->op = UINT32_MAX;
    if (seen > static_cast<size_t>(file_bytes) && c->mismatches++ < 5)
      write_line("LONGER ", g_path);
  } else if (slot != nullptr) {
    *slot = {op, seen};
  } else if (c->mismatches++ < 5) {
    write_line("TOO MANY partly reported layers at ", g_path);
  }
  if (differs != 0) {
    if (c->mismatches++ < 5) write_line(differs < 0 ? "MISSING " : "MISMATCH ", g_path);
  }
}

// Splits the command line into at most `max` space-separated words.
int split(char *line, char **words, int max) {
  int n = 0;
  for (char *p = line; *p != '\0' && n < max;) {
    while (*p == ' ') *p++ = '\0';
    if (*p == '\0') break;
    words[n++] = p;
    while (*p != '\0' && *p != ' ') ++p;
  }
  return n;
}

// Reads the numbers of `text` ("0+1+8", any non-digit separates; "none": no number) into list.
int parse_list(const char *text, int *list, int max) {
  int n = 0, v = -1;
  if (strcmp(text, "none") == 0) return 0;
  for (const char *c = text;; ++c) {
    if (*c >= '0' && *c <= '9') {
      v = (v < 0 ? 0 : v * 10) + (*c - '0');
    } else {
      if (v >= 0 && n < max) list[n++] = v;
      v = -1;
      if (*c == '\0') break;
    }
  }
  return n;
}

bool listed(const int *list, int n, int v) {
  for (int i = 0; i < n; ++i) {
    if (list[i] == v) return true;
  }
  return false;
}

#if !defined(SOTTO_INFER_TARGET_MODEL_IN_FLASH)
// One line of labelled counts: "label0 n0 (label1 n1, ...)" (the labels carry the punctuation).
void write_counts(const char *const *labels, const uint32_t *counts, int n) {
  for (int k = 0; k < n; ++k) {
    sotto_port_write(labels[k]);
    sotto_test_write_int(counts[k]);
  }
  sotto_port_write(")\n");
}

int run_kernels() {
  uint32_t checked = 0;
  const uint32_t mismatches = run_kernel_equivalence(3000, &checked);
  sotto_port_write("kernel cases ");
  sotto_test_write_int(checked);
  sotto_port_write(" mismatches ");
  sotto_test_write_int(mismatches);
  static const char *const kKinds[4] = {" (conv ", ", depthwise ", ", fully connected ", ", add "};
  for (int k = 0; k < 4; ++k) {
    sotto_port_write(kKinds[k]);
    sotto_test_write_int(g_kind_mismatches[k]);
  }
  sotto_port_write(")\n");
  // The pointwise CONV_2D draws (the same on every target) and the tails of the M4's
  // register-blocked kernel each took.
  const PointwiseCases &pw = g_pointwise;
  const uint32_t pw_counts[11] = {pw.cases,           pw.channel_tails,   pw.row_tails,
                                  pw.short_passes,    pw.chunked,         pw.without_scratch,
                                  pw.assembly,        pw.assembly_plain,  pw.assembly_unbounded,
                                  pw.assembly_single, pw.assembly_stride1};
  static const char *const kPwCounts[11] = {
      "pointwise cases ",      " (channel tails ",  ", row tails ",
      ", short pixel passes ", ", chunked ",        ", without scratch ",
      ", assembly pass ",      ", plain stage ",    ", plain layers past its reach ",
      ", single pixels ",      ", stride-1 passes "};
  write_counts(kPwCounts, pw_counts, 11);
  static const uint32_t kExpectedPointwise[11] = {360, 136, 277, 217, 17, 32, 130, 67, 5, 74, 20};
  const bool pointwise_ok = memcmp(pw_counts, kExpectedPointwise, sizeof pw_counts) == 0;
  // The windowed CONV_2D draws, run again on the M4's interleaved layout, and its paths.
  const WindowCases &wc = g_window;
  const uint32_t wc_counts[8] = {wc.cases,        wc.channel_groups, wc.padded_rows, wc.row_tails,
                                 wc.short_passes, wc.chunked,        wc.dilated,     wc.assembly};
  static const char *const kWcCounts[8] = {
      "windowed conv cases ",  " (channel groups ", ", padded rows ", ", row tails ",
      ", short pixel passes ", ", chunked ",        ", dilated ",     ", assembly pass "};
  write_counts(kWcCounts, wc_counts, 8);
  static const uint32_t kExpectedWindow[8] = {384, 88, 128, 284, 218, 11, 164, 106};
  const bool window_ok = memcmp(wc_counts, kExpectedWindow, sizeof wc_counts) == 0;
  // The depthwise draws and the paths of the M4 kernel they took (the same on every target).
  const DepthwiseCases &dw = g_depthwise;
  const uint32_t dw_counts[5] = {dw.cases, dw.unrolled, dw.strided, dw.deep_shifts,
                                 dw.narrow_bounds};
  static const char *const kDwCounts[5] = {"depthwise cases ", " (unrolled 3x3 ", ", stride 2 ",
                                           ", deep shifts ", ", narrow bounds "};
  write_counts(kDwCounts, dw_counts, 5);
  static const uint32_t kExpectedDepthwise[5] = {568, 383, 204, 123, 278};
  const bool depthwise_ok = memcmp(dw_counts, kExpectedDepthwise, sizeof dw_counts) == 0;
  // The FULLY_CONNECTED draws and the paths of the M4 kernel they took (the same on every target).
  const FullyConnectedCases &fc = g_fully_connected;
  const uint32_t fc_counts[5] = {fc.cases, fc.short_stage, fc.saturating, fc.tails, fc.chunked};
  static const char *const kFcCounts[5] = {"fully connected cases ", " (short stage ",
                                           ", saturating ", ", row tails ", ", chunked "};
  write_counts(kFcCounts, fc_counts, 5);
  static const uint32_t kExpectedFullyConnected[5] = {750, 179, 48, 421, 74};
  const bool fully_connected_ok = memcmp(fc_counts, kExpectedFullyConnected, sizeof fc_counts) == 0;
  // Block-sparse weights: this build's kernels against the reference on the same weights dense.
  uint32_t sparse_checked = 0, sparse_fc = 0, sparse_conv = 0;
  const uint32_t sparse_mismatches =
      run_sparse_equivalence(600, &sparse_checked, &sparse_fc, &sparse_conv);
  sotto_port_write("sparse cases ");
  sotto_test_write_int(sparse_checked);
  sotto_port_write(" mismatches ");
  sotto_test_write_int(sparse_mismatches);
  sotto_port_write(" (fully connected ");
  sotto_test_write_int(sparse_fc);
  sotto_port_write(", conv ");
  sotto_test_write_int(sparse_conv);
  sotto_port_write(")\n");
  // The same draws on every target: 300 FC cases, 297 conv ones (3 windows do not fit).
  const bool sparse_ok = sparse_mismatches == 0 && sparse_fc == 300 && sparse_conv == 297;
  return checked < 2000 || mismatches != 0 || !sparse_ok || !pointwise_ok || !window_ok ||
                 !depthwise_ok || !fully_connected_ok
             ? 1
             : 0;
}
#endif

// Fills every input of `model` for case n from GOLDEN_DIR (input_N.bin, or input_N_K.bin for
// a model with several inputs); false when a file is missing or of the wrong size.
bool load_inputs(sotto_model_t *model, const char *golden, int n) {
  const uint32_t inputs = sotto_model_input_count(model);
  for (uint32_t k = 0; k < inputs; ++k) {
    sotto_tensor_t in;
    if (sotto_model_input(model, k, &in) != SOTTO_OK) return false;
    const char *file = inputs == 1 ? path_of(golden, "input_#.bin", n)
                                   : path_of(golden, "input_#_#.bin", n, static_cast<int>(k));
    const long got = semihost_read_file(file, in.data, in.bytes);
    if (got != static_cast<long>(in.bytes)) {
      write_line(got < 0 ? "MISSING " : "WRONG SIZE ", g_path);
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int main(void) {
  char *words[7];
  if (semihost_command_line(g_cmdline, sizeof g_cmdline) != 0) {
    sotto_port_write("no semihosting command line\n");
    return 2;
  }
  // QEMU passes the image name first, then each arg=...
  const int n = split(g_cmdline, words, 7);
#if !defined(SOTTO_INFER_TARGET_MODEL_IN_FLASH)
  if (n >= 2 && strcmp(words[1], "kernels") == 0) return run_kernels();
#endif
  const bool conform = n == 7 && strcmp(words[1], "conform") == 0;
  const bool profile = n == 5 && strcmp(words[1], "profile") == 0;
  const bool bench = profile || (n == 5 && strcmp(words[1], "bench") == 0);
  if (!conform && !bench) {
    sotto_port_write(
        "usage: IMAGE conform MODEL.smdl GOLDEN_DIR OPS CASES LAYER_CASES | bench|profile "
        "MODEL.smdl GOLDEN_DIR CASE | kernels\n");
    return 2;
  }
  const char *golden = words[3];
#if defined(SOTTO_INFER_TARGET_MODEL_IN_FLASH)
  const uint8_t *blob = nullptr;
  const long blob_bytes = model_flash_program(words[2], &blob);
#else
  const uint8_t *blob = g_blob;
  const long blob_bytes = semihost_read_file(words[2], g_blob, sizeof g_blob);
#endif
  if (blob_bytes < 0) {
    write_line("cannot read model (missing, or larger than the image's model buffer) ", words[2]);
    return 2;
  }
  sotto_model_t model;
  sotto_err_t err = sotto_model_open(&model, blob, static_cast<size_t>(blob_bytes));
  if (err == SOTTO_OK) err = sotto_model_attach_arena(&model, g_arena, sizeof g_arena);
  if (err != SOTTO_OK) {
    write_line("open failed: ", sotto_err_name(err));
    return 2;
  }
  int cases[16], layer_cases[16];
  const int case_count = parse_list(conform ? words[5] : words[4], cases, 16);
  const int layer_case_count = conform ? parse_list(words[6], layer_cases, 16) : 0;
  int ops_asked = 0;
  if (conform && (parse_list(words[4], &ops_asked, 1) != 1 ||
                  static_cast<uint32_t>(ops_asked) != sotto_model_op_count(&model))) {
    write_line("OPS differ from the model's operator count: ", words[4]);
    return 1;
  }
  const uint32_t ops = static_cast<uint32_t>(ops_asked);
  Check check = {golden, 0, 0, 0, {}};
  int ran = 0;
  uint32_t expected_layers = 0;
  for (int i = 0; i < case_count; ++i) {
    const int c = cases[i];
    check.case_index = c;
    for (PartialLayer &p : check.partial) p.op = UINT32_MAX;
    // Each golden case starts from a fresh interpreter: a stateful model's (SVDF's) initial state.
    sotto_model_reset_state(&model);
    if (!load_inputs(&model, golden, c)) {
      ++check.mismatches;
      continue;
    }
    const bool layers = conform && listed(layer_cases, layer_case_count, c);
    if (layers) expected_layers += ops;
    const uint64_t before = sotto_port_instructions();
    g_last_count = before;
    if (profile) {
      err = sotto_invoke_observed(&model, profile_layer, &model);
    } else if (layers) {
      err = sotto_invoke_observed(&model, compare_layer, &check);
    } else {
      err = sotto_invoke(&model);
    }
    const uint64_t after = sotto_port_instructions();
    if (err != SOTTO_OK) {
      sotto_port_write("invoke failed on case ");
      sotto_test_write_int(static_cast<uint64_t>(c));
      write_line(": ", sotto_err_name(err));
      ++check.mismatches;
      continue;
    }
    ++ran;
    if (bench) {
      sotto_port_write("instructions ");
      sotto_test_write_int(after - before);
      sotto_port_write("\n");
    }
    // The final output: output_N.bin (every golden case has one: its manifest.json lists it).
    sotto_tensor_t out;
    sotto_model_output(&model, 0, &out);
    const int differs =
        semihost_compare_file(path_of(golden, "output_#.bin", c), out.data, out.bytes);
    if (differs != 0) {
      ++check.mismatches;
      write_line(differs < 0 ? "MISSING " : "MISMATCH final output ", g_path);
    }
  }
  sotto_port_write("cases ");
  sotto_test_write_int(static_cast<uint64_t>(ran));
  sotto_port_write(" layers ");
  sotto_test_write_int(check.layers);
  sotto_port_write(" mismatches ");
  sotto_test_write_int(check.mismatches);
  sotto_port_write(" arena ");
  sotto_test_write_int(sotto_model_arena_bytes(&model));
  sotto_port_write("\n");
  const bool counts_ok = ran == case_count && case_count > 0 && check.layers == expected_layers;
  if (!counts_ok) {
    sotto_port_write("COUNTS differ: ran ");
    sotto_test_write_int(static_cast<uint64_t>(ran));
    sotto_port_write(" of ");
    sotto_test_write_int(static_cast<uint64_t>(case_count));
    sotto_port_write(" cases, compared ");
    sotto_test_write_int(check.layers);
    sotto_port_write(" of ");
    sotto_test_write_int(expected_layers);
    sotto_port_write(" layers\n");
  }
  return counts_ok && check.mismatches == 0 ? 0 : 1;
}
