// libFuzzer: outside bytes into sotto_event_decode. A decoded event must re-encode within the
// declared budget and decode again to the same fields.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sotto/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sotto_event_t event;
  if (sotto_event_decode(data, size, &event) != SOTTO_OK) {
    return 0;
  }
  if (event.reading_count > SOTTO_EVENT_MAX_READINGS) {
    abort();
  }
  uint8_t buf[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  if (sotto_event_encode(&event, buf, sizeof buf, &len) != SOTTO_OK) {
    abort();
  }
  sotto_event_t again;
  if (sotto_event_decode(buf, len, &again) != SOTTO_OK) {
    abort();
  }
  if (again.kind != event.kind || again.seq != event.seq || again.score != event.score ||
      again.reading_count != event.reading_count) {
    abort();
  }
  return 0;
}
