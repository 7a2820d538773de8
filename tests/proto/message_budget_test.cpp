// Worst-case encoded sizes of every uplink message against its radio budget (OtaStatus: tests/ota),
// and of the key rotation against its envelope.
#include <gtest/gtest.h>
#include <pb_encode.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "sotto/messages.h"
#include "sotto/v1/event.pb.h"
#include "sotto/v1/health.pb.h"
#include "sotto/v1/key_rotation.pb.h"

namespace {

constexpr size_t kLoraEu868Dr0Bytes = 51;  // EU868 DR0-2 maximum application payload
constexpr size_t kLoraUs915Dr0Bytes = 11;  // US915 DR0, MAC commands included

template <typename Message>
size_t encoded_size(const pb_msgdesc_t *fields, const Message &message) {
  std::vector<uint8_t> buffer(256);
  pb_ostream_t stream = pb_ostream_from_buffer(buffer.data(), buffer.size());
  EXPECT_TRUE(pb_encode(&stream, fields, &message)) << PB_GET_ERROR(&stream);
  return stream.bytes_written;
}

sotto_v1_Event worst_case_core() {
  sotto_v1_Event event = sotto_v1_Event_init_zero;
  event.kind = sotto_v1_EventKind_EVENT_KIND_HEARTBEAT;  // the largest kind value
  event.core = std::numeric_limits<uint64_t>::max();
  return event;
}

TEST(MessageBudget, CoreEventFitsUs915Dr0) {
  EXPECT_EQ(encoded_size(sotto_v1_Event_fields, worst_case_core()), 11u);
  EXPECT_LE(SOTTO_EVENT_CORE_MAX_ENCODED_BYTES, kLoraUs915Dr0Bytes);
}

TEST(MessageBudget, FullEventFitsEu868Dr0) {
  sotto_v1_Event event = worst_case_core();
  event.readings_count = 3;
  for (auto &reading : event.readings) {
    reading.quantity = sotto_v1_Quantity_QUANTITY_ZONE;   // the largest quantity value
    reading.value = std::numeric_limits<int32_t>::min();  // zigzag's longest encoding
  }
  EXPECT_EQ(encoded_size(sotto_v1_Event_fields, event), size_t{sotto_v1_Event_size});
  EXPECT_EQ(sotto_v1_Event_size, 41);
  EXPECT_LE(size_t{sotto_v1_Event_size}, kLoraEu868Dr0Bytes);
}

TEST(MessageBudget, HealthFitsEu868Dr0) {
  sotto_v1_Health health = sotto_v1_Health_init_zero;
  health.boot_id = UINT32_MAX;
  health.uptime_s = UINT32_MAX;
  health.battery_mv = UINT16_MAX;
  health.model_id = UINT16_MAX;
  health.model_version = UINT32_MAX;
  health.sdk_version = UINT32_MAX;
  health.events_dropped = UINT32_MAX;
  health.events_queued = UINT16_MAX;
  health.device_tag = UINT32_MAX;
  health.device_class = UINT8_MAX;
  EXPECT_EQ(encoded_size(sotto_v1_Health_fields, health), size_t{sotto_v1_Health_size});
  EXPECT_EQ(sotto_v1_Health_size, 49);
  EXPECT_LE(size_t{sotto_v1_Health_size}, kLoraEu868Dr0Bytes);
}

// Downlink: the signed bytes of a key rotation must fit the envelope field that carries them
// (key_rotation.options), so that every rotation the gateway can sign reaches the device whole.
TEST(MessageBudget, WorstCaseKeyRotationFitsItsEnvelope) {
  sotto_v1_KeyRotation rotation = sotto_v1_KeyRotation_init_zero;
  rotation.key_list_version = UINT32_MAX;
  rotation.has_retire_key_id = true;
  rotation.retire_key_id = UINT32_MAX;
  EXPECT_EQ(encoded_size(sotto_v1_KeyRotation_fields, rotation), size_t{sotto_v1_KeyRotation_size});
  EXPECT_EQ(sotto_v1_KeyRotation_size, 78);
  EXPECT_EQ(sizeof(sotto_v1_SignedKeyRotation{}.rotation.bytes), size_t{sotto_v1_KeyRotation_size});
}

TEST(MessageBudget, SdkCodecProducesTheWorstCaseItDeclares) {
  sotto_event_t event = {};
  event.kind = SOTTO_EVENT_HEARTBEAT;
  event.class_id = 255;
  event.score = 255;
  event.seq = UINT32_MAX;
  event.uptime_s = UINT32_MAX;
  event.reading_count = SOTTO_EVENT_MAX_READINGS;
  for (auto &reading : event.readings) {
    reading.quantity = SOTTO_QUANTITY_ZONE;
    reading.value = INT32_MIN;
  }
  uint8_t buffer[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t length = 0;
  ASSERT_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &length), SOTTO_OK);
  EXPECT_EQ(length, size_t{SOTTO_EVENT_MAX_ENCODED_BYTES});

  event.reading_count = 0;
  ASSERT_EQ(sotto_event_encode(&event, buffer, sizeof buffer, &length), SOTTO_OK);
  EXPECT_EQ(length, size_t{SOTTO_EVENT_CORE_MAX_ENCODED_BYTES});
}

}  // namespace
