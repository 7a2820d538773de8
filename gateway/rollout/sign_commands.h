// The operator commands around signing, as functions h2's sottoctl dispatcher calls:
//   sottoctl keygen --out DIR
//   sottoctl model sign MODEL.smdl --key KEY --version N --target-class CLASS -o BUNDLE
//            [--model-id N] [--min-sdk N] [--self-test-seed N] [--expected-output-sha256 HEX]
// args are the words after the command name. Each returns the process exit status (0 ok,
// 2 usage error, 1 failure) and never throws.
#ifndef SOTTO_GW_ROLLOUT_SIGN_COMMANDS_H
#define SOTTO_GW_ROLLOUT_SIGN_COMMANDS_H

#include <array>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace sotto::gw {

// Runs a model on the self-test input (sotto_ota_self_test_input(seed)) and returns the SHA-256
// of its output; throws std::runtime_error when the model cannot run. Supplied by the inference
// engine (h3); without one, model sign needs --expected-output-sha256.
using SelfTestRunner =
    std::function<std::array<uint8_t, 32>(const std::vector<uint8_t> &model, uint64_t seed)>;

int keygen_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int model_sign_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err,
                       const SelfTestRunner &self_test = nullptr);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_SIGN_COMMANDS_H
