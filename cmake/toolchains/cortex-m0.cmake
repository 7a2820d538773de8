# Toolchain file: bare-metal Cortex-M0/M0+ (ARMv6-M, soft float). Used by SottoCross.cmake for
# <build>/cross/cortex-m0 (QEMU microbit, the nRF51 board of device-sdk/ports/cortex-m) and by
# deploy/package.sh for the packaged libraries (reference kernels).
set(SOTTO_TARGET cortex-m0)
set(SOTTO_TARGET_CPU_FLAGS -mcpu=cortex-m0 -mthumb -mfloat-abi=soft)
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
