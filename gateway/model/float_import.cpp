// Float model detection, sample layout and the calibrate -> quantize -> compile -> measure steps.
#include "float_import.h"

#include <cstring>

#include "onnx_reader.h"
#include "quantizer.h"
#include "tflite_float_reader.h"
#include "tflite_model.h"

namespace sotto::gw::model {
namespace {

bool is_tflite(const std::vector<uint8_t> &bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data() + 4, "TFL3", 4) == 0;
}

}  // namespace

std::optional<fp::Graph> read_float_model(const std::vector<uint8_t> &bytes) {
  if (is_tflite(bytes)) {
    TfModel m;
    try {
      parse_tflite(bytes, &m);
    } catch (const ImportError &) {
      throw;
    } catch (const std::exception &e) {
      throw ImportError(std::string("malformed TFLite file: ") + e.what());
    }
    if (!is_float_tflite(m)) return std::nullopt;
    return read_float_tflite(m);
  }
  if (is_onnx_model(bytes)) return read_onnx(bytes);
  throw ImportError(
      "not a model: neither a TFLite flatbuffer (no TFL3 identifier) nor an ONNX ModelProto");
}

std::vector<std::vector<float>> device_samples(const fp::Graph &graph, const NpyArray &array,
                                               const std::string &what) {
  const std::vector<int32_t> &in = graph.source_input_shape;
  std::vector<int64_t> sample(array.shape.begin() + (array.shape.empty() ? 0 : 1),
                              array.shape.end());
  std::vector<int64_t> with_batch(in.begin(), in.end());
  std::vector<int64_t> without_batch(in.begin() + 1, in.end());
  if (array.shape.empty() || (sample != with_batch && sample != without_batch)) {
    throw ImportError(what + ": shape " + fp::dims_text(array.shape) + "; expected [N, " +
                      fp::dims_text(without_batch).substr(1) + " (samples of the model input " +
                      fp::dims_text(with_batch) +
                      (graph.layout == fp::Layout::kNchw ? ", channels first" : "") + ")");
  }
  if (array.samples() == 0) throw ImportError(what + ": holds no samples");
  std::vector<std::vector<float>> out;
  const size_t n = array.sample_elements();
  for (size_t s = 0; s < array.samples(); ++s) {
    std::vector<float> one(array.values.begin() + static_cast<long>(s * n),
                           array.values.begin() + static_cast<long>((s + 1) * n));
    out.push_back(fp::to_device_layout(graph, one));
  }
  return out;
}

FloatImportResult import_float(const fp::Graph &graph, const FloatImportOptions &options) {
  const std::vector<TensorRange> ranges = calibrate(graph, options.calibration, options.percentile);
  FloatImportResult result;
  result.smdl = import_tflite(quantize_to_tflite(graph, ranges), options.target, &result.summary,
                              options.prune);
  if (options.validation.empty()) {
    result.agreement = measure_agreement(
        graph, result.smdl, options.calibration,
        "calibration set " + options.calibration_name + " (no --validation given)");
  } else {
    result.agreement = measure_agreement(graph, result.smdl, options.validation,
                                         "validation set " + options.validation_name);
  }
  return result;
}

}  // namespace sotto::gw::model
