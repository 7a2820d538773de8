// libFuzzer: outside bytes into sotto_health_decode. A decoded Health must re-encode within
// SOTTO_HEALTH_MAX_ENCODED_BYTES and decode to the same fields.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sotto/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sotto_health_t health;
  if (sotto_health_decode(data, size, &health) != SOTTO_OK) {
    return 0;
  }
  uint8_t buf[SOTTO_HEALTH_MAX_ENCODED_BYTES];
  size_t len = 0;
  if (sotto_health_encode(&health, buf, sizeof buf, &len) != SOTTO_OK) {
    abort();
  }
  sotto_health_t again;
  if (sotto_health_decode(buf, len, &again) != SOTTO_OK) {
    abort();
  }
  if (again.boot_id != health.boot_id || again.device_tag != health.device_tag ||
      again.events_dropped != health.events_dropped) {
    abort();
  }
  return 0;
}
