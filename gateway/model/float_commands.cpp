// Float import and .npy runs for sottoctl (see float_commands.h).
#include "float_commands.h"

#include <cstring>
#include <stdexcept>

#include "file_bytes.h"
#include "float_eval.h"
#include "float_import.h"
#include "host_model.h"
#include "npy.h"
#include "prune.h"
#include "smdl_format.h"

namespace sotto::gw::model {
namespace {

bool ends_with(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double parse_percentile(const std::string &text) {
  try {
    size_t used = 0;
    const double p = std::stod(text, &used);
    if (used == text.size() && p > 50.0 && p <= 100.0) return p;
  } catch (const std::exception &) {
  }
  throw UsageError("--percentile '" + text +
                   "'; expected a number above 50 and up to 100 (e.g. 99.99)");
}

// A .smdl on .npy samples: NHWC samples, or channels first with --layout nchw.
void run_smdl_npy(const std::vector<uint8_t> &model, const NpyArray &in, bool channels_first,
                  std::vector<int64_t> *out_shape, std::vector<float> *outputs) {
  HostModel m(model);
  const sotto_tensor_t input = m.input(), output = m.output();
  std::vector<int64_t> nhwc(input.dims + 4 - input.rank, input.dims + 4);
  const int64_t channels = nhwc.back();
  int64_t spatial = 1;
  for (size_t d = 1; d + 1 < nhwc.size(); ++d) spatial *= nhwc[d];
  std::vector<int64_t> expected = nhwc;
  if (channels_first && nhwc.size() >= 3) {
    expected = {nhwc[0], channels};
    for (size_t d = 1; d + 1 < nhwc.size(); ++d) {
      if (nhwc[d] != 1 || nhwc.size() == 3) expected.push_back(nhwc[d]);
    }
    if (expected.size() == 2) expected.push_back(1);
  }
  const std::vector<int64_t> sample(in.shape.begin() + (in.shape.empty() ? 0 : 1), in.shape.end());
  const std::vector<int64_t> without_batch(expected.begin() + 1, expected.end());
  if (in.shape.empty() || (sample != expected && sample != without_batch)) {
    throw std::runtime_error("input .npy shape " + fp::dims_text(in.shape) +
                             "; the model takes [N, " + fp::dims_text(without_batch).substr(1) +
                             (channels_first ? " (channels first, --layout nchw)" : " (NHWC)"));
  }
  const std::vector<int64_t> out_dims(output.dims + 4 - output.rank, output.dims + 4);
  out_shape->assign(1, static_cast<int64_t>(in.samples()));
  out_shape->insert(out_shape->end(), out_dims.begin() + 1, out_dims.end());
  const bool transpose_output = channels_first && out_dims.size() >= 3;
  int64_t out_spatial = 1;
  for (size_t d = 1; d + 1 < out_dims.size(); ++d) out_spatial *= out_dims[d];
  if (transpose_output) {
    out_shape->resize(1);
    out_shape->push_back(out_dims.back());
    for (size_t d = 1; d + 1 < out_dims.size(); ++d) out_shape->push_back(out_dims[d]);
  }
  const size_t n = in.sample_elements();
  for (size_t s = 0; s < in.samples(); ++s) {
    std::vector<float> one(in.values.begin() + static_cast<long>(s * n),
                           in.values.begin() + static_cast<long>((s + 1) * n));
    if (channels_first)
      one = fp::transpose(one, static_cast<size_t>(channels), static_cast<size_t>(spatial));
    std::vector<float> result = m.run_float(one);
    if (transpose_output) {
      result = fp::transpose(result, static_cast<size_t>(out_spatial),
                             static_cast<size_t>(out_dims.back()));
    }
    outputs->insert(outputs->end(), result.begin(), result.end());
  }
}

}  // namespace

void print_import_summary(const std::string &path, const ImportSummary &s, std::ostream &out) {
  out << path << ": " << s.op_count << " ops, arena " << s.arena_bytes << " bytes, weights "
      << s.weight_bytes << " bytes, file " << s.blob_bytes << " bytes\n";
  if (s.sparse_ops > 0) {
    out << "sparse: " << s.sparse_ops << " layer(s) in 1x4 blocks, " << s.sparse_bytes
        << " bytes of weights instead of " << s.sparse_dense_bytes << " dense ("
        << detail::ratio_text(s.sparse_bytes, s.sparse_dense_bytes) << ")\n";
  }
}

bool import_float_command(const std::vector<uint8_t> &bytes, Target target,
                          const PruneOptions &prune, const Arguments &arguments,
                          const std::string &output, std::ostream &out) {
  const std::optional<fp::Graph> graph = read_float_model(bytes);
  const auto calibration = arguments.value("--calibration");
  if (!graph) {
    for (const char *option : {"--calibration", "--validation", "--percentile"}) {
      if (arguments.value(option)) {
        throw UsageError(std::string(option) +
                         " applies to float models; this TFLite model is already int8");
      }
    }
    return false;
  }
  if (!calibration) {
    throw UsageError(
        "a float model needs --calibration FILE.npy (float32 samples shaped like the model input)");
  }
  FloatImportOptions options;
  options.target = target;
  options.calibration = device_samples(*graph, read_npy(*calibration), *calibration);
  options.calibration_name = *calibration;
  if (const auto validation = arguments.value("--validation")) {
    options.validation = device_samples(*graph, read_npy(*validation), *validation);
    options.validation_name = *validation;
  }
  if (const auto p = arguments.value("--percentile")) options.percentile = parse_percentile(*p);
  options.prune = prune;
  const FloatImportResult result = import_float(*graph, options);
  write_file_atomically(output, result.smdl.data(), result.smdl.size());
  print_import_summary(output, result.summary, out);
  out << "quantized to int8 with " << (options.percentile > 0 ? "percentile " : "min/max ");
  if (options.percentile > 0) out << options.percentile << " ";
  out << "ranges from " << options.calibration.size() << " calibration samples\n";
  print_agreement(result.agreement, out);
  return true;
}

bool run_npy_command(const std::vector<uint8_t> &model, const std::string &input_path,
                     const std::optional<std::string> &layout, const std::string &output_path,
                     std::ostream &out) {
  const bool smdl = model.size() >= 4 && std::memcmp(model.data(), "SMDL", 4) == 0;
  if (smdl && !ends_with(input_path, ".npy")) return false;
  if (layout && *layout != "nchw" && *layout != "nhwc") {
    throw UsageError("--layout '" + *layout + "'; expected nchw or nhwc");
  }
  const NpyArray in = read_npy(input_path);
  std::vector<int64_t> shape;
  std::vector<float> outputs;
  if (smdl) {
    run_smdl_npy(model, in, layout && *layout == "nchw", &shape, &outputs);
  } else {
    const std::optional<fp::Graph> graph = read_float_model(model);
    if (!graph)
      throw std::runtime_error("an int8 TFLite model runs after `model import`, as .smdl");
    if (layout) throw UsageError("--layout: a float model takes samples in its own layout");
    fp::Evaluator evaluator(*graph);
    for (const std::vector<float> &sample : device_samples(*graph, in, input_path)) {
      const std::vector<float> result = fp::to_source_layout(*graph, evaluator.run(sample));
      outputs.insert(outputs.end(), result.begin(), result.end());
    }
    shape = {static_cast<int64_t>(in.samples())};
    shape.insert(shape.end(), graph->source_output_shape.begin() + 1,
                 graph->source_output_shape.end());
  }
  const std::vector<uint8_t> bytes = encode_npy(shape, outputs);
  write_file_atomically(output_path, bytes.data(), bytes.size());
  out << output_path << ": " << shape[0] << " samples, "
      << outputs.size() / static_cast<size_t>(std::max<int64_t>(shape[0], 1)) << " values each\n";
  return true;
}

}  // namespace sotto::gw::model
