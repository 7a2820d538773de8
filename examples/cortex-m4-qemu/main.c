/* sensor-node: initialises a sotto device, runs the model linked into flash on one input, and
 * emits the winning class as a CLASSIFICATION event with a temperature reading.
 *
 * Console lines (the bench test reads them):
 *   input <bytes>          the input tensor's size; byte i holds (i * 37 + 11) mod 256
 *   output <hex>           the output tensor, as sottoctl model run computes it on the host
 *   class <c> score <s>    the event's class (arg max) and score (output + 128)
 *   publish <topic> <hex>  every message the device sent (Health first, then the event)
 *   done                   then exit 0; "error: <step>: <SOTTO_ERR_...>" and exit 1 on failure */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "sotto/device.h"
#include "sotto/model.h"
#include "sotto_board_port.h"
#include "systick_clock.h"

extern const uint8_t sensor_model_smdl[];
extern const uint8_t sensor_model_smdl_end[];

static uint8_t queue_memory[SOTTO_QUEUE_BYTES_FOR_EVENTS(16)];
static sotto_device_t device;
static sotto_model_t model;
static uint32_t arena[4096]; /* 16 KB, 4-byte aligned; checked against the model below */

static void check(sotto_err_t err, const char *step) {
  if (err == SOTTO_OK) return;
  board_print("error: ");
  board_print(step);
  board_print(": ");
  board_print(sotto_err_name(err));
  board_print("\n");
  board_exit(1);
}

/* Stands in for the sensor: a fixed pattern the host side can recreate. */
static void fill_features(int8_t *features, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) features[i] = (int8_t)(uint8_t)(i * 37u + 11u);
}

int main(void) {
  board_init();
  sotto_port_systick_start();

  sotto_device_config_t config;
  memset(&config, 0, sizeof config);
  config.device_id = "node-1";
  config.site = "lab";
  config.device_class = 1;
  config.ports = sotto_board_ports(sotto_port_systick_clock());
  config.queue_buffer = queue_memory;
  config.queue_buffer_bytes = sizeof queue_memory;
  check(sotto_device_init(&device, &config), "sotto_device_init");

  size_t model_bytes = (size_t)(sensor_model_smdl_end - sensor_model_smdl);
  check(sotto_model_open(&model, sensor_model_smdl, model_bytes), "sotto_model_open");
  if (sotto_model_arena_bytes(&model) > sizeof arena)
    check(SOTTO_ERR_MODEL_ARENA_TOO_SMALL, "arena");
  check(sotto_model_attach_arena(&model, arena, sizeof arena), "sotto_model_attach_arena");

  sotto_tensor_t input;
  sotto_tensor_t output;
  check(sotto_model_input(&model, 0, &input), "sotto_model_input");
  if (input.type != SOTTO_TENSOR_INT8) check(SOTTO_ERR_INVALID_ARGUMENT, "int8 input");
  fill_features((int8_t *)input.data, input.bytes);
  board_print("input ");
  board_print_uint((uint32_t)input.bytes);
  board_print("\n");
  check(sotto_invoke(&model), "sotto_invoke");
  check(sotto_model_output(&model, 0, &output), "sotto_model_output");
  if (output.type != SOTTO_TENSOR_INT8 || output.bytes == 0) {
    check(SOTTO_ERR_INVALID_ARGUMENT, "int8 output");
  }
  board_print("output ");
  board_print_hex((const uint8_t *)output.data, output.bytes);
  board_print("\n");

  const int8_t *scores = (const int8_t *)output.data;
  uint8_t best = 0;
  for (size_t i = 1; i < output.bytes && i < 256; ++i) {
    if (scores[i] > scores[best]) best = (uint8_t)i;
  }
  sotto_event_t event;
  memset(&event, 0, sizeof event);
  event.kind = SOTTO_EVENT_CLASSIFICATION;
  event.class_id = best;
  event.score = (uint8_t)(scores[best] + 128);
  event.reading_count = 1;
  event.readings[0].quantity = SOTTO_QUANTITY_TEMPERATURE_CENTI_C;
  event.readings[0].value = 2150;
  board_print("class ");
  board_print_uint(event.class_id);
  board_print(" score ");
  board_print_uint(event.score);
  board_print("\n");

  check(sotto_device_emit(&device, &event), "sotto_device_emit");
  check(sotto_device_poll(&device), "sotto_device_poll");
  sotto_device_stats_t stats;
  check(sotto_device_get_stats(&device, &stats), "sotto_device_get_stats");
  if (stats.delivered != 1) check(SOTTO_ERR_TRANSPORT, "one event delivered");
  board_print("done\n");
  board_exit(0);
}
