// How the SQLite backend keeps a rollout's cumulative wave percentages: "5,25,100". The
// rollout API validates them (rollout/wave_plan.h) before they are ever stored.
#pragma once

#include <string>
#include <vector>

namespace sotto::gw {

inline std::string waves_to_text(const std::vector<unsigned> &waves) {
  std::string out;
  for (unsigned percent : waves) out += (out.empty() ? "" : ",") + std::to_string(percent);
  return out;
}

inline std::vector<unsigned> waves_from_text(const std::string &text) {
  std::vector<unsigned> waves;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    waves.push_back(static_cast<unsigned>(std::stoul(text.substr(start, comma - start))));
    start = comma + 1;
  }
  return waves;
}

}  // namespace sotto::gw
