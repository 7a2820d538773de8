// Topic shapes and ids the gateway accepts.
#include <gtest/gtest.h>

#include "serial_number.h"
#include "topic.h"

namespace sotto::gw {
namespace {

TEST(Topic, EventHealthAndOtaStatusParse) {
  auto event = parse_topic("sotto/v1/farm-north/soil-07/event");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->site, "farm-north");
  EXPECT_EQ(event->device, "soil-07");
  EXPECT_EQ(event->channel, Channel::kEvent);
  EXPECT_EQ(parse_topic("sotto/v1/a/b/health")->channel, Channel::kHealth);
  EXPECT_EQ(parse_topic("sotto/v1/a/b/ota/status")->channel, Channel::kOtaStatus);
}

TEST(Topic, OtherShapesAreRejected) {
  for (const char *topic : {"sotto/v1/a/event", "sotto/v2/a/b/event", "sotto/v1/a/b/telemetry",
                            "sotto/v1/a/b/event/extra", "sotto/v1/a/b/ota/chunk",
                            "sotto/v1//b/event", "other/v1/a/b/event", ""}) {
    EXPECT_FALSE(parse_topic(topic)) << topic;
  }
}

TEST(Topic, IdsFollowTheRule) {
  EXPECT_TRUE(is_valid_id("a"));
  EXPECT_TRUE(is_valid_id("plant-1"));
  EXPECT_TRUE(is_valid_id(std::string(32, 'x')));
  EXPECT_FALSE(is_valid_id(std::string(33, 'x')));
  EXPECT_FALSE(is_valid_id("-leading"));
  EXPECT_FALSE(is_valid_id("Upper"));
  EXPECT_FALSE(is_valid_id("under_score"));
  EXPECT_FALSE(is_valid_id(""));
}

TEST(SerialNumber, WidensAcrossWrapsAndKeepsLateValues) {
  EXPECT_EQ(widen_serial(0, 0, 24), 0u);
  EXPECT_EQ(widen_serial(41, 42, 24), 42u);
  EXPECT_EQ(widen_serial(0xfffff0, 0x000004, 24), 0x1000004u);   // forward over the wrap
  EXPECT_EQ(widen_serial(0x1000004, 0xfffff0, 24), 0xfffff0u);   // a redelivery from before it
  EXPECT_EQ(widen_serial(0x3000010, 0x000008, 24), 0x3000008u);  // late within a later epoch
  EXPECT_EQ(widen_serial(5, 0x800005, 24), 0x800005u);           // exactly half ahead is forward
}

}  // namespace
}  // namespace sotto::gw
