/* Port template: fills the SDK's port structs (sotto/port.h) for a bare-metal board. Copy it with
 * sotto_board_port.h into your firmware; it builds as it is, and you write board_uplink_publish
 * and board_log_write (declared in the header).
 *
 * Storage keeps the three regions in RAM. That is enough to bring a board up and to run the SDK
 * under QEMU, but the boot counter restarts and an OTA update is lost at every reset: for a
 * product, replace region_read/region_write/region_erase with your flash driver, keeping the
 * NOR rules the SDK relies on (erase sets whole sectors to 0xFF; write only into erased bytes;
 * region_map returns the region's address when the flash is memory-mapped, for models run in
 * place, or NULL).
 *
 * Sizes (compile definitions; the defaults shown):
 *   SOTTO_PORT_SECTOR_BYTES  1024   your flash's erase sector
 *   SOTTO_PORT_STATE_SECTORS 5      the device runtime's 2 plus OTA's 3 (2 without OTA)
 *   SOTTO_PORT_SLOT_BYTES    0      each of the two model slots; 0 without OTA, else at least
 *                                   the largest .smdl you will roll out, a multiple of a sector */
#include "sotto_board_port.h"

#include <string.h>

#ifndef SOTTO_PORT_SECTOR_BYTES
#define SOTTO_PORT_SECTOR_BYTES 1024u
#endif
#ifndef SOTTO_PORT_STATE_SECTORS
#define SOTTO_PORT_STATE_SECTORS 5u
#endif
#ifndef SOTTO_PORT_SLOT_BYTES
#define SOTTO_PORT_SLOT_BYTES 0u
#endif

#define STATE_BYTES (SOTTO_PORT_STATE_SECTORS * SOTTO_PORT_SECTOR_BYTES)

/* 4-byte aligned: a model slot is read in place as a .smdl. */
static uint8_t state_region[STATE_BYTES] __attribute__((aligned(4)));
#if SOTTO_PORT_SLOT_BYTES > 0
static uint8_t slot_regions[2][SOTTO_PORT_SLOT_BYTES] __attribute__((aligned(4)));
#endif
static int regions_erased;

static uint8_t *region_base(sotto_storage_region_t region) {
  switch (region) {
    case SOTTO_REGION_STATE:
      return state_region;
#if SOTTO_PORT_SLOT_BYTES > 0
    case SOTTO_REGION_SLOT_A:
      return slot_regions[0];
    case SOTTO_REGION_SLOT_B:
      return slot_regions[1];
#endif
    default:
      return NULL;
  }
}

static uint32_t region_bytes(void *ctx, sotto_storage_region_t region) {
  (void)ctx;
  if (region == SOTTO_REGION_STATE) return STATE_BYTES;
  return region_base(region) != NULL ? SOTTO_PORT_SLOT_BYTES : 0u;
}

static uint32_t sector_bytes(void *ctx) {
  (void)ctx;
  return SOTTO_PORT_SECTOR_BYTES;
}

static int in_region(sotto_storage_region_t region, uint32_t offset, size_t len) {
  uint32_t size = region_bytes(NULL, region);
  return region_base(region) != NULL && offset <= size && len <= size - offset;
}

static sotto_err_t region_read(void *ctx, sotto_storage_region_t region, uint32_t offset, void *out,
                               size_t len) {
  (void)ctx;
  if (!in_region(region, offset, len)) return SOTTO_ERR_STORAGE;
  memcpy(out, region_base(region) + offset, len);
  return SOTTO_OK;
}

static sotto_err_t region_write(void *ctx, sotto_storage_region_t region, uint32_t offset,
                                const void *data, size_t len) {
  (void)ctx;
  if (!in_region(region, offset, len)) return SOTTO_ERR_STORAGE;
  /* NOR: a write can only clear bits, as on the flash that replaces this. */
  uint8_t *dst = region_base(region) + offset;
  const uint8_t *src = (const uint8_t *)data;
  for (size_t i = 0; i < len; ++i) dst[i] &= src[i];
  return SOTTO_OK;
}

static sotto_err_t region_erase(void *ctx, sotto_storage_region_t region, uint32_t offset,
                                size_t len) {
  (void)ctx;
  if (!in_region(region, offset, len) || offset % SOTTO_PORT_SECTOR_BYTES != 0 ||
      len % SOTTO_PORT_SECTOR_BYTES != 0) {
    return SOTTO_ERR_STORAGE;
  }
  memset(region_base(region) + offset, 0xFF, len);
  return SOTTO_OK;
}

static const uint8_t *region_map(void *ctx, sotto_storage_region_t region) {
  (void)ctx;
  return region_base(region);
}

static sotto_err_t uplink_publish(void *ctx, const char *topic, const uint8_t *payload,
                                  size_t len) {
  (void)ctx;
  return board_uplink_publish(topic, payload, len) == 0 ? SOTTO_OK : SOTTO_ERR_TRANSPORT;
}

static void log_write(void *ctx, sotto_log_level_t level, const char *message) {
  (void)ctx;
  (void)level;
  board_log_write(message);
}

sotto_ports_t sotto_board_ports(sotto_clock_port_t clock) {
  if (!regions_erased) { /* fresh flash reads 0xFF */
    memset(state_region, 0xFF, sizeof state_region);
#if SOTTO_PORT_SLOT_BYTES > 0
    memset(slot_regions, 0xFF, sizeof slot_regions);
#endif
    regions_erased = 1;
  }
  sotto_ports_t ports;
  memset(&ports, 0, sizeof ports);
  ports.clock = clock;
  ports.storage.region_bytes = region_bytes;
  ports.storage.sector_bytes = sector_bytes;
  ports.storage.read = region_read;
  ports.storage.write = region_write;
  ports.storage.erase = region_erase;
  ports.storage.map = region_map;
  ports.transport.publish = uplink_publish;
  /* ports.transport.subscribe: for OTA updates, subscribe with your client and hand each
   * incoming message to sotto_device_on_message (see sotto/device.h). */
  ports.log.write = log_write; /* leave NULL for no SDK log */
  /* ports.random.next_u32: a hardware RNG makes boot ids unique across devices (optional). */
  return ports;
}
