/* sotto RAM-backed storage port with NOR-flash rules and power-cut injection, for bare-metal
 * targets under QEMU and on-target tests (mirrors the host port's storage API). Caller memory,
 * no heap. Used by ports/cortex-m and ports/riscv alike. */
#ifndef SOTTO_PORT_RAM_STORAGE_H
#define SOTTO_PORT_RAM_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/port.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sotto_ram_storage_config {
  uint32_t sector_bytes; /* erase unit; every region size must be a multiple of it */
  uint32_t state_bytes;  /* SOTTO_REGION_STATE */
  uint32_t slot_bytes;   /* SOTTO_REGION_SLOT_A and SOTTO_REGION_SLOT_B each (may be 0) */
  uint8_t *memory;       /* state_bytes + 2 * slot_bytes of caller memory */
  size_t memory_bytes;
  int tear_interrupted_write; /* nonzero: the write that hits a power cut stores its first half */
} sotto_ram_storage_config_t;

/* Fields are private. */
typedef struct sotto_ram_storage {
  uint8_t *memory;
  uint32_t sector_bytes;
  uint32_t state_bytes;
  uint32_t slot_bytes;
  uint64_t op_count;
  uint64_t ops_until_cut;
  int cut_armed;
  int power_cut;
  int tear_interrupted_write;
} sotto_ram_storage_t;

/* Erases all regions (0xFF). INVALID_ARGUMENT for zero or non-sector-multiple sizes or too
 * little memory. */
sotto_err_t sotto_ram_storage_init(sotto_ram_storage_t *storage,
                                   const sotto_ram_storage_config_t *config);
/* NOR rules: erase takes sector-aligned ranges and sets 0xFF; a write that would turn a 0 bit
 * into 1 fails with STORAGE and changes nothing; out-of-range gives INVALID_ARGUMENT. */
sotto_storage_port_t sotto_ram_storage_port(sotto_ram_storage_t *storage);

/* Power-cut injection, as sotto_host_storage_*: n more writes/erases succeed, later ones fail
 * with STORAGE (reads keep working); restore_power ends the cut; op_count counts successes. */
void sotto_ram_storage_cut_power_after(sotto_ram_storage_t *storage, uint64_t ops);
void sotto_ram_storage_restore_power(sotto_ram_storage_t *storage);
uint64_t sotto_ram_storage_op_count(const sotto_ram_storage_t *storage);
int sotto_ram_storage_power_is_cut(const sotto_ram_storage_t *storage);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_PORT_RAM_STORAGE_H */
