// `sottoctl model import|inspect|run`: thin wrappers over the importer and the device runtime.
#include "model_commands.h"

#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "cli_arguments.h"
#include "cost_model.h"
#include "file_bytes.h"
#include "float_commands.h"
#include "host_model.h"
#include "importer.h"
#include "op_registry.h"
#include "prune.h"
#include "smdl_format.h"
#include "sotto/model.h"

namespace sotto::gw::model {
namespace {

// "1x49x10x1", with the element type after it when not int8 ("1x5x64 int16").
std::string shape_text(const sotto_smdl_tensor_t &t) {
  static const char *const kTypes[SOTTO_SMDL_TYPE_COUNT_] = {"int8", "float32", "int16", "int32",
                                                             "uint8"};
  std::string s;
  for (int i = 4 - t.rank; i < 4; ++i) s += (s.empty() ? "" : "x") + std::to_string(t.dims[i]);
  if (t.type != SOTTO_SMDL_INT8 && t.type < SOTTO_SMDL_TYPE_COUNT_)
    s += std::string(" ") + kTypes[t.type];
  return s;
}

// The real values an int8 tensor can hold: the layer's quantization range.
std::string range_text(const sotto_smdl_tensor_t &t) {
  if (t.type == SOTTO_SMDL_FLOAT32) return "range float";
  if (t.type != SOTTO_SMDL_INT8) return "";
  std::ostringstream s;
  s << "range [" << t.scale * static_cast<float>(-128 - t.zero_point) << ", "
    << t.scale * static_cast<float>(127 - t.zero_point) << "]";
  return s.str();
}

}  // namespace

int model_import_command(const std::vector<std::string> &args, std::ostream &out) {
  const Arguments arguments(
      args, {"-o", "--target", "--calibration", "--validation", "--percentile", "--prune"},
      {"--prune-channels", "--dense-weights", "--whole-tensors", "--plain-filters"});
  const std::string input = arguments.positionals({"MODEL"})[0];
  const auto output = arguments.value("-o");
  if (!output) throw UsageError("missing -o MODEL.smdl");
  Target target;
  try {
    target = parse_target(arguments.value("--target").value_or("generic"));
  } catch (const std::invalid_argument &error) {
    throw UsageError(error.what());
  }
  PruneOptions prune =
      detail::prune_options(arguments.value("--prune"), arguments.flag("--prune-channels"));
  prune.sparse_storage = !arguments.flag("--dense-weights");
  std::vector<uint8_t> bytes = read_file_bytes(input);
  if (import_float_command(bytes, target, prune, arguments, *output, out)) return 0;
  ImportSummary s;
  BlobOptions blob_options;
  blob_options.row_streams = !arguments.flag("--whole-tensors");
  blob_options.interleaved_filters = !arguments.flag("--plain-filters");
  const std::vector<uint8_t> blob =
      import_tflite(std::move(bytes), target, &s, prune, blob_options);
  write_file_atomically(*output, blob.data(), blob.size());
  print_import_summary(*output, s, out);
  return 0;
}

int model_inspect_command(const std::vector<std::string> &args, std::ostream &out) {
  const Arguments arguments(args, cost_option_names());
  const std::string path = arguments.positionals({"MODEL.smdl"})[0];
  const std::optional<CostOptions> cost = parse_cost_options(arguments);
  HostModel m(read_file_bytes(path));
  const sotto_smdl_header_t &h = m.header();
  const sotto_smdl_tensor_t *tensors = m.tensors();
  const sotto_smdl_op_t *ops = m.ops();
  uint64_t weight_bytes = 0;
  for (uint32_t i = 0; i < h.op_count; ++i) weight_bytes += ops[i].weights_bytes;
  out << "format version " << h.format_version << ", target " << h.target << ", digest 0x"
      << std::hex << std::setw(8) << std::setfill('0') << h.digest << std::dec << std::setfill(' ')
      << "\narena bytes " << h.arena_bytes << ", weight bytes " << weight_bytes << ", file bytes "
      << h.total_bytes << ", ops " << h.op_count << "\n";
  const auto *io =
      reinterpret_cast<const uint32_t *>(reinterpret_cast<const uint8_t *>(&h) + h.io_table_offset);
  for (uint32_t k = 0; k < h.input_count + h.output_count; ++k) {
    const bool is_input = k < h.input_count;
    const sotto_smdl_tensor_t &t = tensors[io[k]];
    out << (is_input ? "input " : "output ") << (is_input ? k : k - h.input_count) << ": "
        << shape_text(t) << "  " << range_text(t) << "\n";
  }
  for (uint32_t i = 0; i < h.op_count; ++i) {
    const sotto_smdl_op_t &op = ops[i];
    const sotto_smdl_tensor_t &in = tensors[op.input0], &o = tensors[op.output];
    out << std::setw(3) << i << " " << std::left << std::setw(18) << sotto_infer::op_name(op.kind)
        << std::right << " " << shape_text(in) << " -> " << shape_text(o) << "  out scale "
        << o.scale << " zp " << o.zero_point << " " << range_text(o) << "  arena @"
        << o.arena_offset << "+" << o.bytes << "  weights " << op.weights_bytes;
    // A stateful op's memory across invokes (SVDF's activation state, LSTM's hidden and cell
    // states), in the arena for good.
    for (uint32_t k = 0; k < SOTTO_SMDL_MAX_STATES; ++k) {
      const uint32_t state = sotto_smdl_state_tensor(&op, k);
      if (state == SOTTO_SMDL_NO_TENSOR) continue;
      out << "  state " << shape_text(tensors[state]) << " @" << tensors[state].arena_offset << "+"
          << tensors[state].bytes;
    }
    out << "\n";
    out << detail::sparse_weights_note(op, tensors);
  }
  if (cost) {
    const TargetProfile &profile = target_profile(cost->target);
    print_cost(estimate_cost(m, profile, *cost), profile, *cost, out);
  }
  return 0;
}

int model_run_command(const std::vector<std::string> &args, std::ostream &out) {
  const Arguments arguments(args, {"--input", "--output", "--layout"});
  const std::string model_path = arguments.positionals({"MODEL"})[0];
  const std::vector<std::string> in_paths = arguments.values("--input");
  const std::vector<std::string> out_paths = arguments.values("--output");
  if (in_paths.empty() || out_paths.empty()) {
    throw UsageError("missing --input IN.bin|IN.npy or --output OUT");
  }
  const std::vector<uint8_t> model_bytes = read_file_bytes(model_path);
  if (in_paths.size() == 1 && out_paths.size() == 1 &&
      run_npy_command(model_bytes, in_paths[0], arguments.value("--layout"), out_paths[0], out)) {
    return 0;
  }
  if (arguments.value("--layout")) throw UsageError("--layout applies to .npy input only");
  HostModel m(model_bytes);
  const uint32_t inputs = sotto_model_input_count(m.model());
  const uint32_t outputs = sotto_model_output_count(m.model());
  if (in_paths.size() != inputs || out_paths.size() != outputs) {
    throw UsageError("the model has " + std::to_string(inputs) + " input(s) and " +
                     std::to_string(outputs) + " output(s): give --input once per input and " +
                     "--output once per output, in the model's order");
  }
  for (uint32_t k = 0; k < inputs; ++k) {
    const std::vector<uint8_t> bytes = read_file_bytes(in_paths[k]);
    const sotto_tensor_t in = m.input(k);
    if (bytes.size() != in.bytes) {
      throw std::runtime_error(in_paths[k] + " is " + std::to_string(bytes.size()) +
                               " bytes; input " + std::to_string(k) + " of the model takes " +
                               std::to_string(in.bytes));
    }
    std::copy(bytes.begin(), bytes.end(), static_cast<uint8_t *>(in.data));
  }
  const sotto_err_t e = sotto_invoke(m.model());
  if (e != SOTTO_OK) throw std::runtime_error(std::string("invoke failed: ") + sotto_err_name(e));
  for (uint32_t k = 0; k < outputs; ++k) {
    const sotto_tensor_t o = m.output(k);
    write_file_atomically(out_paths[k], o.data, o.bytes);
    out << out_paths[k] << ": " << o.bytes << " bytes\n";
  }
  return 0;
}

}  // namespace sotto::gw::model
