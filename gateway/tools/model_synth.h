// Synthetic int8 models of a chosen size, for rollout tests, the OTA benchmark and the demo: a
// stack of FULLY_CONNECTED layers with seeded weights whose scales keep activations inside the
// int8 range, so the self-test output depends on every weight.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sotto::gw::tools {

struct SynthSpec {
  size_t target_bytes = size_t{64} * 1024;  // about this many bytes of weights and biases
  uint64_t seed = 1;                        // weights, biases and nothing else
  uint32_t hidden_layers = 3;               // width x width layers before the output layer
  uint32_t outputs = 16;                    // the output layer's width
};

// Width of the hidden layers for spec (a multiple of 4, at least 4).
uint32_t synth_width(const SynthSpec &spec);

// A TFLite flatbuffer (int8, one subgraph): input [1, width] -> hidden_layers x FC(width) ->
// FC(outputs). Same spec, same bytes. Throws std::invalid_argument for zero layers or outputs.
std::vector<uint8_t> synth_tflite(const SynthSpec &spec);

}  // namespace sotto::gw::tools
