// libFuzzer: incoming MQTT messages into sotto_device_on_message (topic parsing and dispatch).
// Input: topic bytes, a NUL, then the payload (no NUL: the whole input is the topic).
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sotto/device.h"
#include "sotto/port_ram_storage.h"

namespace {

uint64_t zero_ms(void *) {
  return 0;
}
sotto_err_t accept_publish(void *, const char *, const uint8_t *, size_t) {
  return SOTTO_OK;
}

sotto_device_t *fuzz_device() {
  static uint8_t flash[4 * 256];
  static sotto_ram_storage_t storage;
  static uint8_t queue_memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(4)];
  static sotto_device_t device;
  static bool ready = false;
  if (!ready) {
    sotto_ram_storage_config_t storage_config = {256, sizeof flash, 0, flash, sizeof flash, 0, 0,
                                                 0};
    if (sotto_ram_storage_init(&storage, &storage_config) != SOTTO_OK) {
      abort();
    }
    sotto_device_config_t config;
    memset(&config, 0, sizeof config);
    config.device_id = "soil-7";
    config.site = "farm-north";
    config.ports.clock.now_ms = zero_ms;
    config.ports.storage = sotto_ram_storage_port(&storage);
    config.ports.transport.publish = accept_publish;
    config.queue_buffer = queue_memory;
    config.queue_buffer_bytes = sizeof queue_memory;
    if (sotto_device_init(&device, &config) != SOTTO_OK) {
      abort();
    }
    ready = true;
  }
  return &device;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // The topic goes into its own exact-size buffer so ASan sees any read past its NUL.
  const uint8_t *nul = static_cast<const uint8_t *>(memchr(data, 0, size));
  size_t topic_len = nul != nullptr ? static_cast<size_t>(nul - data) : size;
  char *topic = static_cast<char *>(malloc(topic_len + 1));
  memcpy(topic, data, topic_len);
  topic[topic_len] = '\0';
  const uint8_t *payload = nul != nullptr ? nul + 1 : data + size;
  size_t payload_len = nul != nullptr ? size - topic_len - 1 : 0;
  uint8_t *payload_copy = static_cast<uint8_t *>(malloc(payload_len + 1));
  if (payload_len != 0) {
    memcpy(payload_copy, payload, payload_len);
  }
  (void)sotto_device_on_message(fuzz_device(), topic, payload_copy, payload_len);
  free(payload_copy);
  free(topic);
  return 0;
}
