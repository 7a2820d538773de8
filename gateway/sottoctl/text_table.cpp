#include "text_table.h"

#include <algorithm>
#include <stdexcept>

namespace sotto::gw::ctl {

TextTable::TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void TextTable::add_row(std::vector<std::string> cells) {
  if (cells.size() != headers_.size()) {
    throw std::logic_error("table row has " + std::to_string(cells.size()) + " cells, expected " +
                           std::to_string(headers_.size()));
  }
  rows_.push_back(std::move(cells));
}

void TextTable::print(std::ostream &out) const {
  std::vector<size_t> widths;
  for (const auto &header : headers_) widths.push_back(header.size());
  for (const auto &row : rows_)
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  auto print_row = [&](const std::vector<std::string> &cells) {
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      line += cells[c];
      if (c + 1 < cells.size()) line += std::string(widths[c] - cells[c].size() + 2, ' ');
    }
    out << line << '\n';
  };
  print_row(headers_);
  for (const auto &row : rows_) print_row(row);
}

}  // namespace sotto::gw::ctl
