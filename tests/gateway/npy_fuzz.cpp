// libFuzzer target for the .npy reader (calibration and validation files come from users):
// any bytes must parse or be refused with NpyError, never crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "../../gateway/common/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    const sotto::gw::NpyArray a =
        sotto::gw::parse_npy(std::vector<uint8_t>(data, data + size), "fuzz");
    size_t elements = 1;
    for (int64_t d : a.shape) elements *= static_cast<size_t>(d);
    if (elements != a.values.size()) __builtin_trap();
  } catch (const sotto::gw::NpyError &) {
  }
  return 0;
}
