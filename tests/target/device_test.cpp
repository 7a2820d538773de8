// On-target: the device runtime (sotto_device) with the RAM NOR storage port, a manual clock
// and a recording transport: Health first, ordered delivery, outage, backoff and resend, boot
// counter persistence, topic validation.
#include "sotto/device.h"
#include "sotto/port_ram_storage.h"
#include "sotto_test.h"

namespace {

struct Link {
  int up;
  uint32_t published;
  uint32_t health_published;
  uint8_t last_class[16];
  uint32_t events;
};

Link link;
uint64_t now_ms;
uint8_t flash_memory[256 * 4];
sotto_ram_storage_t storage;
uint8_t queue_memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(8)];
sotto_device_t device;

uint64_t manual_now_ms(void *) {
  return now_ms;
}

bool ends_with(const char *text, const char *suffix) {
  size_t a = strlen(text), b = strlen(suffix);
  return a >= b && strcmp(text + a - b, suffix) == 0;
}

sotto_err_t record_publish(void *, const char *topic, const uint8_t *payload, size_t len) {
  if (!link.up) {
    return SOTTO_ERR_TRANSPORT;
  }
  ++link.published;
  if (ends_with(topic, "/health")) {
    sotto_health_t health;
    CHECK_EQ(sotto_health_decode(payload, len, &health), SOTTO_OK);
    ++link.health_published;
  } else {
    CHECK(strcmp(topic, "sotto/v1/farm-north/soil-7/event") == 0);
    sotto_event_t event;
    CHECK_EQ(sotto_event_decode(payload, len, &event), SOTTO_OK);
    CHECK_EQ(event.seq, link.events);
    if (link.events < 16) {
      link.last_class[link.events] = event.class_id;
    }
    ++link.events;
  }
  return SOTTO_OK;
}

sotto_err_t boot(bool erase_flash) {
  memset(&link, 0, sizeof link);
  link.up = 1;
  if (erase_flash) {
    sotto_ram_storage_config_t config = {
        256, sizeof flash_memory, 0, flash_memory, sizeof flash_memory, 0, 0, 0};
    CHECK_EQ(sotto_ram_storage_init(&storage, &config), SOTTO_OK);
  }
  sotto_device_config_t config;
  memset(&config, 0, sizeof config);
  config.device_id = "soil-7";
  config.site = "farm-north";
  config.device_class = 3;
  config.ports.clock.now_ms = manual_now_ms;
  config.ports.storage = sotto_ram_storage_port(&storage);
  config.ports.transport.publish = record_publish;
  config.queue_buffer = queue_memory;
  config.queue_buffer_bytes = sizeof queue_memory;
  config.queue_max_events = 8;
  return sotto_device_init(&device, &config);
}

sotto_err_t emit(uint8_t class_id) {
  sotto_event_t event;
  memset(&event, 0, sizeof event);
  event.kind = SOTTO_EVENT_THRESHOLD;
  event.class_id = class_id;
  event.score = 100;
  return sotto_device_emit(&device, &event);
}

void publishes_health_first_then_events_in_order() {
  CHECK_EQ(boot(true), SOTTO_OK);
  for (uint8_t i = 0; i < 3; ++i) {
    CHECK_EQ(emit(static_cast<uint8_t>(10 + i)), SOTTO_OK);
  }
  CHECK_EQ(sotto_device_poll(&device), SOTTO_OK);
  CHECK_EQ(link.published, 4);
  CHECK_EQ(link.health_published, 1);
  CHECK_EQ(link.events, 3);
  CHECK_EQ(link.last_class[2], 12);
  sotto_device_stats_t stats;
  CHECK_EQ(sotto_device_get_stats(&device, &stats), SOTTO_OK);
  CHECK_EQ(stats.delivered, 3);
  CHECK_EQ(stats.queued, 0);
  CHECK_EQ(stats.boot_counter, 1);
}

void outage_keeps_events_and_resends_health() {
  CHECK_EQ(boot(true), SOTTO_OK);
  CHECK_EQ(sotto_device_poll(&device), SOTTO_OK);
  link.up = 0;
  for (uint8_t i = 0; i < 10; ++i) {
    CHECK_EQ(emit(i), SOTTO_OK);
  }
  CHECK_EQ(sotto_device_poll(&device), SOTTO_ERR_TRANSPORT);
  sotto_device_stats_t stats;
  CHECK_EQ(sotto_device_get_stats(&device, &stats), SOTTO_OK);
  CHECK_EQ(stats.queued, 8);
  CHECK_EQ(stats.dropped, 2);
  link.up = 1;
  link.events = 2;  // the two oldest (seq 0 and 1) were dropped
  CHECK_EQ(sotto_device_poll(&device), SOTTO_ERR_TRANSPORT);  // backing off: nothing tried
  CHECK_EQ(link.published, 1);
  now_ms += SOTTO_RECONNECT_MIN_DELAY_MS_DEFAULT;  // the first retry waits at most this
  CHECK_EQ(sotto_device_poll(&device), SOTTO_OK);
  CHECK_EQ(link.health_published, 2);
  CHECK_EQ(link.events, 10);
}

void boot_counter_survives_reboot() {
  CHECK_EQ(boot(true), SOTTO_OK);
  CHECK_EQ(boot(false), SOTTO_OK);
  CHECK_EQ(boot(false), SOTTO_OK);
  sotto_device_stats_t stats;
  CHECK_EQ(sotto_device_get_stats(&device, &stats), SOTTO_OK);
  CHECK_EQ(stats.boot_counter, 3);
  CHECK_EQ(stats.boot_id, 3);
}

void rejects_foreign_topics_and_bad_ids() {
  CHECK_EQ(boot(true), SOTTO_OK);
  uint8_t payload[1] = {0};
  CHECK_EQ(sotto_device_on_message(&device, "sotto/v1/farm-north/other/x", payload, 1),
           SOTTO_ERR_INVALID_ARGUMENT);
  CHECK_EQ(sotto_device_on_message(&device, "sotto/v1/farm-north/soil-7/nothing", payload, 1),
           SOTTO_ERR_UNHANDLED_TOPIC);
  CHECK_EQ(sotto_id_is_valid("soil-7"), 1);
  CHECK_EQ(sotto_id_is_valid("Soil-7"), 0);
  CHECK_EQ(sotto_id_is_valid("-soil"), 0);
}

}  // namespace

SOTTO_TESTS_BEGIN
SOTTO_TEST(publishes_health_first_then_events_in_order)
SOTTO_TEST(outage_keeps_events_and_resends_health)
SOTTO_TEST(boot_counter_survives_reboot)
SOTTO_TEST(rejects_foreign_topics_and_bad_ids)
SOTTO_TESTS_END
