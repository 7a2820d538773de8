# Shared part of the bare-metal Arm toolchain files (cortex-m4.cmake, cortex-m0.cmake): Debian's
# arm-none-eabi-gcc + newlib. The including file sets SOTTO_TARGET and SOTTO_TARGET_CPU_FLAGS (the
# CPU and float ABI the libraries are built for; the installed package's targets give them to
# every consumer, see sotto_abi_flags in cmake/SottoCompiler.cmake).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
list(JOIN SOTTO_TARGET_CPU_FLAGS " " _sotto_cpu)
# Int-sized enums as on every other target (nanopb and our C API assume it); newlib is built
# with short enums but passes no enums across its API, hence --no-enum-size-warning.
set(_sotto_cpu "${_sotto_cpu} -fno-short-enums")
set(CMAKE_C_FLAGS_INIT "${_sotto_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_sotto_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_sotto_cpu}")
# Our own startup (ports/cortex-m); newlib only for memcpy/memset/strlen & co.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_sotto_cpu} -nostartfiles -Wl,--gc-sections -Wl,--no-enum-size-warning")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
