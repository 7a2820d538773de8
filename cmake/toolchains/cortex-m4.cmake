# Toolchain file: bare-metal Cortex-M4F (QEMU mps2-an386). Used by SottoCross.cmake for
# <build>/cross/cortex-m4 and by deploy/package.sh; the QEMU port is device-sdk/ports/cortex-m.
set(SOTTO_TARGET cortex-m4)
set(SOTTO_TARGET_CPU_FLAGS -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
include(${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi.cmake)
