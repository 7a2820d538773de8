# Toolchain file: bare-metal RV32IMC (QEMU virt) with Debian's riscv64-unknown-elf-gcc + picolibc.
# There is no libstdc++ for this target: C++ code includes only C headers and links with gcc.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(SOTTO_TARGET rv32)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_CXX_COMPILER riscv64-unknown-elf-g++)
set(CMAKE_ASM_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# The CPU and ABI the libraries are built for; the installed package's targets give them to every
# consumer (cmake/SottoCompiler.cmake, sotto_abi_flags).
set(SOTTO_TARGET_CPU_FLAGS -march=rv32imc -mabi=ilp32 -mcmodel=medany --specs=picolibc.specs)
list(JOIN SOTTO_TARGET_CPU_FLAGS " " _sotto_cpu)
set(CMAKE_C_FLAGS_INIT "${_sotto_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_sotto_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_sotto_cpu}")
# Compile flags (with the specs) are on the link line already: only link options here.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles -Wl,--gc-sections -Wl,--no-warn-rwx-segments")
# No libstdc++: link C++ objects with the C driver.
set(CMAKE_CXX_LINK_EXECUTABLE
    "<CMAKE_C_COMPILER> <FLAGS> <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
