// On-target conformance and benchmark image: reads a .smdl and TFLM golden data over
// semihosting, runs every case and compares every layer byte for byte; in bench mode it counts
// the instructions of one sotto_invoke; in kernels mode it compares this build's kernels with
// the reference on random shapes. Command line: conform|bench|profile MODEL.smdl GOLDEN_DIR, or
// kernels
#include <stdint.h>
#include <string.h>

#include "kernel_equivalence.h"
#include "model_view.h"
#include "op_registry.h"
#include "semihost_files.h"
#include "sotto/model.h"
#include "sotto/port_target.h"
#include "write_int.h"

namespace {

alignas(16) uint8_t g_blob[320 * 1024];
alignas(16) uint8_t g_arena[128 * 1024];
uint8_t g_golden[128 * 1024];
char g_path[512];
char g_cmdline[1024];

struct Check {
  const char *golden_dir;
  int case_index;
  uint32_t layers;
  uint32_t mismatches;
};

// g_path = dir + "/" + name with up to two decimal numbers substituted for '#' characters.
const char *path_of(const char *dir, const char *pattern, int a, int b) {
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
    if (which == 2 && v < 10) g_path[n++] = '0';  // layer files use two digits
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

void compare_layer(void *ctx, uint32_t op, const sotto_tensor_t *out) {
  Check *c = static_cast<Check *>(ctx);
  ++c->layers;
  const long n = semihost_read_file(
      path_of(c->golden_dir, "layers/case#_op#.bin", c->case_index, static_cast<int>(op)), g_golden,
      sizeof g_golden);
  if (n != static_cast<long>(out->bytes) || memcmp(g_golden, out->data, out->bytes) != 0) {
    if (c->mismatches++ < 5) {
      sotto_port_write("MISMATCH ");
      sotto_port_write(g_path);
      sotto_port_write("\n");
    }
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

}  // namespace

extern "C" int main(void) {
  char *words[4];
  if (semihost_command_line(g_cmdline, sizeof g_cmdline) != 0) {
    sotto_port_write("no semihosting command line\n");
    return 2;
  }
  // QEMU passes the image name first, then each arg=...
  const int n = split(g_cmdline, words, 4);
  if (n >= 2 && strcmp(words[1], "kernels") == 0) {
    uint32_t checked = 0;
    const uint32_t mismatches = run_kernel_equivalence(3000, &checked);
    sotto_port_write("kernel cases ");
    sotto_test_write_int(checked);
    sotto_port_write(" mismatches ");
    sotto_test_write_int(mismatches);
    static const char *const kKinds[4] = {" (conv ", ", depthwise ", ", fully connected ",
                                          ", add "};
    for (int k = 0; k < 4; ++k) {
      sotto_port_write(kKinds[k]);
      sotto_test_write_int(g_kind_mismatches[k]);
    }
    sotto_port_write(")");
    sotto_port_write("\n");
    return checked < 2000 || mismatches != 0 ? 1 : 0;
  }
  if (n != 4) {
    sotto_port_write("usage: IMAGE conform|bench|profile MODEL.smdl GOLDEN_DIR\n");
    return 2;
  }
  const bool profile = strcmp(words[1], "profile") == 0;
  const bool bench = profile || strcmp(words[1], "bench") == 0;
  const long blob_bytes = semihost_read_file(words[2], g_blob, sizeof g_blob);
  if (blob_bytes < 0) {
    sotto_port_write("cannot read model\n");
    return 2;
  }
  sotto_model_t model;
  sotto_err_t err = sotto_model_open(&model, g_blob, static_cast<size_t>(blob_bytes));
  if (err == SOTTO_OK) err = sotto_model_attach_arena(&model, g_arena, sizeof g_arena);
  if (err != SOTTO_OK) {
    sotto_port_write("open failed: ");
    sotto_port_write(sotto_err_name(err));
    sotto_port_write("\n");
    return 2;
  }
  sotto_tensor_t in, out;
  sotto_model_input(&model, &in);
  sotto_model_output(&model, &out);
  Check check = {words[3], 0, 0, 0};
  uint32_t cases = 0;
  for (int c = 0; c <= 10; ++c) {
    const long got = semihost_read_file(path_of(words[3], "input_#.bin", c, 0), in.data, in.bytes);
    if (got < 0) continue;
    if (got != static_cast<long>(in.bytes)) return 3;
    ++cases;
    check.case_index = c;
    if (bench) {
      const uint64_t before = sotto_port_instructions();
      g_last_count = before;
      if (profile) {
        sotto_invoke_observed(&model, profile_layer, &model);
      } else {
        sotto_invoke(&model);
      }
      const uint64_t after = sotto_port_instructions();
      sotto_port_write("instructions ");
      sotto_test_write_int(after - before);
      sotto_port_write("\n");
    } else {
      sotto_invoke_observed(&model, compare_layer, &check);
    }
    const long n_out =
        semihost_read_file(path_of(words[3], "output_#.bin", c, 0), g_golden, sizeof g_golden);
    if (n_out != static_cast<long>(out.bytes) || memcmp(g_golden, out.data, out.bytes) != 0) {
      ++check.mismatches;
      sotto_port_write("MISMATCH final output\n");
    }
    if (bench) break;  // one case is enough for a deterministic count
  }
  sotto_port_write("cases ");
  sotto_test_write_int(cases);
  sotto_port_write(" layers ");
  sotto_test_write_int(check.layers);
  sotto_port_write(" mismatches ");
  sotto_test_write_int(check.mismatches);
  sotto_port_write(" arena ");
  sotto_test_write_int(sotto_model_arena_bytes(&model));
  sotto_port_write("\n");
  return cases == 0 || check.mismatches != 0 ? 1 : 0;
}
