// The digest stand-in self-test (see the header for why it exists).
#include "digest_self_test.h"

#include <mbedtls/sha256.h>

#include "sotto/ota.h"

namespace sotto::gw {

std::array<uint8_t, 32> digest_self_test(const uint8_t *model, size_t model_bytes, uint64_t seed) {
  uint8_t input[kDigestSelfTestInputBytes];
  sotto_ota_self_test_input(seed, input, sizeof input);
  mbedtls_sha256_context context;
  mbedtls_sha256_init(&context);
  mbedtls_sha256_starts_ret(&context, 0);
  mbedtls_sha256_update_ret(&context, input, sizeof input);
  mbedtls_sha256_update_ret(&context, model, model_bytes);
  std::array<uint8_t, 32> digest{};
  mbedtls_sha256_finish_ret(&context, digest.data());
  mbedtls_sha256_free(&context);
  return digest;
}

std::array<uint8_t, 32> digest_self_test_runner(const std::vector<uint8_t> &model, uint64_t seed) {
  return digest_self_test(model.data(), model.size(), seed);
}

}  // namespace sotto::gw
