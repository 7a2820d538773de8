// On-target: the event/health codec (device-sdk/src/events) gives the same bytes everywhere.
#include "sotto/messages.h"
#include "sotto_test.h"

static sotto_event_t soil_threshold_event(void) {
  sotto_event_t event;
  memset(&event, 0, sizeof event);
  event.kind = SOTTO_EVENT_THRESHOLD;
  event.class_id = 2;
  event.score = 200;
  event.seq = 5;
  event.uptime_s = 3600;
  event.reading_count = 1;
  event.readings[0].quantity = SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE;
  event.readings[0].value = -150;
  return event;
}

static void encodes_known_event_to_exact_bytes(void) {
  static const uint8_t expected[] = {0x08, 0x03, 0x11, 0x02, 0xc8, 0x05, 0x00, 0x00, 0x10,
                                     0x0e, 0x00, 0x1a, 0x05, 0x08, 0x02, 0x10, 0xab, 0x02};
  sotto_event_t event = soil_threshold_event();
  uint8_t buffer[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  CHECK_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_OK);
  CHECK_EQ(len, sizeof expected);
  CHECK_BYTES(buffer, expected, sizeof expected);
}

static void round_trips_with_24_bit_wire_sequence(void) {
  sotto_event_t event = soil_threshold_event();
  event.seq = 0x01234567;
  event.uptime_s = 0x0abcdef1;
  uint8_t buffer[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  CHECK_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_OK);
  sotto_event_t decoded;
  CHECK_EQ(sotto_event_decode(buffer, len, &decoded), SOTTO_OK);
  CHECK_EQ(decoded.kind, SOTTO_EVENT_THRESHOLD);
  CHECK_EQ(decoded.class_id, 2);
  CHECK_EQ(decoded.score, 200);
  CHECK_EQ(decoded.seq, 0x234567);
  CHECK_EQ(decoded.uptime_s, 0xbcdef1);
  CHECK_EQ(decoded.reading_count, 1);
  CHECK_EQ(decoded.readings[0].quantity, SOTTO_QUANTITY_SOIL_MOISTURE_PERMILLE);
  CHECK_EQ(decoded.readings[0].value, -150);
}

static void worst_case_sizes_match_budgets(void) {
  sotto_event_t event;
  memset(&event, 0, sizeof event);
  event.kind = SOTTO_EVENT_HEARTBEAT;
  event.class_id = 255;
  event.score = 255;
  event.seq = UINT32_MAX;
  event.uptime_s = UINT32_MAX;
  uint8_t buffer[64];
  size_t len = 0;
  CHECK_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_OK);
  CHECK_EQ(len, 11);
  event.reading_count = 3;
  for (int i = 0; i < 3; ++i) {
    event.readings[i].quantity = SOTTO_QUANTITY_ZONE;
    event.readings[i].value = INT32_MIN;
  }
  CHECK_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_OK);
  CHECK_EQ(len, 41);
  sotto_health_t health = {UINT32_MAX, UINT32_MAX, UINT16_MAX, UINT16_MAX, UINT32_MAX,
                           UINT32_MAX, UINT32_MAX, UINT16_MAX, UINT32_MAX, UINT8_MAX};
  CHECK_EQ(sotto_health_encode(&health, buffer, sizeof buffer, &len), SOTTO_OK);
  CHECK_EQ(len, 49);
  sotto_health_t decoded;
  CHECK_EQ(sotto_health_decode(buffer, len, &decoded), SOTTO_OK);
  CHECK_EQ(decoded.device_tag, UINT32_MAX);
  CHECK_EQ(decoded.events_queued, UINT16_MAX);
}

static void rejects_bad_input_with_named_errors(void) {
  sotto_event_t event = soil_threshold_event();
  event.reading_count = 4;
  uint8_t buffer[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  CHECK_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &len), SOTTO_ERR_INVALID_ARGUMENT);
  static const uint8_t garbage[] = {0x0a, 0xff, 0x01};  // length-delimited field past the end
  sotto_event_t decoded;
  CHECK_EQ(sotto_event_decode(garbage, sizeof garbage, &decoded), SOTTO_ERR_DECODE);
  CHECK_EQ(sotto_device_tag("pump-7"), 0x8ef87bb3u);
  CHECK(sotto_device_tag("pump-7") != sotto_device_tag("pump-8"));
}

SOTTO_TESTS_BEGIN
SOTTO_TEST(encodes_known_event_to_exact_bytes)
SOTTO_TEST(round_trips_with_24_bit_wire_sequence)
SOTTO_TEST(worst_case_sizes_match_budgets)
SOTTO_TEST(rejects_bad_input_with_named_errors)
SOTTO_TESTS_END
