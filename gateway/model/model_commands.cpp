// `sottoctl model import|inspect|run`: thin wrappers over the importer and the device runtime.
#include "model_commands.h"

#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "cli_arguments.h"
#include "file_bytes.h"
#include "float_commands.h"
#include "host_model.h"
#include "importer.h"
#include "op_registry.h"
#include "smdl_format.h"
#include "sotto/model.h"

namespace sotto::gw::model {
namespace {

std::string shape_text(const sotto_smdl_tensor_t &t) {
  std::string s;
  for (int i = 4 - t.rank; i < 4; ++i) s += (s.empty() ? "" : "x") + std::to_string(t.dims[i]);
  return s;
}

// The real values an int8 tensor can hold: the layer's quantization range.
std::string range_text(const sotto_smdl_tensor_t &t) {
  if (t.type != SOTTO_SMDL_INT8) return "range float";
  std::ostringstream s;
  s << "range [" << t.scale * static_cast<float>(-128 - t.zero_point) << ", "
    << t.scale * static_cast<float>(127 - t.zero_point) << "]";
  return s.str();
}

}  // namespace

int model_import_command(const std::vector<std::string> &args, std::ostream &out) {
  const Arguments arguments(args,
                            {"-o", "--target", "--calibration", "--validation", "--percentile"});
  const std::string input = arguments.positionals({"MODEL"})[0];
  const auto output = arguments.value("-o");
  if (!output) throw UsageError("missing -o MODEL.smdl");
  Target target;
  try {
    target = parse_target(arguments.value("--target").value_or("generic"));
  } catch (const std::invalid_argument &error) {
    throw UsageError(error.what());
  }
  std::vector<uint8_t> bytes = read_file_bytes(input);
  if (import_float_command(bytes, target, arguments, *output, out)) return 0;
  ImportSummary s;
  const std::vector<uint8_t> blob = import_tflite(std::move(bytes), target, &s);
  write_file_atomically(*output, blob.data(), blob.size());
  print_import_summary(*output, s, out);
  return 0;
}

int model_inspect_command(const std::vector<std::string> &args, std::ostream &out) {
  const Arguments arguments(args, {});
  HostModel m(read_file_bytes(arguments.positionals({"MODEL.smdl"})[0]));
  const sotto_smdl_header_t &h = m.header();
  const sotto_smdl_tensor_t *tensors = m.tensors();
  const sotto_smdl_op_t *ops = m.ops();
  uint64_t weight_bytes = 0;
  for (uint32_t i = 0; i < h.op_count; ++i) weight_bytes += ops[i].weights_bytes;
  out << "format version " << h.format_version << ", target " << h.target << ", digest 0x"
      << std::hex << std::setw(8) << std::setfill('0') << h.digest << std::dec << std::setfill(' ')
      << "\narena bytes " << h.arena_bytes << ", weight bytes " << weight_bytes << ", file bytes "
      << h.total_bytes << ", ops " << h.op_count << "\n";
  const sotto_smdl_tensor_t &input = tensors[h.input_tensor];
  out << "input " << shape_text(input) << "  " << range_text(input) << "\n";
  for (uint32_t i = 0; i < h.op_count; ++i) {
    const sotto_smdl_op_t &op = ops[i];
    const sotto_smdl_tensor_t &in = tensors[op.input0], &o = tensors[op.output];
    out << std::setw(3) << i << " " << std::left << std::setw(18) << sotto_infer::op_name(op.kind)
        << std::right << " " << shape_text(in) << " -> " << shape_text(o) << "  out scale "
        << o.scale << " zp " << o.zero_point << " " << range_text(o) << "  arena @"
        << o.arena_offset << "+" << o.bytes << "  weights " << op.weights_bytes << "\n";
  }
  return 0;
}

int model_run_command(const std::vector<std::string> &args, std::ostream &out) {
  const Arguments arguments(args, {"--input", "--output", "--layout"});
  const std::string model_path = arguments.positionals({"MODEL"})[0];
  const auto in_path = arguments.value("--input");
  const auto out_path = arguments.value("--output");
  if (!in_path || !out_path) throw UsageError("missing --input IN.bin|IN.npy or --output OUT");
  const std::vector<uint8_t> model_bytes = read_file_bytes(model_path);
  if (run_npy_command(model_bytes, *in_path, arguments.value("--layout"), *out_path, out)) return 0;
  if (arguments.value("--layout")) throw UsageError("--layout applies to .npy input only");
  HostModel m(model_bytes);
  const std::vector<uint8_t> input = read_file_bytes(*in_path);
  const sotto_tensor_t in = m.input();
  if (input.size() != in.bytes) {
    throw std::runtime_error("input is " + std::to_string(input.size()) +
                             " bytes; the model takes " + std::to_string(in.bytes));
  }
  std::copy(input.begin(), input.end(), reinterpret_cast<uint8_t *>(in.data));
  const sotto_err_t e = sotto_invoke(m.model());
  if (e != SOTTO_OK) throw std::runtime_error(std::string("invoke failed: ") + sotto_err_name(e));
  const sotto_tensor_t o = m.output();
  write_file_atomically(*out_path, o.data, o.bytes);
  out << *out_path << ": " << o.bytes << " bytes\n";
  return 0;
}

}  // namespace sotto::gw::model
