// Rollout waves: how many devices each wave takes, and when failures halt the rollout.
// `--waves 5,25,100` are cumulative percentages of the target devices; each wave starts only
// when the previous one finished with a failure rate at or under `--max-failure-pct`.
#ifndef SOTTO_GW_ROLLOUT_WAVE_PLAN_H
#define SOTTO_GW_ROLLOUT_WAVE_PLAN_H

#include <cstddef>
#include <string>
#include <vector>

namespace sotto::gw {

// Parses "5,25,100": strictly increasing whole percentages in 1..100 ending at 100.
// Throws std::invalid_argument naming the offending entry.
std::vector<unsigned> parse_waves(const std::string &text);

// Devices per wave (every wave at least one device while devices remain; sums to devices).
std::vector<size_t> wave_sizes(size_t devices, const std::vector<unsigned> &cumulative_percent);

// True once a wave's failures exceed max_failure_pct of its size, even if every device still
// pending were to succeed: the rollout halts at once instead of finishing a doomed wave.
bool wave_exceeds_failure_limit(size_t failed, size_t wave_size, double max_failure_pct);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_WAVE_PLAN_H
