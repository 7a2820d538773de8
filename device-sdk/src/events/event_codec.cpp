// Encodes and decodes Event and Health with nanopb, and packs the 11-byte event core.
#include <pb_decode.h>
#include <pb_encode.h>
#include <string.h>

#include "common/crc32.h"
#include "sotto/messages.h"
#include "sotto/v1/event.pb.h"
#include "sotto/v1/health.pb.h"

static_assert(sotto_v1_Event_size == SOTTO_EVENT_MAX_ENCODED_BYTES, "event budget drifted");
static_assert(sotto_v1_Health_size == SOTTO_HEALTH_MAX_ENCODED_BYTES, "health budget drifted");
static_assert(SOTTO_EVENT_MAX_READINGS ==
                  sizeof(sotto_v1_Event::readings) / sizeof(sotto_v1_Event::readings[0]),
              "reading bound differs from event.options");

namespace {

constexpr uint64_t kWireMask24 = (1u << SOTTO_EVENT_WIRE_SEQ_BITS) - 1u;

bool is_known_kind(int kind) {
  return kind >= SOTTO_EVENT_ANOMALY && kind <= SOTTO_EVENT_HEARTBEAT;
}

bool is_known_quantity(int quantity) {
  return quantity >= SOTTO_QUANTITY_TEMPERATURE_CENTI_C && quantity <= SOTTO_QUANTITY_ZONE;
}

uint64_t pack_core(const sotto_event_t &event) {
  return static_cast<uint64_t>(event.class_id) | (static_cast<uint64_t>(event.score) << 8) |
         ((static_cast<uint64_t>(event.seq) & kWireMask24) << 16) |
         ((static_cast<uint64_t>(event.uptime_s) & kWireMask24) << 40);
}

void unpack_core(uint64_t core, sotto_event_t *event) {
  event->class_id = static_cast<uint8_t>(core & 0xffu);
  event->score = static_cast<uint8_t>((core >> 8) & 0xffu);
  event->seq = static_cast<uint32_t>((core >> 16) & kWireMask24);
  event->uptime_s = static_cast<uint32_t>((core >> 40) & kWireMask24);
}

// Values read from the wire into nanopb's enum-typed fields may lie outside the enum's range;
// reading them as the enum type would be undefined behaviour, so copy out the raw bits.
template <typename Enum>
int raw_enum_value(const Enum &field) {
  static_assert(sizeof(Enum) == sizeof(int), "nanopb enums are int-sized");
  int value = 0;
  memcpy(&value, &field, sizeof value);
  return value;
}

sotto_err_t encode(const pb_msgdesc_t *fields, const void *message, uint8_t *buf, size_t buf_size,
                   size_t *out_len) {
  // nanopb stops counting at a full stream, so measure first to name the cause exactly.
  size_t needed = 0;
  if (!pb_get_encoded_size(&needed, fields, message)) return SOTTO_ERR_ENCODE;
  if (needed > buf_size) return SOTTO_ERR_BUFFER_TOO_SMALL;
  pb_ostream_t stream = pb_ostream_from_buffer(buf, buf_size);
  if (!pb_encode(&stream, fields, message)) return SOTTO_ERR_ENCODE;
  *out_len = stream.bytes_written;
  return SOTTO_OK;
}

}  // namespace

extern "C" sotto_err_t sotto_event_encode(const sotto_event_t *event, uint8_t *buf, size_t buf_size,
                                          size_t *out_len) {
  if (event == nullptr || buf == nullptr || out_len == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  if (!is_known_kind(event->kind) || event->reading_count > SOTTO_EVENT_MAX_READINGS) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  sotto_v1_Event wire = sotto_v1_Event_init_zero;
  wire.kind = static_cast<sotto_v1_EventKind>(event->kind);
  wire.core = pack_core(*event);
  wire.readings_count = event->reading_count;
  for (uint8_t i = 0; i < event->reading_count; ++i) {
    if (!is_known_quantity(event->readings[i].quantity)) return SOTTO_ERR_INVALID_ARGUMENT;
    wire.readings[i].quantity = static_cast<sotto_v1_Quantity>(event->readings[i].quantity);
    wire.readings[i].value = event->readings[i].value;
  }
  return encode(sotto_v1_Event_fields, &wire, buf, buf_size, out_len);
}

extern "C" sotto_err_t sotto_event_decode(const uint8_t *buf, size_t len, sotto_event_t *out) {
  if ((buf == nullptr && len != 0) || out == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  sotto_v1_Event wire = sotto_v1_Event_init_zero;
  pb_istream_t stream = pb_istream_from_buffer(buf, len);
  if (!pb_decode(&stream, sotto_v1_Event_fields, &wire)) return SOTTO_ERR_DECODE;
  const int kind = raw_enum_value(wire.kind);
  if (!is_known_kind(kind)) return SOTTO_ERR_INVALID_ARGUMENT;
  memset(out, 0, sizeof(*out));
  out->kind = static_cast<sotto_event_kind_t>(kind);
  unpack_core(wire.core, out);
  out->reading_count = static_cast<uint8_t>(wire.readings_count);
  for (pb_size_t i = 0; i < wire.readings_count; ++i) {
    const int quantity = raw_enum_value(wire.readings[i].quantity);
    if (!is_known_quantity(quantity)) return SOTTO_ERR_INVALID_ARGUMENT;
    out->readings[i].quantity = static_cast<sotto_quantity_t>(quantity);
    out->readings[i].value = wire.readings[i].value;
  }
  return SOTTO_OK;
}

extern "C" sotto_err_t sotto_health_encode(const sotto_health_t *health, uint8_t *buf,
                                           size_t buf_size, size_t *out_len) {
  if (health == nullptr || buf == nullptr || out_len == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  sotto_v1_Health wire = sotto_v1_Health_init_zero;
  wire.boot_id = health->boot_id;
  wire.uptime_s = health->uptime_s;
  wire.battery_mv = health->battery_mv;
  wire.model_id = health->model_id;
  wire.model_version = health->model_version;
  wire.sdk_version = health->sdk_version;
  wire.events_dropped = health->events_dropped;
  wire.events_queued = health->events_queued;
  wire.device_tag = health->device_tag;
  wire.device_class = health->device_class;
  return encode(sotto_v1_Health_fields, &wire, buf, buf_size, out_len);
}

extern "C" sotto_err_t sotto_health_decode(const uint8_t *buf, size_t len, sotto_health_t *out) {
  if ((buf == nullptr && len != 0) || out == nullptr) return SOTTO_ERR_INVALID_ARGUMENT;
  sotto_v1_Health wire = sotto_v1_Health_init_zero;
  pb_istream_t stream = pb_istream_from_buffer(buf, len);
  if (!pb_decode(&stream, sotto_v1_Health_fields, &wire)) return SOTTO_ERR_DECODE;
  out->boot_id = wire.boot_id;
  out->uptime_s = wire.uptime_s;
  out->battery_mv = wire.battery_mv;
  out->model_id = wire.model_id;
  out->model_version = wire.model_version;
  out->sdk_version = wire.sdk_version;
  out->events_dropped = wire.events_dropped;
  out->events_queued = wire.events_queued;
  out->device_tag = wire.device_tag;
  out->device_class = wire.device_class;
  return SOTTO_OK;
}

extern "C" uint32_t sotto_device_tag(const char *device_id) {
  const size_t len = device_id == nullptr ? 0 : strlen(device_id);
  return sotto::crc32(reinterpret_cast<const uint8_t *>(device_id), len);
}
