# The firmware team's own toolchain file: Debian's arm-none-eabi-gcc with the compiler's defaults
# and the CPU of the board (a Cortex-M4F). Nothing in it is specific to sotto: the sotto::
# targets add what the SDK needs (-fno-short-enums) and sotto/abi.h checks the rest.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)  # only to build the SDK from source (-DSOTTO_SOURCE)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(_cpu "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_cpu}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_cpu} --specs=nano.specs -nostartfiles -Wl,--gc-sections")
