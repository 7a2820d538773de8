// The OTA fuzz harnesses without libFuzzer: their seeds must still reach the outcome each was
// written for (most behind a valid signature, which makes the corpora's coverage claim
// checkable), and deterministic mutations of valid messages run through them under ASan/UBSan
// on every test run.
#include <gtest/gtest.h>

#include <set>

#include "ota_fixture.h"
#include "ota_fuzz_inputs.h"

namespace sotto::test {
namespace {

// The answers that only come after the signature verified.
bool behind_signature(const fuzz::FuzzSeed &seed) {
  return seed.outcome != SOTTO_ERR_OTA_WRONG_KEY && seed.outcome != SOTTO_ERR_OTA_KEY_REVOKED &&
         seed.name.find("undecodable") == std::string::npos &&
         seed.name.find("chunk") == std::string::npos;
}

void expect_seeds_reach_their_outcomes(const std::vector<fuzz::FuzzSeed> &seeds,
                                       sotto_err_t (*harness)(const uint8_t *, size_t),
                                       const std::set<sotto_err_t> &expected_outcomes) {
  std::set<sotto_err_t> reached;
  for (const fuzz::FuzzSeed &seed : seeds) {
    EXPECT_EQ(harness(seed.input.data(), seed.input.size()), seed.outcome)
        << seed.name << ": " << sotto_err_name(seed.outcome);
    if (behind_signature(seed)) {
      reached.insert(seed.outcome);
    }
  }
  EXPECT_EQ(reached, expected_outcomes);
}

TEST(OtaFuzzSeeds, EnvelopeSeedsReachEveryCheckBehindTheSignature) {
  const auto seeds = fuzz::envelope_seeds();
  EXPECT_EQ(seeds.size(), 16u);
  expect_seeds_reach_their_outcomes(
      seeds, fuzz::envelope_fuzz_one,
      {SOTTO_OK, SOTTO_ERR_OTA_WRONG_DEVICE_CLASS, SOTTO_ERR_OTA_SDK_TOO_OLD,
       SOTTO_ERR_OTA_VERSION_NOT_NEWER, SOTTO_ERR_OTA_TOO_LARGE, SOTTO_ERR_OTA_BAD_MANIFEST});
}

TEST(OtaFuzzSeeds, KeyRotationSeedsReachEveryCheckBehindTheSignature) {
  const auto seeds = fuzz::key_rotation_seeds();
  EXPECT_EQ(seeds.size(), 13u);
  expect_seeds_reach_their_outcomes(seeds, fuzz::key_rotation_fuzz_one,
                                    {SOTTO_OK, SOTTO_ERR_OTA_VERSION_NOT_NEWER,
                                     SOTTO_ERR_OTA_BAD_MANIFEST, SOTTO_ERR_OTA_BAD_SIGNATURE});
}

// Mutations: up to four flipped bits, then a random truncation, of every seed.
void replay_mutations(const std::vector<fuzz::FuzzSeed> &seeds,
                      sotto_err_t (*harness)(const uint8_t *, size_t), int per_seed) {
  uint32_t x = 12345;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  };
  for (const fuzz::FuzzSeed &seed : seeds) {
    for (int i = 0; i < per_seed; ++i) {
      std::vector<uint8_t> input = seed.input;
      const uint32_t flips = 1 + next() % 4;
      for (uint32_t f = 0; f < flips; ++f) {
        input[1 + next() % (input.size() - 1)] ^= static_cast<uint8_t>(1u << (next() % 8));
      }
      input.resize(1 + next() % input.size());
      (void)harness(input.data(), input.size());  // must not crash or trip a sanitizer
    }
  }
}

TEST(OtaFuzzReplay, MutatedEnvelopesOffersAndChunksNeverCrash) {
  replay_mutations(fuzz::envelope_seeds(), fuzz::envelope_fuzz_one, 60);
}

TEST(OtaFuzzReplay, MutatedKeyRotationsNeverCrash) {
  replay_mutations(fuzz::key_rotation_seeds(), fuzz::key_rotation_fuzz_one, 60);
}

}  // namespace
}  // namespace sotto::test
