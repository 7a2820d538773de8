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
// of its output; throws std::runtime_error when the model cannot run. sottoctl passes
// model_self_test (model_self_test.h), the device SDK's own self-test. With a runner, a model it
// cannot run is never signed and --expected-output-sha256 only double-checks the result;
// without one (tests of the command alone), --expected-output-sha256 is required.
using SelfTestRunner =
    std::function<std::array<uint8_t, 32>(const std::vector<uint8_t> &model, uint64_t seed)>;

int keygen_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int model_sign_command(const std::vector<std::string> &args, std::ostream &out, std::ostream &err,
                       const SelfTestRunner &self_test = nullptr);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_SIGN_COMMANDS_H
