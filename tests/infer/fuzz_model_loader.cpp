// libFuzzer target over the .smdl loader: any bytes must be rejected with an error or, when
// accepted, be safe to run (the arena and every kernel index stay in bounds under ASan/UBSan).
// Even first byte: the rest are (offset, value) patches applied to a small valid model, then
// the digest is recomputed, so mutations reach the structural checks behind it. Odd first
// byte: the rest is the blob itself, digest untouched (exercising the digest check too). The
// patched model is the every-op seed, or with the first byte's second bit the block-sparse one,
// with its third bit the row-stream one.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "seed_model.h"
#include "smdl_format.h"
#include "sotto/model.h"

namespace {

void run(const uint8_t *blob, size_t bytes) {
  sotto_model_t model;
  if (sotto_model_open(&model, blob, bytes) != SOTTO_OK) return;
  const size_t arena_bytes = sotto_model_arena_bytes(&model);
  if (arena_bytes > (1u << 22)) return;  // valid but too big to run in the fuzzer
  std::vector<uint32_t> arena(arena_bytes / 4 + 1);
  if (sotto_model_attach_arena(&model, arena.data(), arena_bytes) != SOTTO_OK) __builtin_trap();
  for (uint32_t k = 0; k < sotto_model_input_count(&model); ++k) {
    sotto_tensor_t in;
    if (sotto_model_input(&model, k, &in) != SOTTO_OK) __builtin_trap();
    memset(in.data, 0x5A, in.bytes);
  }
  sotto_invoke(&model);
  // A stateful model runs again from its state, and once more after a reset.
  sotto_invoke(&model);
  if (sotto_model_reset_state(&model) != SOTTO_OK) __builtin_trap();
  sotto_invoke(&model);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 1u) != 0) {
    std::vector<uint32_t> blob((size - 1) / 4 + 1);
    memcpy(blob.data(), data + 1, size - 1);
    run(reinterpret_cast<const uint8_t *>(blob.data()), size - 1);
    return 0;
  }
  // Second bit: the block-sparse seed (its bitmaps and block counts); third bit: the row-stream
  // seed (its stream table and rings); else every op kind.
  static const std::vector<uint8_t> dense_seed = sotto_test::seed_model();
  static const std::vector<uint8_t> sparse_seed = sotto_test::sparse_seed_model();
  static const std::vector<uint8_t> stream_seed = sotto_test::stream_seed_model();
  const std::vector<uint8_t> &seed = (data[0] & 4u) != 0   ? stream_seed
                                     : (data[0] & 2u) != 0 ? sparse_seed
                                                           : dense_seed;
  std::vector<uint32_t> blob(seed.size() / 4 + 1);
  uint8_t *bytes = reinterpret_cast<uint8_t *>(blob.data());
  memcpy(bytes, seed.data(), seed.size());
  // Each patch: 2 bytes little-endian offset (mod blob size), 1 byte XOR value.
  for (size_t i = 1; i + 3 <= size; i += 3) {
    const size_t offset = (data[i] | (data[i + 1] << 8)) % seed.size();
    bytes[offset] ^= data[i + 2];
  }
  // A patched total_bytes may exceed the buffer: seal only what exists.
  sotto_test::SeedModelBuilder::seal(bytes, seed.size());
  run(bytes, seed.size());
  return 0;
}
