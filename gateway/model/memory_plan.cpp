// First-fit placement over lifetime intervals, trying a few orders (largest first, latest
// first, ..., each also with kernel scratch placed last) and keeping the smallest arena; aliased
// tensors are placed as one group, and allowed in-place pairs forbid only the bytes their kernel
// still needs.
#include "memory_plan.h"

#include <algorithm>
#include <map>
#include <utility>

namespace sotto::gw::model {

namespace {
struct Group {
  bool fill_gaps = false;
  int64_t bytes = 0;
  int32_t first = 0;
  int32_t last = 0;
  int64_t offset = 0;
};

int64_t align4(int64_t v) {
  return (v + 3) & ~int64_t{3};
}

// (output group, input group) -> minimal offset(input) - offset(output) when they overlap.
using OverlapMap = std::map<std::pair<size_t, size_t>, int64_t>;

int64_t place(std::vector<Group> *groups, const std::vector<size_t> &order,
              const OverlapMap &overlap) {
  std::vector<Group> &g = *groups;
  int64_t arena = 0;
  std::vector<size_t> placed;
  for (size_t gi : order) {
    Group &cur = g[gi];
    std::vector<std::pair<int64_t, int64_t>> forbidden;  // open intervals for cur.offset
    for (size_t pi : placed) {
      const Group &other = g[pi];
      if (other.first > cur.last || cur.first > other.last) continue;
      auto as_output = overlap.find({gi, pi});
      auto as_input = overlap.find({pi, gi});
      if (as_output != overlap.end()) {  // cur overwrites `other`, its dying input
        forbidden.emplace_back(other.offset - as_output->second, other.offset + other.bytes);
      } else if (as_input != overlap.end()) {  // cur is the dying input of `other`
        forbidden.emplace_back(other.offset - cur.bytes, other.offset + as_input->second);
      } else {
        forbidden.emplace_back(other.offset - cur.bytes, other.offset + other.bytes);
      }
    }
    std::vector<int64_t> candidates{0};
    for (const auto &f : forbidden) candidates.push_back(align4(std::max<int64_t>(0, f.second)));
    std::sort(candidates.begin(), candidates.end());
    for (int64_t c : candidates) {
      bool ok = true;
      for (const auto &f : forbidden) ok = ok && !(f.first < c && c < f.second);
      if (ok) {
        cur.offset = c;
        break;
      }
    }
    placed.push_back(gi);
    arena = std::max(arena, cur.offset + cur.bytes);
  }
  return align4(arena);
}
}  // namespace

uint32_t plan_memory(std::vector<PlanItem> *items, const std::vector<PlanOverlap> &overlaps) {
  std::vector<PlanItem> &it = *items;
  std::vector<size_t> root(it.size());
  for (size_t i = 0; i < it.size(); ++i) {
    int32_t r = static_cast<int32_t>(i);
    while (it[static_cast<size_t>(r)].alias_of >= 0) r = it[static_cast<size_t>(r)].alias_of;
    root[i] = static_cast<size_t>(r);
  }
  std::vector<Group> groups(it.size());
  std::vector<bool> used(it.size(), false);
  for (size_t i = 0; i < it.size(); ++i) {
    Group &g = groups[root[i]];
    if (!used[root[i]]) {
      g.bytes = it[i].bytes;
      g.first = it[i].first_op;
      g.last = it[i].last_op;
      g.fill_gaps = it[i].fill_gaps;
      used[root[i]] = true;
    } else {
      g.bytes = std::max<int64_t>(g.bytes, it[i].bytes);
      g.first = std::min(g.first, it[i].first_op);
      g.last = std::max(g.last, it[i].last_op);
    }
  }
  OverlapMap overlap;
  for (const PlanOverlap &o : overlaps) {
    const size_t out = root[static_cast<size_t>(o.output)], in = root[static_cast<size_t>(o.input)];
    if (out == in || groups[in].last != o.op || groups[out].first != o.op) continue;
    auto [pos, inserted] = overlap.emplace(std::make_pair(out, in), o.min_distance);
    if (!inserted) pos->second = std::max(pos->second, o.min_distance);
  }
  std::vector<size_t> base;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (used[i]) base.push_back(i);
  }
  using Less = bool (*)(const Group &, const Group &);
  const Less orders[] = {
      [](const Group &a, const Group &b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.first < b.first;
      },
      [](const Group &a, const Group &b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.first > b.first;
      },
      [](const Group &a, const Group &b) {
        return a.first != b.first ? a.first > b.first : a.bytes > b.bytes;
      },
      [](const Group &a, const Group &b) {
        return a.first != b.first ? a.first < b.first : a.bytes > b.bytes;
      },
      // Outputs before the inputs they may overwrite: an input placed first at offset 0
      // leaves no room below it for its in-place output.
      [](const Group &a, const Group &b) {
        return a.last != b.last ? a.last > b.last : a.bytes > b.bytes;
      },
  };
  int64_t best = -1;
  std::vector<Group> best_groups;
  for (Less less : orders) {
    for (bool gaps_last : {false, true}) {
      std::vector<size_t> order = base;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return less(groups[a], groups[b]); });
      if (gaps_last) {
        std::stable_partition(order.begin(), order.end(),
                              [&](size_t g) { return !groups[g].fill_gaps; });
      }
      std::vector<Group> trial = groups;
      const int64_t arena = place(&trial, order, overlap);
      if (best < 0 || arena < best) {
        best = arena;
        best_groups = trial;
      }
    }
  }
  for (size_t i = 0; i < it.size(); ++i) {
    it[i].offset = static_cast<uint32_t>(best_groups[root[i]].offset);
  }
  return static_cast<uint32_t>(best);
}

}  // namespace sotto::gw::model
