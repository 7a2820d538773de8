/* sotto RAM-backed storage port with NOR-flash rules and a power-cut fault model, for bare-metal
 * targets under QEMU, on-target tests and (wrapped by sotto_host_storage_*) the host. Caller
 * memory, no heap. Used by ports/cortex-m, ports/riscv and ports/host alike.
 *
 * The fault model, MCUboot-style: count the writes and erases of a clean run (op_count), then
 * replay the run cutting power during op k for every k. The interrupted op does part of its work
 * (sotto_ram_storage_tear_t): a write that stops early has programmed only some of its bits, an
 * erase that stops early has set only some of its bits back to 1, and an op whose work finished
 * can still lose power before it reports success. The interrupted op and every later one return
 * SOTTO_ERR_STORAGE; reads keep working so a test can inspect what is left. */
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
  uint8_t *memory;       /* state_bytes + 2 * slot_bytes + queue_bytes of caller memory */
  size_t memory_bytes;
  /* Nonzero: the op a power cut interrupts does half its work (the first half of a write's
   * bits, the first half of an erase's bits), unless sotto_ram_storage_cut_power_during says
   * otherwise. Zero: it does nothing. */
  int tear_interrupted_write;
  uint32_t queue_bytes; /* SOTTO_REGION_QUEUE (0 = no such region) */
  int keep_contents;    /* nonzero: memory already holds flash contents (a file); not erased */
} sotto_ram_storage_config_t;

/* How far the op a power cut interrupts gets. Its range is `bits` long (8 per byte); the op
 * changes the first `bits` of them in address order, least significant bit first in a byte, or,
 * with from_end, from the range's last bit backwards. A write only clears the bits its data
 * clears, an erase sets them. bits = 0: nothing changed; bits >= the range: the op completed but
 * power went before it could report success. */
typedef struct sotto_ram_storage_tear {
  uint64_t bits;
  int from_end;
} sotto_ram_storage_tear_t;

/* Fields are private. */
typedef struct sotto_ram_storage {
  uint8_t *memory;
  uint32_t sector_bytes;
  uint32_t state_bytes;
  uint32_t slot_bytes;
  uint32_t queue_bytes;
  uint64_t op_count;
  uint64_t ops_until_cut;
  int cut_armed;
  int power_cut;
  int tear_interrupted_write;
  int tear_explicit; /* the armed cut carries its own tear */
  sotto_ram_storage_tear_t tear;
} sotto_ram_storage_t;

/* Erases all regions (0xFF) unless keep_contents. INVALID_ARGUMENT for zero or non-sector-multiple
 * sizes or too little memory. */
sotto_err_t sotto_ram_storage_init(sotto_ram_storage_t *storage,
                                   const sotto_ram_storage_config_t *config);
/* NOR rules: erase takes sector-aligned ranges and sets 0xFF; a write that would turn a 0 bit
 * into 1 fails with STORAGE and changes nothing; out-of-range offsets and regions of size 0 give
 * INVALID_ARGUMENT (map gives NULL for those). */
sotto_storage_port_t sotto_ram_storage_port(sotto_ram_storage_t *storage);

/* cut_power_after(s, n): from this call, n more writes/erases succeed; the next one is
 *   interrupted (tear_interrupted_write decides how far it gets) and every later one fails
 *   untouched.
 * cut_power_during(s, n, tear): the same, with the interrupted op getting exactly `tear` far.
 * restore_power(s): ends the cut ("reboot"); memory keeps whatever was written.
 * op_count(s): writes and erases that succeeded since init.
 * power_is_cut(s): nonzero once an operation has been refused. */
void sotto_ram_storage_cut_power_after(sotto_ram_storage_t *storage, uint64_t ops);
void sotto_ram_storage_cut_power_during(sotto_ram_storage_t *storage, uint64_t ops,
                                        sotto_ram_storage_tear_t tear);
void sotto_ram_storage_restore_power(sotto_ram_storage_t *storage);
uint64_t sotto_ram_storage_op_count(const sotto_ram_storage_t *storage);
int sotto_ram_storage_power_is_cut(const sotto_ram_storage_t *storage);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_PORT_RAM_STORAGE_H */
