// Flash-size probe: with SOTTO_FLASH_PROBE_ENGINE this links the whole engine (every kernel of
// the build) behind the C API; without, the same program minus the engine. The difference of
// the two images' code + read-only data is the engine's flash cost (model excluded).
#include <stddef.h>
#include <stdint.h>

#include "sotto/model.h"
#include "sotto/port_target.h"

// Volatile so the compiler cannot prove the blob empty and drop the engine.
static const uint8_t *volatile g_blob_address;
static volatile size_t g_blob_bytes;
alignas(4) static uint8_t g_arena[64];

extern "C" int main(void) {
#ifdef SOTTO_FLASH_PROBE_ENGINE
  sotto_model_t model;
  if (sotto_model_open(&model, g_blob_address, g_blob_bytes) != SOTTO_OK) return 1;
  if (sotto_model_attach_arena(&model, g_arena, sizeof g_arena) != SOTTO_OK) return 1;
  sotto_tensor_t in;
  sotto_model_input(&model, 0, &in);
  return sotto_invoke(&model) == SOTTO_OK ? 0 : 1;
#else
  return g_blob_bytes == 0 && g_blob_address == nullptr && g_arena[0] == 0 ? 0 : 1;
#endif
}
