/* sotto device SDK: what every file that includes the SDK's headers must agree on with the SDK
 * libraries it links. A mismatch here does not fail at link time, it corrupts data at run time,
 * so the checks below stop the compile instead. Included by every public header (via error.h).
 *
 * Enum size. Public structs and out-parameters hold enums (sotto_event_t.kind, sotto_err_t,
 * sotto_ota_status_t.state...) and the SDK is built with int-sized enums. arm-none-eabi-gcc
 * makes an enum only as wide as its values unless told -fno-short-enums, which would lay
 * sotto_event_t out differently from the library. The CMake targets (sotto::device ...) and the
 * pkg-config files add -fno-short-enums to their consumers.
 *
 * CPU and float ABI. The packaged static libraries are built for one CPU and calling convention
 * each; their CMake targets and pkg-config files add the flags and define SOTTO_SDK_TARGET_<NAME>,
 * and the checks below fail a file compiled with other flags (for instance a soft-float build
 * against the hard-float Cortex-M4 libraries). A build of the SDK from source (add_subdirectory)
 * compiles everything with the project's own flags and defines none of these. */
#ifndef SOTTO_ABI_H
#define SOTTO_ABI_H

#if defined(__cplusplus)
#define SOTTO_ABI_ASSERT(condition, message) static_assert(condition, message)
#else
#define SOTTO_ABI_ASSERT(condition, message) _Static_assert(condition, message)
#endif

enum sotto_abi_enum_probe { SOTTO_ABI_ENUM_PROBE = 1 };
SOTTO_ABI_ASSERT(sizeof(enum sotto_abi_enum_probe) == sizeof(int),
                 "sotto: the SDK uses int-sized enums: compile with -fno-short-enums (the sotto:: "
                 "CMake targets and the sotto pkg-config files add it)");

#if defined(SOTTO_SDK_TARGET_CORTEX_M4)
#if !defined(__ARM_ARCH_7EM__) || !defined(__thumb__) || !defined(__ARM_PCS_VFP)
#error "sotto Cortex-M4 libraries: -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
#endif
#elif defined(SOTTO_SDK_TARGET_CORTEX_M0)
#if !defined(__thumb__) || __ARM_ARCH_PROFILE != 'M' || defined(__ARM_PCS_VFP)
#error "sotto Cortex-M0 libraries: -mcpu=cortex-m0 -mthumb -mfloat-abi=soft"
#endif
#elif defined(SOTTO_SDK_TARGET_RV32)
#if !defined(__riscv) || __riscv_xlen != 32 || !defined(__riscv_float_abi_soft)
#error "sotto RV32 libraries: -march=rv32imc -mabi=ilp32 (32-bit, soft-float calling convention)"
#endif
#endif

#endif /* SOTTO_ABI_H */
