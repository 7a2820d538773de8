# Toolchain file: bare-metal Cortex-M4F (QEMU mps2-an386) with Debian's arm-none-eabi-gcc + newlib.
# Used by SottoCross.cmake for <build>/cross/cortex-m4; the port is device-sdk/ports/cortex-m.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(SOTTO_TARGET cortex-m4)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# Int-sized enums as on every other target (nanopb and our C API assume it); newlib is built
# with short enums but passes no enums across its API, hence --no-enum-size-warning.
set(_sotto_cpu "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -fno-short-enums")
set(CMAKE_C_FLAGS_INIT "${_sotto_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_sotto_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_sotto_cpu}")
# Our own startup (ports/cortex-m); newlib only for memcpy/memset/strlen & co.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_sotto_cpu} -nostartfiles -Wl,--gc-sections -Wl,--no-enum-size-warning")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
