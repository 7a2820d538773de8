// The .npy reader and writer (format: numpy.lib.format, versions 1.0, 2.0 and 3.0). The header
// is a Python dict literal; this parser accepts exactly the three keys NumPy writes.
#include "npy.h"

#include <cstring>
#include <limits>
#include <optional>

#include "file_bytes.h"

namespace sotto::gw {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;
constexpr size_t kMaxRank = 8;

// A strict scanner over the header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (..)}
class HeaderParser {
 public:
  HeaderParser(const std::string &text, const std::string &what) : text_(text), what_(what) {}

  void parse(std::string *descr, bool *fortran_order, std::vector<int64_t> *shape) {
    std::optional<std::string> d;
    std::optional<bool> f;
    std::optional<std::vector<int64_t>> s;
    expect('{');
    while (!peek('}')) {
      const std::string key = quoted();
      expect(':');
      if (key == "descr" && !d) {
        d = quoted();
      } else if (key == "fortran_order" && !f) {
        f = boolean();
      } else if (key == "shape" && !s) {
        s = tuple();
      } else {
        fail("unexpected or repeated key '" + key + "'; expected descr, fortran_order, shape once");
      }
      if (!peek('}')) expect(',');
    }
    expect('}');
    skip_space();
    if (pos_ != text_.size()) fail("text after the header dict");
    if (!d || !f || !s) fail("header lacks descr, fortran_order or shape");
    *descr = *d;
    *fortran_order = *f;
    *shape = *s;
  }

 private:
  [[noreturn]] void fail(const std::string &message) const {
    throw NpyError(what_ + ": .npy header: " + message);
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n')) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "' at byte " + std::to_string(pos_));
    ++pos_;
  }
  std::string quoted() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      fail("expected a quoted string at byte " + std::to_string(pos_));
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string::npos) fail("unterminated string");
    std::string s = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    skip_space();
    for (const auto &[word, value] :
         {std::pair<const char *, bool>{"True", true}, {"False", false}}) {
      const size_t n = std::strlen(word);
      if (text_.compare(pos_, n, word) == 0) {
        pos_ += n;
        return value;
      }
    }
    fail("fortran_order must be True or False");
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> dims;
    expect('(');
    while (!peek(')')) {
      skip_space();
      const size_t start = pos_;
      int64_t value = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (value > (std::numeric_limits<int64_t>::max() - 9) / 10)
          fail("shape dimension too large");
        value = value * 10 + (text_[pos_++] - '0');
      }
      if (pos_ == start) fail("shape must be a tuple of non-negative integers");
      // NumPy writes Python 2 longs as 3L in old files.
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
      dims.push_back(value);
      if (dims.size() > kMaxRank) fail("shape has more than " + std::to_string(kMaxRank) + " dims");
      if (!peek(')')) expect(',');
    }
    expect(')');
    return dims;
  }

  const std::string &text_;
  const std::string &what_;
  size_t pos_ = 0;
};

std::string shape_text(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

size_t NpyArray::sample_elements() const {
  size_t n = 1;
  for (size_t d = 1; d < shape.size(); ++d) n *= static_cast<size_t>(shape[d]);
  return n;
}

NpyArray parse_npy(const std::vector<uint8_t> &bytes, const std::string &what) {
  if (bytes.size() < kMagicBytes + 2 || std::memcmp(bytes.data(), kMagic, kMagicBytes) != 0) {
    throw NpyError(what + ": not a .npy file (missing the \\x93NUMPY magic)");
  }
  const uint8_t major = bytes[6];
  if (major < 1 || major > 3) {
    throw NpyError(what + ": .npy version " + std::to_string(major) + "." +
                   std::to_string(bytes[7]) + "; supported: 1.0, 2.0, 3.0");
  }
  const size_t length_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicBytes + 2 + length_bytes;
  if (bytes.size() < prefix) throw NpyError(what + ": .npy file ends inside its header length");
  uint32_t header_len = 0;
  for (size_t i = 0; i < length_bytes; ++i) {
    header_len |= static_cast<uint32_t>(bytes[kMagicBytes + 2 + i]) << (8 * i);
  }
  if (header_len > bytes.size() - prefix) {
    throw NpyError(what + ": .npy header length " + std::to_string(header_len) + " exceeds the " +
                   std::to_string(bytes.size() - prefix) + " bytes after it");
  }
  const std::string header(reinterpret_cast<const char *>(bytes.data() + prefix), header_len);
  if (header.empty() || header.back() != '\n') {
    throw NpyError(what + ": .npy header does not end with a newline");
  }
  std::string descr;
  bool fortran_order = false;
  NpyArray array;
  HeaderParser(header, what).parse(&descr, &fortran_order, &array.shape);
  if (descr != "<f4") {
    throw NpyError(what + ": .npy descr '" + descr + "'; supported: '<f4' (little-endian float32)");
  }
  if (fortran_order) throw NpyError(what + ": .npy fortran_order True; supported: C order");
  uint64_t elements = 1;
  for (int64_t d : array.shape) {
    const auto dim = static_cast<uint64_t>(d);
    if (dim != 0 && elements > std::numeric_limits<uint64_t>::max() / 4 / dim) {
      throw NpyError(what + ": .npy shape " + shape_text(array.shape) + " is too large");
    }
    elements *= dim;
  }
  const size_t data_bytes = bytes.size() - prefix - header_len;
  if (elements * 4 != data_bytes) {
    throw NpyError(what + ": .npy shape " + shape_text(array.shape) + " needs " +
                   std::to_string(elements * 4) + " data bytes, file has " +
                   std::to_string(data_bytes));
  }
  array.values.resize(elements);
  if (elements) std::memcpy(array.values.data(), bytes.data() + prefix + header_len, data_bytes);
  return array;
}

NpyArray read_npy(const std::string &path) {
  return parse_npy(read_file_bytes(path), path);
}

std::vector<uint8_t> encode_npy(const std::vector<int64_t> &shape,
                                const std::vector<float> &values) {
  size_t elements = 1;
  for (int64_t d : shape) elements *= static_cast<size_t>(d);
  if (elements != values.size()) {
    throw std::invalid_argument(".npy shape " + shape_text(shape) + " holds " +
                                std::to_string(elements) + " values, given " +
                                std::to_string(values.size()));
  }
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // Magic, version and length take 10 bytes; the whole prefix is padded to 64 with spaces.
  const size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header.push_back('\n');
  std::vector<uint8_t> out(kMagic, kMagic + kMagicBytes);
  out.push_back(1);
  out.push_back(0);
  out.push_back(static_cast<uint8_t>(header.size() & 0xff));
  out.push_back(static_cast<uint8_t>(header.size() >> 8));
  out.insert(out.end(), header.begin(), header.end());
  const size_t at = out.size();
  out.resize(at + values.size() * 4);
  if (!values.empty()) std::memcpy(out.data() + at, values.data(), values.size() * 4);
  return out;
}

}  // namespace sotto::gw
