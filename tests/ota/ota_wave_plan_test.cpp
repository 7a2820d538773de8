// Wave sizes and the halting rule of rollouts.
#include <gtest/gtest.h>

#include <stdexcept>

#include "wave_plan.h"

namespace sotto::gw {
namespace {

TEST(OtaWavePlan, TwoHundredDevicesInThreeWaves) {
  EXPECT_EQ(wave_sizes(200, {5, 25, 100}), (std::vector<size_t>{10, 40, 150}));
}

TEST(OtaWavePlan, SmallFleetsStillGetOneDevicePerWave) {
  EXPECT_EQ(wave_sizes(3, {5, 25, 100}), (std::vector<size_t>{1, 1, 1}));
  EXPECT_EQ(wave_sizes(1, {5, 25, 100}), (std::vector<size_t>{1}));
  EXPECT_EQ(wave_sizes(0, {5, 25, 100}), (std::vector<size_t>{}));
}

TEST(OtaWavePlan, ParsesCumulativePercentages) {
  EXPECT_EQ(parse_waves("5,25,100"), (std::vector<unsigned>{5, 25, 100}));
  EXPECT_EQ(parse_waves("100"), (std::vector<unsigned>{100}));
  EXPECT_THROW(parse_waves("25,5,100"), std::invalid_argument);
  EXPECT_THROW(parse_waves("5,25"), std::invalid_argument);
  EXPECT_THROW(parse_waves("5,x,100"), std::invalid_argument);
  EXPECT_THROW(parse_waves("0,100"), std::invalid_argument);
  try {
    parse_waves("5,101");
    ADD_FAILURE();
  } catch (const std::invalid_argument &error) {
    EXPECT_STREQ(error.what(), "--waves: '101' is not a percentage 1..100");
  }
}

TEST(OtaWavePlan, HaltsOnlyAboveTheThreshold) {
  // 40 devices at 2%: 0.8 devices may fail, so a single failure halts.
  EXPECT_FALSE(wave_exceeds_failure_limit(0, 40, 2.0));
  EXPECT_TRUE(wave_exceeds_failure_limit(1, 40, 2.0));
  // 150 devices at 2%: three failures are exactly 2% (allowed), four are not.
  EXPECT_FALSE(wave_exceeds_failure_limit(3, 150, 2.0));
  EXPECT_TRUE(wave_exceeds_failure_limit(4, 150, 2.0));
  EXPECT_FALSE(wave_exceeds_failure_limit(0, 0, 2.0));
}

}  // namespace
}  // namespace sotto::gw
