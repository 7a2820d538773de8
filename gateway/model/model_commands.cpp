// `sottoctl model import|inspect|run`: thin wrappers over the importer and the device runtime.
#include "model_commands.h"

#include <fstream>
#include <iomanip>
#include <iterator>

#include "importer.h"
#include "smdl_format.h"
#include "sotto/model.h"

namespace sotto::gw::model {
namespace {

std::vector<uint8_t> read_all(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

void write_all(const std::string &path, const void *data, size_t bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(static_cast<const char *>(data), static_cast<std::streamsize>(bytes));
  if (!f) throw std::runtime_error("cannot write " + path);
}

// Splits "--flag value" pairs from positional arguments.
struct Args {
  std::vector<std::string> positional;
  std::string flag(const std::string &name, const std::string &fallback = "") const {
    for (size_t i = 0; i + 1 < raw.size(); ++i) {
      if (raw[i] == name) return raw[i + 1];
    }
    return fallback;
  }
  std::vector<std::string> raw;
};

Args parse(const std::vector<std::string> &args, const std::vector<std::string> &flags) {
  Args a;
  a.raw = args;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_flag = false;
    for (const std::string &f : flags) is_flag |= args[i] == f;
    if (is_flag) {
      if (i + 1 >= args.size()) throw std::invalid_argument(args[i] + " needs a value");
      ++i;
    } else if (!args[i].empty() && args[i][0] == '-') {
      throw std::invalid_argument("unknown option " + args[i]);
    } else {
      a.positional.push_back(args[i]);
    }
  }
  return a;
}

// Opens a blob kept in 4-byte aligned storage, as the device would see it in flash.
struct LoadedModel {
  std::vector<uint32_t> blob;
  std::vector<uint32_t> arena;
  sotto_model_t model;
  explicit LoadedModel(const std::vector<uint8_t> &bytes) : blob((bytes.size() + 3) / 4) {
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<uint8_t *>(blob.data()));
    const sotto_err_t err = sotto_model_open(&model, blob.data(), bytes.size());
    if (err != SOTTO_OK)
      throw std::runtime_error(std::string("invalid model: ") + sotto_err_name(err));
    arena.resize((sotto_model_arena_bytes(&model) + 3) / 4 + 1);
    sotto_model_attach_arena(&model, arena.data(), arena.size() * 4);
  }
  const sotto_smdl_header_t &header() const {
    return *reinterpret_cast<const sotto_smdl_header_t *>(blob.data());
  }
};

const char *kind_name(uint32_t kind) {
  switch (kind) {
    case SOTTO_OP_CONV_2D:
      return "CONV_2D";
    case SOTTO_OP_DEPTHWISE_CONV_2D:
      return "DEPTHWISE_CONV_2D";
    case SOTTO_OP_FULLY_CONNECTED:
      return "FULLY_CONNECTED";
    case SOTTO_OP_AVERAGE_POOL_2D:
      return "AVERAGE_POOL_2D";
    case SOTTO_OP_MAX_POOL_2D:
      return "MAX_POOL_2D";
    case SOTTO_OP_ADD:
      return "ADD";
    case SOTTO_OP_RESHAPE:
      return "RESHAPE";
    case SOTTO_OP_SOFTMAX:
      return "SOFTMAX";
    case SOTTO_OP_MUL:
      return "MUL";
    case SOTTO_OP_LOGISTIC:
      return "LOGISTIC";
    case SOTTO_OP_CONCATENATION:
      return "CONCATENATION";
    case SOTTO_OP_PAD:
      return "PAD";
    case SOTTO_OP_MEAN:
      return "MEAN";
    case SOTTO_OP_QUANTIZE:
      return "QUANTIZE";
    case SOTTO_OP_DEQUANTIZE:
      return "DEQUANTIZE";
    default:
      return "?";
  }
}

std::string shape_text(const sotto_smdl_tensor_t &t) {
  std::string s;
  for (int i = 4 - t.rank; i < 4; ++i) s += (s.empty() ? "" : "x") + std::to_string(t.dims[i]);
  return s;
}

}  // namespace

int model_import_command(const std::vector<std::string> &args, std::ostream &out,
                         std::ostream &err) {
  const Args a = parse(args, {"-o", "--target"});
  const std::string output = a.flag("-o");
  if (a.positional.size() != 1 || output.empty()) {
    err << "usage: sottoctl model import MODEL.tflite -o MODEL.smdl [--target "
           "generic|cortex-m4|cortex-m0|rv32]\n";
    return 2;
  }
  const Target target = parse_target(a.flag("--target", "generic"));
  ImportSummary s;
  const std::vector<uint8_t> blob = import_tflite(read_all(a.positional[0]), target, &s);
  write_all(output, blob.data(), blob.size());
  out << output << ": " << s.op_count << " ops, arena " << s.arena_bytes << " bytes, weights "
      << s.weight_bytes << " bytes, file " << s.blob_bytes << " bytes\n";
  return 0;
}

int model_inspect_command(const std::vector<std::string> &args, std::ostream &out,
                          std::ostream &err) {
  const Args a = parse(args, {});
  if (a.positional.size() != 1) {
    err << "usage: sottoctl model inspect MODEL.smdl\n";
    return 2;
  }
  LoadedModel m(read_all(a.positional[0]));
  const sotto_smdl_header_t &h = m.header();
  const uint8_t *base = reinterpret_cast<const uint8_t *>(m.blob.data());
  const auto *tensors = reinterpret_cast<const sotto_smdl_tensor_t *>(base + h.tensor_table_offset);
  const auto *ops = reinterpret_cast<const sotto_smdl_op_t *>(base + h.op_table_offset);
  uint64_t weight_bytes = 0;
  for (uint32_t i = 0; i < h.op_count; ++i) weight_bytes += ops[i].weights_bytes;
  out << "format version " << h.format_version << ", target " << h.target << ", digest 0x"
      << std::hex << std::setw(8) << std::setfill('0') << h.digest << std::dec << std::setfill(' ')
      << "\narena bytes " << h.arena_bytes << ", weight bytes " << weight_bytes << ", file bytes "
      << h.total_bytes << ", ops " << h.op_count << "\n";
  for (uint32_t i = 0; i < h.op_count; ++i) {
    const sotto_smdl_op_t &op = ops[i];
    const sotto_smdl_tensor_t &in = tensors[op.input0], &o = tensors[op.output];
    out << std::setw(3) << i << " " << std::left << std::setw(18) << kind_name(op.kind)
        << std::right << " " << shape_text(in) << " -> " << shape_text(o) << "  out scale "
        << o.scale << " zp " << o.zero_point << "  arena @" << o.arena_offset << "+" << o.bytes
        << "  weights " << op.weights_bytes << "\n";
  }
  return 0;
}

int model_run_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err) {
  const Args a = parse(args, {"--input", "--output"});
  const std::string in_path = a.flag("--input"), out_path = a.flag("--output");
  if (a.positional.size() != 1 || in_path.empty() || out_path.empty()) {
    err << "usage: sottoctl model run MODEL.smdl --input IN.bin --output OUT.bin\n";
    return 2;
  }
  LoadedModel m(read_all(a.positional[0]));
  const std::vector<uint8_t> input = read_all(in_path);
  sotto_tensor_t in, o;
  sotto_model_input(&m.model, &in);
  if (input.size() != in.bytes) {
    err << "input is " << input.size() << " bytes; the model takes " << in.bytes << "\n";
    return 1;
  }
  std::copy(input.begin(), input.end(), reinterpret_cast<uint8_t *>(in.data));
  const sotto_err_t e = sotto_invoke(&m.model);
  if (e != SOTTO_OK) {
    err << "invoke failed: " << sotto_err_name(e) << "\n";
    return 1;
  }
  sotto_model_output(&m.model, &o);
  write_all(out_path, o.data, o.bytes);
  out << out_path << ": " << o.bytes << " bytes\n";
  return 0;
}

int model_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err) {
  try {
    if (args.empty()) {
      err << "usage: sottoctl model import|inspect|run ...\n";
      return 2;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "import") return model_import_command(rest, out, err);
    if (args[0] == "inspect") return model_inspect_command(rest, out, err);
    if (args[0] == "run") return model_run_command(rest, out, err);
    err << "unknown model command '" << args[0] << "'; supported: import, inspect, run\n";
    return 2;
  } catch (const std::exception &e) {
    err << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace sotto::gw::model
