// See row_streams.h. The distance a stream's output keeps below each input comes from replaying
// the engine's row order (row_stream.cpp's make_row) call by call.
#include "row_streams.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "in_place.h"

namespace sotto::gw::model {
namespace {

bool windowed(uint32_t kind) {
  return kind == SOTTO_OP_CONV_2D || kind == SOTTO_OP_DEPTHWISE_CONV_2D;
}

int64_t row_bytes(const sotto_smdl_tensor_t &t) {
  return t.bytes / static_cast<int64_t>(t.dims[1]);
}

uint32_t kernel_kind(const PlanGraph &g, const sotto_smdl_op_t &op) {
  return sotto_smdl_kernel_kind(&op, g.tensors.data(), static_cast<uint32_t>(g.tensors.size()));
}

bool plain_int8(const sotto_smdl_tensor_t &t) {
  return t.type == SOTTO_SMDL_INT8 && t.rank == 4 && t.dims[0] == 1;
}

// What row_stream.cpp's check_stream_op asks of every stream op.
bool streamable(const PlanGraph &g, const sotto_smdl_op_t &op) {
  const uint32_t kind = kernel_kind(g, op);
  if (!windowed(kind) && kind != SOTTO_OP_ADD) return false;
  const sotto_smdl_tensor_t &in = g.tensors[op.input0], &out = g.tensors[op.output];
  if (!plain_int8(in) || !plain_int8(out)) return false;
  if (kind == SOTTO_OP_ADD) {
    if (op.input1 == SOTTO_SMDL_NO_TENSOR || !plain_int8(g.tensors[op.input1])) return false;
    const sotto_smdl_tensor_t &in1 = g.tensors[op.input1];
    for (int d = 1; d < 4; ++d) {
      if (in.dims[d] != out.dims[d] || in1.dims[d] != out.dims[d]) return false;
    }
    return true;
  }
  if (op.input1 != SOTTO_SMDL_NO_TENSOR) return false;
  const int32_t *p = op.params;
  const int64_t extent = static_cast<int64_t>(p[SOTTO_P_KERNEL_H] - 1) * p[SOTTO_P_DILATION_H];
  const int64_t last_start =
      static_cast<int64_t>(out.dims[1] - 1) * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
  return p[SOTTO_P_PAD_H] >= 0 && p[SOTTO_P_PAD_H] <= extent && last_start <= in.dims[1] - 1;
}

// The one op reading tensor t (made by op `producer`) in one input slot, or -1 when anything
// else names it: a second reader, a writer, a state, a CONCATENATION list, the graph's io.
int32_t only_reader(const PlanGraph &g, uint32_t t, size_t producer) {
  if (std::find(g.io.begin(), g.io.end(), t) != g.io.end()) return -1;
  int32_t reader = -1;
  for (size_t j = 0; j < g.ops.size(); ++j) {
    if (j == producer) continue;
    const sotto_smdl_op_t &op = g.ops[j];
    bool named = op.input0 == t || op.input1 == t;
    if (op.output == t || (op.input0 == t && op.input1 == t)) return -1;
    for (uint32_t k = 0; k < SOTTO_SMDL_MAX_STATES; ++k) {
      if (sotto_smdl_state_tensor(&op, k) == t) return -1;
    }
    if (op.kind == SOTTO_OP_CONCATENATION) {
      for (uint32_t w = 0; w + 4 <= op.weights_bytes; w += 4) {
        uint32_t listed;
        std::memcpy(&listed, g.data.data() + op.weights_offset + w, 4);
        if (listed == t) return -1;
      }
    }
    if (!named) continue;
    if (reader >= 0) return -1;
    reader = static_cast<int32_t>(j);
  }
  return reader;
}

// One kernel call of a stream run: lane k makes output row `row`, its input0 band from `lo`.
struct Call {
  uint32_t lane;
  int64_t row;
  int64_t lo;
};

// The calls row_stream.cpp's run_stream makes, in order (with an observer: the rows no reader
// needs come last).
std::vector<Call> replay(const PlanGraph &g, const sotto_smdl_stream_t &s) {
  struct Lane {
    int32_t producer[2];
    int64_t made;
  };
  std::vector<Lane> lanes(s.op_count);
  for (uint32_t k = 0; k < s.op_count; ++k) {
    const sotto_smdl_op_t &op = g.ops[s.first_op + k];
    const uint32_t reads[2] = {op.input0, op.input1};
    for (int slot = 0; slot < 2; ++slot) {
      lanes[k].producer[slot] = -1;
      for (uint32_t j = 0; j < k; ++j) {
        if (reads[slot] == g.ops[s.first_op + j].output) lanes[k].producer[slot] = int32_t(j);
      }
    }
    lanes[k].made = 0;
  }
  std::vector<Call> calls;
  auto make_row = [&](auto &self, uint32_t k) -> void {
    const sotto_smdl_op_t &op = g.ops[s.first_op + k];
    const int64_t y = lanes[k].made;
    int64_t lo = y, hi = y;
    if (windowed(kernel_kind(g, op))) {
      const int32_t *p = op.params;
      const int64_t start = y * p[SOTTO_P_STRIDE_H] - p[SOTTO_P_PAD_H];
      const int64_t in_h = g.tensors[op.input0].dims[1];
      lo = std::max<int64_t>(0, start);
      hi = std::min<int64_t>(in_h - 1,
                             start + int64_t(p[SOTTO_P_KERNEL_H] - 1) * p[SOTTO_P_DILATION_H]);
    }
    for (int slot = 0; slot < 2; ++slot) {
      const int32_t p = lanes[k].producer[slot];
      while (p >= 0 && lanes[size_t(p)].made <= hi) self(self, uint32_t(p));
    }
    calls.push_back({k, y, lo});
    ++lanes[k].made;
  };
  const uint32_t last = s.op_count - 1;
  const auto rows = [&](uint32_t k) { return g.tensors[g.ops[s.first_op + k].output].dims[1]; };
  while (lanes[last].made < rows(last)) make_row(make_row, last);
  for (uint32_t k = 0; k < last; ++k) {
    while (lanes[k].made < rows(k)) make_row(make_row, k);
  }
  return calls;
}

// Smallest offset(x) - offset(out) at which no row the stream writes to its output `out` lands
// on bytes of input `x` that a call still reads (in_place.h's rule, with a stream's calls).
int64_t stream_distance(const PlanGraph &g, const sotto_smdl_stream_t &s, uint32_t x) {
  const std::vector<Call> calls = replay(g, s);
  const uint32_t last = s.op_count - 1;
  const sotto_smdl_tensor_t &out = g.tensors[g.ops[s.first_op + last].output];
  const int64_t out_row = row_bytes(out), x_row = row_bytes(g.tensors[x]);
  const int64_t none = std::numeric_limits<int64_t>::max();
  // First byte of x each call reads.
  std::vector<int64_t> first(calls.size(), none);
  for (size_t c = 0; c < calls.size(); ++c) {
    const sotto_smdl_op_t &op = g.ops[s.first_op + calls[c].lane];
    if (op.input0 == x) first[c] = calls[c].lo * x_row;
    if (op.input1 == x) first[c] = std::min(first[c], calls[c].row * x_row);
  }
  int64_t distance = -static_cast<int64_t>(out.bytes), later = none;
  for (size_t c = calls.size(); c-- > 0;) {
    if (calls[c].lane == last) {
      const int64_t start = calls[c].row * out_row, end = start + out_row;
      if (later != none) distance = std::max(distance, end - later);
      if (first[c] != none) {
        // Its own reads: an ADD reads each element before writing it (in_place.h: 1 byte).
        const bool add = g.ops[s.first_op + last].kind == SOTTO_OP_ADD;
        distance = std::max(distance, (add ? start + 1 : end) - first[c]);
      }
    }
    later = std::min(later, first[c]);
  }
  return distance;
}

}  // namespace

std::vector<sotto_smdl_stream_t> stream_candidates(const PlanGraph &g, uint32_t first) {
  std::vector<sotto_smdl_stream_t> found;
  sotto_smdl_stream_t s{};
  s.first_op = first;
  for (uint32_t n = 1; n <= SOTTO_SMDL_MAX_STREAM_OPS && first + n <= g.ops.size(); ++n) {
    const sotto_smdl_op_t &op = g.ops[first + n - 1];
    if (!streamable(g, op)) break;
    if (n >= 2) {
      // Every earlier op's output read once, later in the run: the ring its reader's window spans.
      bool ok = true;
      for (uint32_t k = 0; k + 1 < n && ok; ++k) {
        const uint32_t t = g.ops[first + k].output;
        const int32_t reader = only_reader(g, t, first + k);
        ok = reader > int32_t(first + k) && reader < int32_t(first + n);
        if (!ok) break;
        const sotto_smdl_op_t &r = g.ops[size_t(reader)];
        int64_t rows = 1;
        if (windowed(kernel_kind(g, r))) {
          ok = r.input0 == t;
          rows = int64_t(r.params[SOTTO_P_KERNEL_H] - 1) * r.params[SOTTO_P_DILATION_H] + 1;
        }
        s.ring_rows[k] = uint32_t(std::min<int64_t>(rows, g.tensors[t].dims[1]));
      }
      if (!ok) continue;
      s.op_count = n;
      for (uint32_t k = n - 1; k < SOTTO_SMDL_MAX_STREAM_OPS; ++k) s.ring_rows[k] = 0;
      found.push_back(s);
    }
  }
  std::reverse(found.begin(), found.end());  // longest first
  return found;
}

ArenaPlan plan_arena(const PlanGraph &g, const std::vector<sotto_smdl_stream_t> &streams) {
  const size_t n = g.ops.size();
  // A stream is one step of the plan: everything it touches is live through all of it.
  std::vector<int32_t> step(n);
  std::vector<int32_t> stream_at(n, -1);
  for (size_t i = 0; i < n; ++i) step[i] = int32_t(i);
  for (size_t s = 0; s < streams.size(); ++s) {
    for (uint32_t k = 0; k < streams[s].op_count; ++k) {
      step[streams[s].first_op + k] = int32_t(streams[s].first_op);
      stream_at[streams[s].first_op + k] = int32_t(s);
    }
  }
  const auto at_step = [&](int32_t op) { return op >= 0 && size_t(op) < n ? step[op] : op; };
  std::vector<PlanItem> items = g.tensor_items;
  for (PlanItem &it : items) {
    it.first_op = at_step(it.first_op);
    it.last_op = at_step(it.last_op);
  }
  for (const sotto_smdl_stream_t &s : streams) {
    for (uint32_t k = 0; k + 1 < s.op_count; ++k) {
      const uint32_t t = g.ops[s.first_op + k].output;
      items[t].bytes = uint32_t(s.ring_rows[k] * row_bytes(g.tensors[t]));
    }
  }
  // Kernel scratch lives only during its op (a stream's ops, one after another, share one).
  std::vector<size_t> scratch_item(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (g.ops[i].scratch_bytes == 0 || stream_at[i] >= 0) continue;
    PlanItem scratch;
    scratch.bytes = g.ops[i].scratch_bytes;
    scratch.first_op = scratch.last_op = int32_t(i);
    scratch.fill_gaps = true;
    scratch_item[i] = items.size();
    items.push_back(scratch);
  }
  for (const sotto_smdl_stream_t &s : streams) {
    PlanItem scratch;
    for (uint32_t k = 0; k < s.op_count; ++k) {
      scratch.bytes = std::max(scratch.bytes, g.ops[s.first_op + k].scratch_bytes);
    }
    if (scratch.bytes == 0) continue;
    scratch.first_op = scratch.last_op = int32_t(s.first_op);
    scratch.fill_gaps = true;
    for (uint32_t k = 0; k < s.op_count; ++k) scratch_item[s.first_op + k] = items.size();
    items.push_back(scratch);
  }
  // In place: an op's output may overlap an input that dies there (memory_plan.h); a stream's
  // output, each input it reads from outside.
  std::vector<PlanOverlap> overlaps;
  for (size_t i = 0; i < n; ++i) {
    if (stream_at[i] >= 0) continue;
    for (uint32_t read : {g.ops[i].input0, g.ops[i].input1}) {
      if (read == SOTTO_SMDL_NO_TENSOR || g.ops[i].kind == SOTTO_OP_RESHAPE) continue;
      overlaps.push_back({int32_t(g.ops[i].output), int32_t(read), int32_t(i),
                          in_place_distance(g.ops[i], read, g.tensors.data())});
    }
  }
  for (const sotto_smdl_stream_t &s : streams) {
    const uint32_t out = g.ops[s.first_op + s.op_count - 1].output;
    std::vector<uint32_t> outside;
    for (uint32_t k = 0; k < s.op_count; ++k) {
      for (uint32_t read : {g.ops[s.first_op + k].input0, g.ops[s.first_op + k].input1}) {
        bool inside = false;
        for (uint32_t j = 0; j < k; ++j) inside = inside || g.ops[s.first_op + j].output == read;
        if (read == SOTTO_SMDL_NO_TENSOR || inside ||
            std::find(outside.begin(), outside.end(), read) != outside.end()) {
          continue;
        }
        outside.push_back(read);
        overlaps.push_back(
            {int32_t(out), int32_t(read), int32_t(s.first_op), stream_distance(g, s, read)});
      }
    }
  }
  ArenaPlan plan;
  plan.arena_bytes = plan_memory(&items, overlaps);
  for (size_t t = 0; t < g.tensors.size(); ++t) plan.tensor_offsets.push_back(items[t].offset);
  plan.scratch_offsets.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (g.ops[i].scratch_bytes != 0) plan.scratch_offsets[i] = items[scratch_item[i]].offset;
  }
  return plan;
}

std::vector<sotto_smdl_stream_t> choose_streams(const PlanGraph &g) {
  std::vector<sotto_smdl_stream_t> chosen;
  const uint32_t whole = plan_arena(g, chosen).arena_bytes;
  uint32_t best = whole;
  // Only where whole tensors crowd the arena: ops whose live tensors come near the peak (each
  // trial is a whole plan, and a stream elsewhere cannot lower it).
  std::vector<int64_t> live(g.ops.size(), 0);
  for (const PlanItem &it : g.tensor_items) {
    for (int32_t i = std::max(it.first_op, 0); i <= it.last_op && size_t(i) < live.size(); ++i) {
      live[size_t(i)] += it.bytes;
    }
  }
  const int64_t busiest = live.empty() ? 0 : *std::max_element(live.begin(), live.end());
  for (uint32_t i = 0; i < g.ops.size();) {
    sotto_smdl_stream_t pick{};
    uint32_t pick_arena = std::numeric_limits<uint32_t>::max();
    for (const sotto_smdl_stream_t &c : stream_candidates(g, i)) {
      int64_t crowd = 0;
      for (uint32_t k = 0; k < c.op_count; ++k) crowd = std::max(crowd, live[c.first_op + k]);
      if (crowd * 2 < busiest) continue;
      std::vector<sotto_smdl_stream_t> trial = chosen;
      trial.push_back(c);
      const uint32_t arena = plan_arena(g, trial).arena_bytes;
      if (arena < pick_arena) {
        pick_arena = arena;
        pick = c;
      }
    }
    if (pick.op_count != 0 && pick_arena <= best) {
      chosen.push_back(pick);
      best = pick_arena;
      i += pick.op_count;
    } else {
      ++i;
    }
  }
  // A stream op calls its kernel once per output row, which costs up to a tenth more
  // instructions where rows are short (kws on the Cortex-M4: 5-pixel rows, +9.9 % for 64 bytes):
  // each stream kept must save at least an eighth of the whole-tensor arena.
  const uint32_t worth = whole / 8;
  for (size_t s = 0; s < chosen.size();) {
    std::vector<sotto_smdl_stream_t> without = chosen;
    without.erase(without.begin() + std::ptrdiff_t(s));
    const uint32_t arena = plan_arena(g, without).arena_bytes;
    if (arena < best + worth) {
      chosen = without;
      best = arena;
    } else {
      ++s;
    }
  }
  return chosen;
}

}  // namespace sotto::gw::model
