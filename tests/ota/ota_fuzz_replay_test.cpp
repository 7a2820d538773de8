// Replays deterministic mutations of valid OTA messages through the libFuzzer entry point, so
// every test run exercises the decoders' length checks under ASan/UBSan even without libFuzzer.
#include <gtest/gtest.h>

#include "ota_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace sotto::test {
namespace {

TEST(OtaFuzzReplay, MutatedEnvelopesOffersAndChunksNeverCrash) {
  auto model = make_model(2000, 9);
  auto envelope = gw::make_bundle(fleet_key(), fields_for(model, 2), model).envelope;
  uint32_t x = 12345;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  };
  size_t runs = 0;
  for (uint8_t selector = 0; selector < 3; ++selector) {
    for (int i = 0; i < 3000; ++i) {
      std::vector<uint8_t> input(1, selector);
      input.insert(input.end(), envelope.begin(), envelope.end());
      const uint32_t flips = 1 + next() % 4;
      for (uint32_t f = 0; f < flips; ++f) {
        input[1 + next() % envelope.size()] ^= static_cast<uint8_t>(1u << (next() % 8));
      }
      input.resize(1 + next() % (input.size()));
      EXPECT_EQ(LLVMFuzzerTestOneInput(input.data(), input.size()), 0);
      runs += 1;
    }
  }
  EXPECT_EQ(runs, 9000u);
}

}  // namespace
}  // namespace sotto::test
