/* RV32 reset entry (QEMU virt, -bios none jumps to 0x80000000): stack, global pointer, trap
 * vector, then C. */
  .section .text.start, "ax"
  .global _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  la t0, sotto_trap_entry
  .option push
  .option arch, +zicsr
  csrw mtvec, t0
  .option pop
  call sotto_riscv_start
1:j 1b

  .balign 4
sotto_trap_entry:
  call sotto_riscv_trap
2:j 2b
