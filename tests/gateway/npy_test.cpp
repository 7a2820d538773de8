// .npy reading and writing: exact round trip, NumPy's own header spellings accepted, and every
// malformed header field or length refused with a message naming it.
#include "npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace sotto::gw {
namespace {

// A file with the given header text (padded and newline-terminated as NumPy does) and data.
std::vector<uint8_t> npy_file(const std::string &dict, size_t data_bytes, uint8_t major = 1) {
  std::string header = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header.push_back(' ');
  header.push_back('\n');
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  const auto length = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < (major == 1 ? 2u : 4u); ++i)
    out.push_back(static_cast<uint8_t>(length >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + data_bytes, 0);
  return out;
}

std::string parse_error(const std::vector<uint8_t> &bytes) {
  try {
    parse_npy(bytes, "cal.npy");
  } catch (const NpyError &e) {
    return e.what();
  }
  return "no error";
}

TEST(Npy, EncodeThenParseGivesTheSameShapeAndValues) {
  const std::vector<float> values = {0.5f, -1.25f, 3.0f, 1e-20f, -0.0f, 7.75f};
  const std::vector<uint8_t> bytes = encode_npy({3, 2}, values);
  EXPECT_EQ(bytes.size() % 64, 24u);  // 64-byte aligned header, then 6 floats
  const NpyArray a = parse_npy(bytes, "x");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(a.samples(), 3u);
  EXPECT_EQ(a.sample_elements(), 2u);
  ASSERT_EQ(a.values.size(), values.size());
  EXPECT_EQ(std::memcmp(a.values.data(), values.data(), values.size() * 4), 0);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
  EXPECT_EQ(std::string(bytes.begin() + 10, bytes.begin() + 128),
            dict + std::string(128 - 10 - 1 - dict.size(), ' ') + "\n");
}

TEST(Npy, AcceptsVersion2KeysInAnyOrderAndOneDimensionalShapes) {
  const NpyArray a = parse_npy(
      npy_file("{\"shape\": (4,), \"fortran_order\": False, \"descr\": \"<f4\"}", 16, 2), "x");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(a.values.size(), 4u);
}

TEST(Npy, EncodeRefusesAShapeThatDoesNotHoldTheValues) {
  EXPECT_THROW(encode_npy({2, 2}, {1.0f}), std::invalid_argument);
}

TEST(Npy, RefusesEachMalformedFieldByName) {
  EXPECT_EQ(parse_error({'P', 'K', 3, 4}),
            "cal.npy: not a .npy file (missing the \\x93NUMPY magic)");
  EXPECT_EQ(
      parse_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4, 4)),
      "cal.npy: .npy version 4.0; supported: 1.0, 2.0, 3.0");
  std::vector<uint8_t> truncated =
      npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
  truncated.resize(40);
  EXPECT_EQ(parse_error(truncated),
            "cal.npy: .npy header length 118 exceeds the 30 bytes after it");
  EXPECT_EQ(parse_error(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 8)),
            "cal.npy: .npy descr '<f8'; supported: '<f4' (little-endian float32)");
  EXPECT_EQ(parse_error(npy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16)),
            "cal.npy: .npy fortran_order True; supported: C order");
  EXPECT_EQ(
      parse_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 20)),
      "cal.npy: .npy shape (3, 2) needs 24 data bytes, file has 20");
  EXPECT_EQ(parse_error(npy_file("{'descr': '<f4', 'shape': (1,), }", 4)),
            "cal.npy: .npy header: header lacks descr, fortran_order or shape");
  EXPECT_EQ(parse_error(npy_file(
                "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4)),
            "cal.npy: .npy header: unexpected or repeated key 'descr'; expected descr, "
            "fortran_order, shape once");
  EXPECT_EQ(parse_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4)),
            "cal.npy: .npy header: shape must be a tuple of non-negative integers");
  EXPECT_EQ(parse_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x", 4)),
            "cal.npy: .npy header: text after the header dict");
  EXPECT_EQ(parse_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': "
                                 "(4294967296, 4294967296, 4294967296), }",
                                 4)),
            "cal.npy: .npy shape (4294967296, 4294967296, 4294967296) is too large");
  std::vector<uint8_t> no_newline =
      npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
  no_newline[no_newline.size() - 5] = ' ';
  EXPECT_EQ(parse_error(no_newline), "cal.npy: .npy header does not end with a newline");
}

}  // namespace
}  // namespace sotto::gw
