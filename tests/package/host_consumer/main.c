/* Encodes one event with the installed SDK and checks the exact bytes (proto/sotto/v1/event.proto:
 * kind CLASSIFICATION, core = class 1 | score 221 << 8, one temperature reading of 2150 centi-C),
 * decodes them back, and checks a device's topic. Exit 0 and "host consumer ok" when all hold. */
#include <stdio.h>
#include <string.h>

#include "sotto/device.h"
#include "sotto/messages.h"

int main(void) {
  static const uint8_t expected[] = {0x08, 0x02, 0x11, 0x01, 0xdd, 0x00, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x1a, 0x05, 0x08, 0x01, 0x10, 0xcc, 0x21};
  sotto_event_t event;
  memset(&event, 0, sizeof event);
  event.kind = SOTTO_EVENT_CLASSIFICATION;
  event.class_id = 1;
  event.score = 221;
  event.reading_count = 1;
  event.readings[0].quantity = SOTTO_QUANTITY_TEMPERATURE_CENTI_C;
  event.readings[0].value = 2150;
  uint8_t bytes[SOTTO_EVENT_MAX_ENCODED_BYTES];
  size_t len = 0;
  sotto_err_t err = sotto_event_encode(&event, bytes, sizeof bytes, &len);
  if (err != SOTTO_OK) {
    printf("sotto_event_encode: %s\n", sotto_err_name(err));
    return 1;
  }
  if (len != sizeof expected || memcmp(bytes, expected, len) != 0) {
    printf("encoded %zu bytes, not the expected %zu\n", len, sizeof expected);
    return 1;
  }
  sotto_event_t decoded;
  err = sotto_event_decode(bytes, len, &decoded);
  if (err != SOTTO_OK || decoded.kind != SOTTO_EVENT_CLASSIFICATION || decoded.score != 221 ||
      decoded.readings[0].value != 2150) {
    printf("decode: %s\n", sotto_err_name(err));
    return 1;
  }
  if (!sotto_id_is_valid("node-1") || sotto_id_is_valid("Node_1")) {
    printf("sotto_id_is_valid disagrees with [a-z0-9][a-z0-9-]{0,31}\n");
    return 1;
  }
  printf("host consumer ok: %zu bytes, SDK %d.%d.%d\n", len, SOTTO_SDK_VERSION_MAJOR,
         SOTTO_SDK_VERSION_MINOR, SOTTO_SDK_VERSION_PATCH);
  return 0;
}
