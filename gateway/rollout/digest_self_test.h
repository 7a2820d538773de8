// The stand-in self-test until the inference engine can run a candidate model: the "output" is
// SHA-256(self-test input (256 bytes from the seed) || model bytes). Signer (`sottoctl model
// sign`) and simulated devices (sotto-sim) call this same function, so a correct model passes
// and a corrupted one, or a device told to fail, does not. It proves transport and plumbing, not
// that the model computes anything.
#ifndef SOTTO_GW_ROLLOUT_DIGEST_SELF_TEST_H
#define SOTTO_GW_ROLLOUT_DIGEST_SELF_TEST_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sotto::gw {

constexpr size_t kDigestSelfTestInputBytes = 256;

std::array<uint8_t, 32> digest_self_test(const uint8_t *model, size_t model_bytes, uint64_t seed);
// As a sign_commands SelfTestRunner.
std::array<uint8_t, 32> digest_self_test_runner(const std::vector<uint8_t> &model, uint64_t seed);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_DIGEST_SELF_TEST_H
