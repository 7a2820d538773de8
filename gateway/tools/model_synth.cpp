// How the synthetic model is shaped and quantized (see the header for why it exists).
#include "model_synth.h"

#include <cmath>
#include <stdexcept>

#include "tflite_builder.h"

namespace sotto::gw::tools {
namespace {

constexpr int8_t kInt32 = 2;
constexpr int8_t kInt8 = 9;
constexpr int32_t kFullyConnected = 9;
// Uniform int8 weights in [-127, 127] have a standard deviation of about 73.
constexpr double kWeightStd = 73.0;

class Splitmix {
 public:
  explicit Splitmix(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int8_t weight() { return static_cast<int8_t>(static_cast<int32_t>(next() % 255) - 127); }

 private:
  uint64_t state_;
};

}  // namespace

uint32_t synth_width(const SynthSpec &spec) {
  // Each hidden layer holds width^2 weight bytes plus 4 * width of bias; the output layer
  // width * outputs more. Solve for width, ignoring the small terms, then round down to 4.
  const double per_layer =
      static_cast<double>(spec.target_bytes) / (static_cast<double>(spec.hidden_layers) + 0.25);
  const auto width = static_cast<uint32_t>(std::sqrt(per_layer > 16 ? per_layer : 16));
  return width < 4 ? 4 : width & ~3u;
}

std::vector<uint8_t> synth_tflite(const SynthSpec &spec) {
  if (spec.hidden_layers == 0 || spec.outputs == 0) {
    throw std::invalid_argument("synthetic model: needs at least one hidden layer and output");
  }
  const uint32_t width = synth_width(spec);
  Splitmix random(spec.seed);
  TfliteBuilder b;
  const float weight_scale = 1.0f / 128;
  // Input bytes are the self-test's uniform int8 values: real standard deviation 73 * scale.
  float in_scale = 1.0f / 32;
  const int32_t input = b.tensor({1, static_cast<int32_t>(width)}, kInt8, in_scale, 0);
  int32_t previous = input;
  double in_std = kWeightStd;  // of the int8 values entering the layer
  for (uint32_t layer = 0; layer <= spec.hidden_layers; ++layer) {
    const uint32_t out_n = layer == spec.hidden_layers ? spec.outputs : width;
    std::vector<uint8_t> weights(static_cast<size_t>(out_n) * width);
    for (auto &w : weights) w = static_cast<uint8_t>(random.weight());
    const float bias_scale = in_scale * weight_scale;
    std::vector<int32_t> bias(out_n);
    for (auto &v : bias) v = static_cast<int32_t>(random.next() % 2001) - 1000;
    // A sum of width products has std sqrt(width) * in_std * 73 in accumulator units; the
    // output scale maps three standard deviations onto 127 so few values saturate.
    const double acc_std = std::sqrt(static_cast<double>(width)) * in_std * kWeightStd;
    const auto out_scale = static_cast<float>(acc_std * bias_scale * 3.0 / 127.0);
    const int32_t w = b.tensor({static_cast<int32_t>(out_n), static_cast<int32_t>(width)}, kInt8,
                               weight_scale, 0, weights);
    const int32_t c = b.tensor({static_cast<int32_t>(out_n)}, kInt32, bias_scale, 0,
                               TfliteBuilder::bytes_of(bias));
    const int32_t out = b.tensor({1, static_cast<int32_t>(out_n)}, kInt8, out_scale, 0);
    b.op(kFullyConnected, {previous, w, c}, out);
    previous = out;
    in_scale = out_scale;
    in_std = 127.0 / 3.0;
  }
  return b.finish(input, previous);
}

}  // namespace sotto::gw::tools
