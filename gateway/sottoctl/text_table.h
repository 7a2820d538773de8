// Aligned plain-text tables for sottoctl's human output (scripts use --json).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace sotto::gw::ctl {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  // Columns padded to their widest cell, two spaces apart, no trailing blanks.
  void print(std::ostream &out) const;
  size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace sotto::gw::ctl
