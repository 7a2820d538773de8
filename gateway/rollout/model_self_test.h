// The signer's side of the OTA self-test: runs a .smdl through the device SDK's own
// sotto_ota_model_self_test on the host, so the digest a manifest promises is the one a device
// computes with the same engine and the same input stream.
#ifndef SOTTO_GW_ROLLOUT_MODEL_SELF_TEST_H
#define SOTTO_GW_ROLLOUT_MODEL_SELF_TEST_H

#include <array>
#include <cstdint>
#include <vector>

namespace sotto::gw {

// SHA-256 of the model's output on sotto_ota_self_test_input(seed). Throws std::runtime_error
// naming the SDK's reason when the bytes are not a loadable .smdl or the model does not run.
// Usable as a sign_commands SelfTestRunner.
std::array<uint8_t, 32> model_self_test(const std::vector<uint8_t> &model, uint64_t seed);

}  // namespace sotto::gw

#endif  // SOTTO_GW_ROLLOUT_MODEL_SELF_TEST_H
