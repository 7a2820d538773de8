// Lowering of the ops that only move elements: STRIDED_SLICE and TRANSPOSE. Both copy without
// requantizing, so input and output must share their quantization.
#include <algorithm>
#include <cstring>
#include <vector>

#include "compiler.h"

namespace sotto::gw::model::detail {

namespace {

// A constant int32 vector of one value per input dim.
std::vector<int32_t> per_dim(const TfTensor &t, size_t rank) {
  std::vector<int32_t> v(t.data.size() / 4);
  std::memcpy(v.data(), t.data.data(), v.size() * 4);
  if (v.size() != rank) v.clear();
  return v;
}

// TFLite's index resolution for one dim of a strided slice (begin/end masks, negative indices
// counted from the end, clamping), as int64 so that a mask's extreme index cannot overflow.
int64_t slice_start(int64_t begin, int64_t stride, bool masked, int64_t size) {
  if (masked) return stride > 0 ? 0 : size - 1;
  if (begin < 0) begin += size;
  return stride > 0 ? std::clamp<int64_t>(begin, 0, size)
                    : std::clamp<int64_t>(begin, -1, size - 1);
}

int64_t slice_stop(int64_t end, int64_t stride, bool masked, int64_t size) {
  if (masked) return stride > 0 ? size : -1;
  if (end < 0) end += size;
  return stride > 0 ? std::clamp<int64_t>(end, 0, size) : std::clamp<int64_t>(end, -1, size - 1);
}

}  // namespace

void Compiler::check_same_quantization(size_t i, const sotto_smdl_op_t &rec) const {
  const sotto_smdl_tensor_t &in = tensors_[rec.input0], &out = tensors_[rec.output];
  if (in.type != out.type || in.scale != out.scale || in.zero_point != out.zero_point) {
    fail(i, "input and output types or quantization differ; supported: equal (the op copies)");
  }
}

void Compiler::lower_strided_slice(size_t i) {
  const TfOperator &op = m_.operators[i];
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_STRIDED_SLICE);
  const TypeSet types = kInt8 | kInt16 | kInt32 | kFloat32;
  rec.input0 = input(i, 0, types);
  rec.output = output(i, types);
  check_same_quantization(i, rec);
  // StridedSliceOptions: begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask,
  // offset.
  static const char *const kUnsupported[] = {"ellipsis_mask", "new_axis_mask", "shrink_axis_mask",
                                             "offset"};
  for (int f = 2; f <= 5; ++f) {
    if (op.options.scalar<int32_t>(f, 0) != 0) {
      fail(i, std::string(kUnsupported[f - 2]) + " is set; supported: begin_mask and end_mask");
    }
  }
  const int32_t begin_mask = op.options.scalar<int32_t>(0, 0);
  const int32_t end_mask = op.options.scalar<int32_t>(1, 0);
  const sotto_smdl_tensor_t in = tensors_[rec.input0], out = tensors_[rec.output];
  const size_t rank = static_cast<size_t>(in.rank);
  const int8_t i32 = static_cast<int8_t>(TfType::kInt32);
  const std::vector<int32_t> begin = per_dim(constant(i, 1, i32), rank);
  const std::vector<int32_t> end = per_dim(constant(i, 2, i32), rank);
  const std::vector<int32_t> strides = per_dim(constant(i, 3, i32), rank);
  if (begin.empty() || end.empty() || strides.empty() || out.rank != in.rank) {
    fail(i, "begin, end and strides must hold one int32 per input dim, the output the same rank");
  }
  for (size_t d = 0; d < rank; ++d) {
    const int64_t stride = strides[d], size = in.dims[4 - rank + d];
    if (stride == 0) fail(i, "stride 0 in dim " + std::to_string(d));
    if (stride < -static_cast<int64_t>(SOTTO_SMDL_MAX_DIM) || stride > SOTTO_SMDL_MAX_DIM) {
      fail(i, "stride beyond the engine's limit of 65535 in dim " + std::to_string(d));
    }
    const int64_t start = slice_start(begin[d], stride, (begin_mask >> d) & 1, size);
    const int64_t stop = slice_stop(end[d], stride, (end_mask >> d) & 1, size);
    const int64_t span = stride > 0 ? stop - start : start - stop;
    const int64_t step = stride > 0 ? stride : -stride;
    const int64_t count = span > 0 ? (span + step - 1) / step : 0;
    if (count != out.dims[4 - rank + d]) {
      fail(i, "dim " + std::to_string(d) + " selects " + std::to_string(count) +
                  " elements but the output has " + std::to_string(out.dims[4 - rank + d]));
    }
    rec.params[SOTTO_P_SLICE_START + 4 - rank + d] = static_cast<int32_t>(start);
    rec.params[SOTTO_P_SLICE_STRIDE + 4 - rank + d] = static_cast<int32_t>(stride);
  }
  for (size_t d = 0; d < 4 - rank; ++d) rec.params[SOTTO_P_SLICE_STRIDE + d] = 1;
  ops_.push_back(rec);
}

void Compiler::lower_transpose(size_t i) {
  sotto_smdl_op_t rec = blank_op(SOTTO_OP_TRANSPOSE);
  const TypeSet types = kInt8 | kInt16 | kInt32 | kFloat32;
  rec.input0 = input(i, 0, types);
  rec.output = output(i, types);
  check_same_quantization(i, rec);
  const sotto_smdl_tensor_t &in = tensors_[rec.input0];
  const size_t rank = static_cast<size_t>(in.rank);
  const std::vector<int32_t> perm =
      per_dim(constant(i, 1, static_cast<int8_t>(TfType::kInt32)), rank);
  if (perm.empty()) fail(i, "perm must hold one int32 per input dim");
  const size_t lead = 4 - rank;  // leading dims of 1, kept in place
  for (size_t d = 0; d < lead; ++d)
    rec.params[SOTTO_P_TRANSPOSE_PERM + d] = static_cast<int32_t>(d);
  uint32_t seen = 0;
  for (size_t d = 0; d < rank; ++d) {
    const int32_t from = perm[d];  // TFLite refuses negative entries too
    if (from < 0 || from >= static_cast<int32_t>(rank) || (seen & (1u << from)) != 0) {
      fail(i, "perm is not a permutation of the input's dims");
    }
    seen |= 1u << from;
    rec.params[SOTTO_P_TRANSPOSE_PERM + lead + d] = static_cast<int32_t>(lead) + from;
  }
  for (size_t d = 0; d < rank; ++d) {
    const int32_t from = perm[d];
    if (tensors_[rec.output].dims[lead + d] != in.dims[lead + static_cast<size_t>(from)]) {
      fail(i,
           "output dim " + std::to_string(d) + " differs from input dim " + std::to_string(from));
    }
  }
  ops_.push_back(rec);
}

}  // namespace sotto::gw::model::detail
