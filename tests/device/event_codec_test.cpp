// The event/health codec in device-sdk/src/events: exact bytes, worst-case sizes, named errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "sotto/messages.h"

namespace {

std::vector<uint8_t> encode(const sotto_event_t &event) {
  uint8_t buffer[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  EXPECT_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_OK);
  return std::vector<uint8_t>(buffer, buffer + len);
}

sotto_event_t soil_threshold_event() {
  sotto_event_t event{};
  event.kind = SOTTO_EVENT_THRESHOLD;
  event.class_id = 2;
  event.score = 200;
  event.seq = 5;
  event.uptime_s = 3600;
  event.reading_count = 1;
  event.readings[0] = {SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE, -150};
  return event;
}

TEST(EventCodec, EncodesAKnownEventToExactBytes) {
  const std::vector<uint8_t> expected = {
      0x08, 0x03,  // kind = THRESHOLD
      0x11, 0x02, 0xc8, 0x05, 0x00, 0x00, 0x10,
      0x0e, 0x00,                                 // core: class 2, score 200, seq 5, 3600 s
      0x1a, 0x05, 0x08, 0x02, 0x10, 0xab, 0x02};  // reading: soil moisture, zigzag(-150)
  EXPECT_EQ(encode(soil_threshold_event()), expected);
}

TEST(EventCodec, RoundTripsAndKeepsThe24BitWireSequence) {
  sotto_event_t event = soil_threshold_event();
  event.seq = 0x01234567;
  event.uptime_s = 0x0abcdef1;
  std::vector<uint8_t> bytes = encode(event);
  sotto_event_t decoded{};
  ASSERT_EQ(sotto_event_decode(bytes.data(), bytes.size(), &decoded), SOTTO_OK);
  EXPECT_EQ(decoded.kind, SOTTO_EVENT_THRESHOLD);
  EXPECT_EQ(decoded.class_id, 2);
  EXPECT_EQ(decoded.score, 200);
  EXPECT_EQ(decoded.seq, 0x234567u);
  EXPECT_EQ(decoded.uptime_s, 0xbcdef1u);
  ASSERT_EQ(decoded.reading_count, 1);
  EXPECT_EQ(decoded.readings[0].quantity, SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE);
  EXPECT_EQ(decoded.readings[0].value, -150);
}

TEST(EventCodec, WorstCaseSizesMatchTheDeclaredBudgets) {
  sotto_event_t event{};
  event.kind = SOTTO_EVENT_HEARTBEAT;
  event.class_id = 255;
  event.score = 255;
  event.seq = UINT32_MAX;
  event.uptime_s = UINT32_MAX;
  EXPECT_EQ(encode(event).size(), 11u);
  event.reading_count = 3;
  for (auto &reading : event.readings) {
    reading = {SOTTO_QUANTITY_ZONE, INT32_MIN};
  }
  EXPECT_EQ(encode(event).size(), 41u);

  sotto_health_t health{UINT32_MAX, UINT32_MAX, UINT16_MAX, UINT16_MAX, UINT32_MAX,
                        UINT32_MAX, UINT32_MAX, UINT16_MAX, UINT32_MAX, UINT8_MAX};
  uint8_t buffer[64];
  size_t len = 0;
  ASSERT_EQ(sotto_health_encode(&health, buffer, sizeof buffer, &len), SOTTO_OK);
  EXPECT_EQ(len, 49u);
  EXPECT_EQ(size_t{SOTTO_HEALTH_MAX_ENCODED_BYTES}, 49u);
}

TEST(EventCodec, EncodeErrorsAreNamed) {
  sotto_event_t event = soil_threshold_event();
  uint8_t buffer[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  event.reading_count = 4;
  EXPECT_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_ERR_INVALID_ARGUMENT);
  event.reading_count = 1;
  event.readings[0].quantity = static_cast<sotto_quantity_t>(6);
  EXPECT_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_ERR_INVALID_ARGUMENT);
  event = soil_threshold_event();
  event.kind = static_cast<sotto_event_kind_t>(0);
  EXPECT_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(sotto_event_encode(nullptr, buffer, sizeof buffer, &len), SOTTO_ERR_INVALID_ARGUMENT);
  EXPECT_STREQ(sotto_err_name(SOTTO_ERR_BUFFER_TOO_SMALL), "SOTTO_ERR_BUFFER_TOO_SMALL");
}

TEST(EventCodec, DecodeErrorsAreNamed) {
  sotto_event_t out{};
  const uint8_t truncated[] = {0x08, 0x03, 0x11, 0x02, 0xc8};  // fixed64 cut after 3 bytes
  EXPECT_EQ(sotto_event_decode(truncated, sizeof truncated, &out), SOTTO_ERR_DECODE);
  const uint8_t wrong_wire_type[] = {0x0a, 0x01, 0x00};  // kind as a length-delimited field
  EXPECT_EQ(sotto_event_decode(wrong_wire_type, sizeof wrong_wire_type, &out), SOTTO_ERR_DECODE);
  const uint8_t four_readings[] = {0x08, 0x01, 0x1a, 0x02, 0x08, 0x01, 0x1a, 0x02, 0x08,
                                   0x01, 0x1a, 0x02, 0x08, 0x01, 0x1a, 0x02, 0x08, 0x01};
  EXPECT_EQ(sotto_event_decode(four_readings, sizeof four_readings, &out), SOTTO_ERR_DECODE);
  EXPECT_EQ(sotto_event_decode(nullptr, 3, &out), SOTTO_ERR_INVALID_ARGUMENT);
  sotto_health_t health{};
  EXPECT_EQ(sotto_health_decode(truncated, sizeof truncated, &health), SOTTO_ERR_DECODE);
  EXPECT_STREQ(sotto_err_name(SOTTO_ERR_DECODE), "SOTTO_ERR_DECODE");
}

// Disabled until event_codec.cpp is fixed (reported to the lead): nanopb does not advance
// bytes_written on "stream full", so encode() reports SOTTO_ERR_ENCODE instead.
TEST(EventCodec, EncodeIntoASmallBufferIsBufferTooSmall) {
  sotto_event_t event = soil_threshold_event();
  uint8_t buffer[10];
  size_t len = 0;
  EXPECT_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_ERR_BUFFER_TOO_SMALL);
}

// Disabled until event_codec.cpp is fixed (reported to the lead): it loads the decoded enum
// fields as enums, and an out-of-range value from the wire is undefined behaviour (UBSan aborts).
TEST(EventCodec, DecodeNamesUnknownKindsAndQuantities) {
  sotto_event_t out{};
  const uint8_t unknown_kind[] = {0x08, 0x09};
  EXPECT_EQ(sotto_event_decode(unknown_kind, sizeof unknown_kind, &out),
            SOTTO_ERR_INVALID_ARGUMENT);
  const uint8_t unknown_quantity[] = {0x08, 0x01, 0x1a, 0x02, 0x08, 0x07};
  EXPECT_EQ(sotto_event_decode(unknown_quantity, sizeof unknown_quantity, &out),
            SOTTO_ERR_INVALID_ARGUMENT);
}

TEST(HealthCodec, EncodesAKnownHealthToExactBytes) {
  sotto_health_t health{};
  health.boot_id = 1;
  health.sdk_version = 100;
  health.events_dropped = 300;
  uint8_t buffer[SOTTO_HEALTH_MAX_ENCODED_BYTES];
  size_t len = 0;
  ASSERT_EQ(sotto_health_encode(&health, buffer, sizeof buffer, &len), SOTTO_OK);
  const std::vector<uint8_t> expected = {0x0d, 0x01, 0x00, 0x00, 0x00,  // boot_id fixed32
                                         0x30, 0x64,                    // sdk_version 100
                                         0x38, 0xac, 0x02};             // events_dropped 300
  EXPECT_EQ(std::vector<uint8_t>(buffer, buffer + len), expected);
  sotto_health_t decoded{};
  ASSERT_EQ(sotto_health_decode(buffer, len, &decoded), SOTTO_OK);
  EXPECT_EQ(decoded.boot_id, 1u);
  EXPECT_EQ(decoded.events_dropped, 300u);
}

TEST(DeviceTag, IsCrc32OfTheId) {
  EXPECT_EQ(sotto_device_tag("123456789"), 0xcbf43926u);  // the CRC-32 check value
  EXPECT_EQ(sotto_device_tag(""), 0u);
}

}  // namespace
