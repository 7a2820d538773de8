// NumPy .npy files of float32 arrays: the format of calibration and validation sets for
// `sottoctl model import` and of the datasets sotto-dataset writes. Only what those need is
// accepted (little-endian float32 '<f4', C order); every header field and the data length is
// checked, and a bad file is refused with a NpyError naming the field and what was expected.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace sotto::gw {

class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NpyArray {
  std::vector<int64_t> shape;  // the first axis stacks samples
  std::vector<float> values;   // C order, product(shape) elements
  // Elements per entry of the first axis (1 for a rank-1 array).
  size_t sample_elements() const;
  size_t samples() const { return shape.empty() ? 1 : static_cast<size_t>(shape[0]); }
};

// Parses a whole .npy file; `what` (usually the path) starts every error message.
NpyArray parse_npy(const std::vector<uint8_t> &bytes, const std::string &what);
// read_file_bytes + parse_npy.
NpyArray read_npy(const std::string &path);
// A version 1.0 .npy file holding `values` (little-endian float32) shaped `shape`.
std::vector<uint8_t> encode_npy(const std::vector<int64_t> &shape,
                                const std::vector<float> &values);

}  // namespace sotto::gw
