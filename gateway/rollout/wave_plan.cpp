// Wave sizes and the failure threshold, kept apart from transport and storage so the rules are
// tested exactly.
#include "wave_plan.h"

#include <sstream>
#include <stdexcept>

namespace sotto::gw {

std::vector<unsigned> parse_waves(const std::string &text) {
  std::vector<unsigned> waves;
  std::stringstream in(text);
  std::string entry;
  while (std::getline(in, entry, ',')) {
    size_t used = 0;
    unsigned long value = 0;
    try {
      value = std::stoul(entry, &used);
    } catch (const std::exception &) {
      used = 0;
    }
    if (used == 0 || used != entry.size() || value == 0 || value > 100) {
      throw std::invalid_argument("--waves: '" + entry + "' is not a percentage 1..100");
    }
    if (!waves.empty() && value <= waves.back()) {
      throw std::invalid_argument("--waves: " + entry + " does not exceed " +
                                  std::to_string(waves.back()));
    }
    waves.push_back(static_cast<unsigned>(value));
  }
  if (waves.empty() || waves.back() != 100) {
    throw std::invalid_argument("--waves: the last wave must be 100");
  }
  return waves;
}

std::vector<size_t> wave_sizes(size_t devices, const std::vector<unsigned> &cumulative_percent) {
  std::vector<size_t> sizes;
  size_t taken = 0;
  for (unsigned percent : cumulative_percent) {
    size_t end = (devices * percent + 99) / 100;  // round up: a 1% wave of 50 is 1 device
    if (end <= taken && taken < devices) {
      end = taken + 1;
    }
    if (end > devices) {
      end = devices;
    }
    if (end > taken) {
      sizes.push_back(end - taken);
    }
    taken = end;
  }
  return sizes;
}

bool wave_exceeds_failure_limit(size_t failed, size_t wave_size, double max_failure_pct) {
  return wave_size > 0 &&
         static_cast<double>(failed) * 100.0 > max_failure_pct * static_cast<double>(wave_size);
}

}  // namespace sotto::gw
