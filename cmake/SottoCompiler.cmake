# Compiler settings shared by every sotto target.
option(SOTTO_SANITIZE "Build host code with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
# Warnings as errors for our own builds, not for a project that adds the SDK with its compiler.
option(SOTTO_WERROR "Treat warnings as errors" ${PROJECT_IS_TOP_LEVEL})

if(SOTTO_SANITIZE AND NOT CMAKE_CROSSCOMPILING AND NOT SOTTO_BARE_METAL)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  # Line tables are all a sanitizer report needs: full debug info (-g) made the Beast-heavy
  # files a third slower to compile and twice as large, and the sanitized build is the test
  # build that CI pays for on two cores.
  add_compile_options(-g1)
endif()

# Warnings for our own code (generated and third-party code keeps its own flags).
function(sotto_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion)
  if(SOTTO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Device code: freestanding C++17, no exceptions, no RTTI, no heap (enforced by tests/device).
function(sotto_device_code target)
  sotto_warnings(${target})
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>)
endfunction()

# The ABI every file that includes the SDK's headers must share with its libraries (checked by
# device-sdk/include/sotto/abi.h): int-sized enums everywhere; with one of our bare-metal
# toolchain files also the CPU and float-ABI flags (SOTTO_TARGET_CPU_FLAGS) and the
# SOTTO_SDK_TARGET_<NAME> define that turns on abi.h's checks. The flags are in the toolchain's
# CMAKE_<LANG>_FLAGS here, so only installed consumers get them from the target.
function(sotto_abi_flags target)
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PUBLIC -fno-short-enums)
  endif()
  if(SOTTO_TARGET AND SOTTO_TARGET_CPU_FLAGS)
    string(TOUPPER "SOTTO_SDK_TARGET_${SOTTO_TARGET}" define)
    string(REPLACE "-" "_" define ${define})
    target_compile_definitions(${target} PUBLIC ${define})
    target_compile_options(${target} INTERFACE "$<INSTALL_INTERFACE:${SOTTO_TARGET_CPU_FLAGS}>")
    target_link_options(${target} INTERFACE "$<INSTALL_INTERFACE:${SOTTO_TARGET_CPU_FLAGS}>")
  endif()
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" processor)
  if(SOTTO_BARE_METAL AND processor MATCHES "^(arm|cortex|thumb)")
    # newlib and most firmware objects use short enums; nothing of theirs passes an enum to the
    # SDK or takes one from it except through the headers checked above.
    target_link_options(${target} INTERFACE -Wl,--no-enum-size-warning)
  endif()
endfunction()
