// On-target: the RAM NOR storage port (ports/cortex-m/ram_storage.cpp): NOR rules, power cuts
// that tear writes at any bit and leave erases partial.
#include "sotto/port_ram_storage.h"
#include "sotto_test.h"

static uint8_t flash_memory[256 * 4 + 2 * 512];

static sotto_storage_port_t make_port(sotto_ram_storage_t *storage, int tear) {
  sotto_ram_storage_config_t config = {256,  256 * 4, 512, flash_memory, sizeof flash_memory,
                                       tear, 0,       0};
  CHECK_EQ(sotto_ram_storage_init(storage, &config), SOTTO_OK);
  return sotto_ram_storage_port(storage);
}

static void follows_nor_rules(void) {
  sotto_ram_storage_t storage;
  sotto_storage_port_t port = make_port(&storage, 0);
  CHECK_EQ(port.region_bytes(port.ctx, SOTTO_REGION_STATE), 1024);
  CHECK_EQ(port.region_bytes(port.ctx, SOTTO_REGION_SLOT_B), 512);
  uint8_t bytes[4] = {0xF0, 0x0F, 0x00, 0xAA};
  CHECK_EQ(port.write(port.ctx, SOTTO_REGION_SLOT_A, 10, bytes, 4), SOTTO_OK);
  uint8_t back[4];
  CHECK_EQ(port.read(port.ctx, SOTTO_REGION_SLOT_A, 10, back, 4), SOTTO_OK);
  CHECK_BYTES(back, bytes, 4);
  uint8_t set_bit = 0xFF;  // 0xF0 -> 0xFF would set bits: refused, nothing changes
  CHECK_EQ(port.write(port.ctx, SOTTO_REGION_SLOT_A, 10, &set_bit, 1), SOTTO_ERR_STORAGE);
  uint8_t clear_more = 0x30;
  CHECK_EQ(port.write(port.ctx, SOTTO_REGION_SLOT_A, 10, &clear_more, 1), SOTTO_OK);
  CHECK_EQ(port.map(port.ctx, SOTTO_REGION_SLOT_A)[10], 0x30);
  CHECK_EQ(port.erase(port.ctx, SOTTO_REGION_SLOT_A, 0, 100), SOTTO_ERR_INVALID_ARGUMENT);
  CHECK_EQ(port.erase(port.ctx, SOTTO_REGION_SLOT_A, 0, 256), SOTTO_OK);
  CHECK_EQ(port.map(port.ctx, SOTTO_REGION_SLOT_A)[10], 0xFF);
  CHECK_EQ(port.read(port.ctx, SOTTO_REGION_SLOT_B, 510, back, 4), SOTTO_ERR_INVALID_ARGUMENT);
  CHECK_EQ(sotto_ram_storage_op_count(&storage), 3);
}

static void power_cut_refuses_later_operations(void) {
  sotto_ram_storage_t storage;
  sotto_storage_port_t port = make_port(&storage, 0);
  sotto_ram_storage_cut_power_after(&storage, 2);
  uint8_t zero = 0;
  CHECK_EQ(port.write(port.ctx, SOTTO_REGION_STATE, 0, &zero, 1), SOTTO_OK);
  CHECK_EQ(port.erase(port.ctx, SOTTO_REGION_STATE, 256, 256), SOTTO_OK);
  CHECK_EQ(sotto_ram_storage_power_is_cut(&storage), 0);
  CHECK_EQ(port.write(port.ctx, SOTTO_REGION_STATE, 1, &zero, 1), SOTTO_ERR_STORAGE);
  CHECK_EQ(sotto_ram_storage_power_is_cut(&storage), 1);
  CHECK_EQ(port.map(port.ctx, SOTTO_REGION_STATE)[1], 0xFF);
  uint8_t back = 0;
  CHECK_EQ(port.read(port.ctx, SOTTO_REGION_STATE, 0, &back, 1), SOTTO_OK);
  sotto_ram_storage_restore_power(&storage);
  CHECK_EQ(port.write(port.ctx, SOTTO_REGION_STATE, 1, &zero, 1), SOTTO_OK);
  CHECK_EQ(sotto_ram_storage_op_count(&storage), 3);
}

static void torn_write_stores_first_half(void) {
  sotto_ram_storage_t storage;
  sotto_storage_port_t port = make_port(&storage, 1);
  sotto_ram_storage_cut_power_after(&storage, 0);
  uint8_t zeros[8] = {0};
  CHECK_EQ(port.write(port.ctx, SOTTO_REGION_STATE, 0, zeros, 8), SOTTO_ERR_STORAGE);
  const uint8_t *state = port.map(port.ctx, SOTTO_REGION_STATE);
  CHECK_EQ(state[3], 0x00);
  CHECK_EQ(state[4], 0xFF);
}

static void tear_stops_at_any_bit(void) {
  sotto_ram_storage_t storage;
  sotto_storage_port_t port = make_port(&storage, 0);
  sotto_ram_storage_tear_t tear = {11, 0};
  sotto_ram_storage_cut_power_during(&storage, 0, tear);
  uint8_t zeros[4] = {0};
  CHECK_EQ(port.write(port.ctx, SOTTO_REGION_SLOT_B, 4, zeros, 4), SOTTO_ERR_STORAGE);
  const uint8_t *slot = port.map(port.ctx, SOTTO_REGION_SLOT_B);
  CHECK_EQ(slot[4], 0x00);
  CHECK_EQ(slot[5], 0xF8);
  CHECK_EQ(slot[6], 0xFF);
  CHECK_EQ(sotto_ram_storage_op_count(&storage), 0);
}

static void interrupted_erase_is_partial(void) {
  sotto_ram_storage_t storage;
  sotto_storage_port_t port = make_port(&storage, 0);
  uint8_t zeros[256] = {0};
  CHECK_EQ(port.write(port.ctx, SOTTO_REGION_STATE, 256, zeros, sizeof zeros), SOTTO_OK);
  sotto_ram_storage_tear_t tear = {800, 1};  // the sector's last 100 bytes
  sotto_ram_storage_cut_power_during(&storage, 0, tear);
  CHECK_EQ(port.erase(port.ctx, SOTTO_REGION_STATE, 256, 256), SOTTO_ERR_STORAGE);
  const uint8_t *state = port.map(port.ctx, SOTTO_REGION_STATE);
  CHECK_EQ(state[256], 0x00);
  CHECK_EQ(state[256 + 155], 0x00);
  CHECK_EQ(state[256 + 156], 0xFF);
  CHECK_EQ(state[511], 0xFF);
  CHECK_EQ(port.region_bytes(port.ctx, SOTTO_REGION_QUEUE), 0);
  CHECK(port.map(port.ctx, SOTTO_REGION_QUEUE) == nullptr);
}

SOTTO_TESTS_BEGIN
SOTTO_TEST(follows_nor_rules)
SOTTO_TEST(power_cut_refuses_later_operations)
SOTTO_TEST(torn_write_stores_first_half)
SOTTO_TEST(tear_stops_at_any_bit)
SOTTO_TEST(interrupted_erase_is_partial)
SOTTO_TESTS_END
