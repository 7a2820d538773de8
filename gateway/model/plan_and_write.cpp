// The compiler's last steps: plan the arena (every tensor and each op's kernel scratch, with the
// in-place pairs the kernels allow) and write the .smdl blob (smdl_format.h), then open it with
// the engine, whose limits are the importer's.
#include <algorithm>
#include <cstring>

#include "compiler.h"
#include "in_place.h"

namespace sotto::gw::model::detail {

std::vector<uint8_t> Compiler::plan_and_write(const std::vector<uint32_t> &inputs,
                                              const std::vector<uint32_t> &outputs,
                                              ImportSummary *summary) {
  // Kernel scratch lives only during its op: plan it like a tensor written and read there.
  std::vector<PlanItem> items = plan_;
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (ops_[i].scratch_bytes == 0) continue;
    PlanItem scratch;
    scratch.bytes = ops_[i].scratch_bytes;
    scratch.first_op = scratch.last_op = static_cast<int32_t>(i);
    scratch.fill_gaps = true;
    items.push_back(scratch);
  }
  // In place: an op's output may overlap an input that dies there (memory_plan.h).
  std::vector<PlanOverlap> overlaps;
  for (size_t i = 0; i < ops_.size(); ++i) {
    for (uint32_t read : {ops_[i].input0, ops_[i].input1}) {
      if (read == SOTTO_SMDL_NO_TENSOR || ops_[i].kind == SOTTO_OP_RESHAPE) continue;
      PlanOverlap o;
      o.output = static_cast<int32_t>(ops_[i].output);
      o.input = static_cast<int32_t>(read);
      o.op = static_cast<int32_t>(i);
      o.min_distance = in_place_distance(ops_[i], read, tensors_.data());
      overlaps.push_back(o);
    }
  }
  const uint32_t arena = plan_memory(&items, overlaps);
  for (size_t t = 0; t < tensors_.size(); ++t) tensors_[t].arena_offset = items[t].offset;
  for (size_t i = 0, next = tensors_.size(); i < ops_.size(); ++i) {
    if (ops_[i].scratch_bytes != 0) ops_[i].scratch_offset = items[next++].offset;
  }

  std::vector<uint32_t> io = inputs;
  io.insert(io.end(), outputs.begin(), outputs.end());
  sotto_smdl_header_t h{};
  h.magic = SOTTO_SMDL_MAGIC;
  h.format_version = SOTTO_SMDL_VERSION;
  h.target = static_cast<uint16_t>(target_);
  h.arena_bytes = arena;
  h.tensor_count = static_cast<uint32_t>(tensors_.size());
  h.op_count = static_cast<uint32_t>(ops_.size());
  h.input_count = static_cast<uint32_t>(inputs.size());
  h.output_count = static_cast<uint32_t>(outputs.size());
  h.tensor_table_offset = sizeof(h);
  h.op_table_offset =
      h.tensor_table_offset + h.tensor_count * static_cast<uint32_t>(sizeof(sotto_smdl_tensor_t));
  h.io_table_offset =
      h.op_table_offset + h.op_count * static_cast<uint32_t>(sizeof(sotto_smdl_op_t));
  h.data_offset = h.io_table_offset + static_cast<uint32_t>(io.size() * 4);
  while (data_.size() % 4) data_.push_back(0);
  h.data_bytes = static_cast<uint32_t>(data_.size());
  h.total_bytes = h.data_offset + h.data_bytes;
  std::vector<uint8_t> blob(h.total_bytes, 0);
  std::memcpy(blob.data(), &h, sizeof(h));
  std::memcpy(blob.data() + h.tensor_table_offset, tensors_.data(),
              tensors_.size() * sizeof(sotto_smdl_tensor_t));
  std::memcpy(blob.data() + h.op_table_offset, ops_.data(), ops_.size() * sizeof(sotto_smdl_op_t));
  std::memcpy(blob.data() + h.io_table_offset, io.data(), io.size() * 4);
  if (!data_.empty()) std::memcpy(blob.data() + h.data_offset, data_.data(), data_.size());
  const uint32_t digest = sotto_smdl_digest(blob.data(), h.total_bytes);
  std::memcpy(blob.data() + offsetof(sotto_smdl_header_t, digest), &digest, 4);
  // The loader's limits are the importer's (smdl_format.h); opening what we wrote proves it.
  sotto_model_t opened;
  if (sotto_model_open(&opened, blob.data(), blob.size()) != SOTTO_OK) {
    throw ImportError(
        "the engine refuses the compiled model, a limit this importer does not check yet: " +
        fault_text(*sotto_model_open_fault(&opened)));
  }
  if (summary) {
    summary->op_count = h.op_count;
    summary->arena_bytes = arena;
    summary->weight_bytes = weight_bytes_;
    summary->blob_bytes = h.total_bytes;
    summary->sparse_ops = sparse_.sparse_ops;
    summary->sparse_dense_bytes = sparse_.sparse_dense_bytes;
    summary->sparse_bytes = sparse_.sparse_bytes;
  }
  return blob;
}

}  // namespace sotto::gw::model::detail
