// The compiler's last steps: plan the arena (every tensor and each op's kernel scratch, with the
// in-place pairs the kernels allow, and the row streams that lower it: row_streams.h) and write the
// .smdl blob (smdl_format.h), then open it with the engine, whose limits are the importer's.
#include <algorithm>
#include <cstring>

#include "compiler.h"
#include "row_streams.h"

namespace sotto::gw::model::detail {

std::vector<uint8_t> Compiler::plan_and_write(const std::vector<uint32_t> &inputs,
                                              const std::vector<uint32_t> &outputs,
                                              ImportSummary *summary) {
  std::vector<uint32_t> graph_io = inputs;
  graph_io.insert(graph_io.end(), outputs.begin(), outputs.end());
  const PlanGraph graph{ops_, tensors_, data_, graph_io, plan_};
  const std::vector<sotto_smdl_stream_t> streams =
      blob_.row_streams ? choose_streams(graph) : std::vector<sotto_smdl_stream_t>{};
  const ArenaPlan plan = plan_arena(graph, streams);
  const uint32_t arena = plan.arena_bytes;
  for (size_t t = 0; t < tensors_.size(); ++t) tensors_[t].arena_offset = plan.tensor_offsets[t];
  for (size_t i = 0; i < ops_.size(); ++i) ops_[i].scratch_offset = plan.scratch_offsets[i];

  // Without streams, version 2 (no stream table): firmware from before streams runs it too.
  std::vector<uint32_t> io = graph_io;
  if (!streams.empty()) {
    io.push_back(static_cast<uint32_t>(streams.size()));  // the stream table (smdl_format.h)
    for (const sotto_smdl_stream_t &s : streams) {
      const uint32_t *words = reinterpret_cast<const uint32_t *>(&s);
      io.insert(io.end(), words, words + sizeof s / 4);
    }
  }
  sotto_smdl_header_t h{};
  h.magic = SOTTO_SMDL_MAGIC;
  h.format_version = streams.empty() ? SOTTO_SMDL_VERSION_NO_STREAMS : SOTTO_SMDL_VERSION;
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
    summary->streams = static_cast<uint32_t>(streams.size());
    summary->weight_bytes = weight_bytes_;
    summary->blob_bytes = h.total_bytes;
    summary->sparse_ops = sparse_.sparse_ops;
    summary->sparse_dense_bytes = sparse_.sparse_dense_bytes;
    summary->sparse_bytes = sparse_.sparse_bytes;
  }
  return blob;
}

}  // namespace sotto::gw::model::detail
