// sotto-model-synth: writes a synthetic int8 TFLite model of about N bytes (a dev tool for
// tests, benchmarks and the demo, which need real models without shipping any). Compile the
// result with `sottoctl model import`.
//   sotto-model-synth --bytes N [--seed S] [--layers L] [--outputs K] -o MODEL.tflite
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli_arguments.h"
#include "file_bytes.h"
#include "model_synth.h"
#include "version.h"

namespace {

constexpr const char *kUsage =
    "usage: sotto-model-synth --bytes N [--seed S] [--layers L] [--outputs K] -o MODEL.tflite\n"
    "       sotto-model-synth --version";

}  // namespace

int main(int argc, char **argv) {
  sotto::gw::tools::SynthSpec spec;
  std::string output;
  try {
    const std::vector<std::string> words(argv + 1, argv + argc);
    const sotto::gw::Arguments arguments(
        words, {"--bytes", "--seed", "--layers", "--outputs", "-o"}, {"--help", "-h", "--version"});
    if (arguments.flag("--help") || arguments.flag("-h")) {
      std::cout << kUsage << "\n";
      return 0;
    }
    if (arguments.flag("--version")) {
      std::cout << sotto::gw::version_line("sotto-model-synth") << "\n";
      return 0;
    }
    arguments.positionals({});
    if (!arguments.value("--bytes") || !arguments.value("-o")) {
      throw sotto::gw::UsageError("--bytes and -o are required");
    }
    spec.target_bytes = static_cast<size_t>(arguments.integer("--bytes", 1, 64 << 20, 0));
    spec.seed = static_cast<uint64_t>(arguments.integer("--seed", 0, INT64_MAX, 1));
    spec.hidden_layers = static_cast<uint32_t>(
        arguments.integer("--layers", 1, 64, static_cast<int64_t>(spec.hidden_layers)));
    spec.outputs = static_cast<uint32_t>(
        arguments.integer("--outputs", 1, 4096, static_cast<int64_t>(spec.outputs)));
    output = *arguments.value("-o");
  } catch (const sotto::gw::UsageError &error) {
    std::cerr << "error: " << error.what() << "\n" << kUsage << "\n";
    return 2;
  }
  try {
    const auto tflite = sotto::gw::tools::synth_tflite(spec);
    sotto::gw::write_file_atomically(output, tflite.data(), tflite.size());
    std::cout << "wrote " << output << ": " << spec.hidden_layers << " x FC "
              << sotto::gw::tools::synth_width(spec) << " + FC " << spec.outputs << ", "
              << tflite.size() << " bytes, seed " << spec.seed << "\n";
  } catch (const std::exception &error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
