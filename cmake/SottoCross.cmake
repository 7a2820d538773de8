# Cross builds for the device SDK, driven from the one root build.
#
# Bare-metal builds (SOTTO_BARE_METAL: our toolchain files, or a firmware project that adds this
# tree with add_subdirectory/FetchContent) compile nanopb's runtime and, for OTA, mbedTLS from
# source: SOTTO_NANOPB_SOURCE_DIR and SOTTO_MBEDTLS_SOURCE_DIR, found under <sotto>/build/cache/src/
# after deploy/fetch-sources.sh or given on the command line. -DSOTTO_OTA=OFF needs no mbedTLS.
#
# Host build: configures and builds <build>/cross/cortex-m4, <build>/cross/cortex-m0 and
# <build>/cross/rv32 from this same source tree (ExternalProject, toolchain files in
# cmake/toolchains/), so `cmake --build` builds them and `ctest` runs their on-target images
# under QEMU (the Cortex-M0 tree builds only the images that fit the nRF51's 16 KB of RAM). Needs the nanopb and mbedTLS
# sources from deploy/fetch-sources.sh (found under build/cache/src/ or given with
# -DSOTTO_NANOPB_SOURCE_DIR / -DSOTTO_MBEDTLS_SOURCE_DIR). -DSOTTO_CROSS=OFF skips all this.
#
# For other areas (host build):
#   SOTTO_CROSS_TARGETS          the cross targets configured here ("cortex-m4;cortex-m0;rv32",
#                                or fewer)
#   SOTTO_CROSS_BINARY_DIR       <build>/cross; an image (executable with SUFFIX .elf) built in
#                                a cross tree from tests/<dir>/target.cmake lands in
#                                ${SOTTO_CROSS_BINARY_DIR}/<target>/bin/<name>.elf
#   sotto_add_qemu_test(NAME <ctest name> TARGET cortex-m4|cortex-m0|rv32 ELF <path>
#                       [TIMEOUT <s>])
#     runs the image under QEMU with semihosting and instruction counting; the test passes when
#     the program exits 0 (its exit status becomes QEMU's).
#   <build>/bin/sotto-qemu-run <cortex-m4|cortex-m0|rv32> <elf> [qemu args]: the same QEMU
#     command for scripts (deploy/bench.sh); semihosting output on stderr, exit status passed
#     through.
#
# Cross trees: defines sotto_mbedcrypto (SHA-256 + ECDSA P-256 verify, static pool, no heap),
# knows the host build's folder (SOTTO_HOST_BINARY_DIR: files it generates for images) and
# at the end of the root directory adds tests/target and every tests/<dir>/target.cmake (where
# an area adds its own on-target images: add_executable(<name> ...) linked with
# sotto_port_target, SUFFIX .elf, then sotto_add_qemu_test in its host CMakeLists.txt).

foreach(_pkg nanopb mbedtls)
  string(TOUPPER ${_pkg} _PKG)
  if(NOT SOTTO_${_PKG}_SOURCE_DIR)
    file(GLOB _found LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/build/cache/src/${_pkg}-*)
    list(FILTER _found EXCLUDE REGEX "\\.(tar|dsc)")
    if(_found)
      list(GET _found -1 _found)
      set(SOTTO_${_PKG}_SOURCE_DIR ${_found} CACHE PATH "${_pkg} sources for cross builds")
    endif()
  endif()
endforeach()

if(SOTTO_BARE_METAL)
  if(SOTTO_OTA)
    if(NOT SOTTO_MBEDTLS_SOURCE_DIR)
      message(FATAL_ERROR "sotto: the OTA updater needs mbedTLS sources on a bare-metal build: "
                          "set SOTTO_MBEDTLS_SOURCE_DIR (deploy/fetch-sources.sh fetches Debian's "
                          "into build/cache/src/) or build without OTA (-DSOTTO_OTA=OFF)")
    endif()
    set(_mbed ${SOTTO_MBEDTLS_SOURCE_DIR}/library)
    add_library(sotto_mbedcrypto STATIC
      ${_mbed}/bignum.c ${_mbed}/ecp.c ${_mbed}/ecp_curves.c ${_mbed}/ecdsa.c
      ${_mbed}/asn1parse.c ${_mbed}/asn1write.c ${_mbed}/sha256.c ${_mbed}/platform.c
      ${_mbed}/platform_util.c ${_mbed}/memory_buffer_alloc.c ${_mbed}/constant_time.c
      ${CMAKE_CURRENT_LIST_DIR}/sotto_mbedcrypto_pool.c)
    # Only the SDK's own OTA code includes mbedTLS: nothing of it reaches an installed consumer.
    target_include_directories(sotto_mbedcrypto SYSTEM PUBLIC
                               $<BUILD_INTERFACE:${SOTTO_MBEDTLS_SOURCE_DIR}/include>
                               $<BUILD_INTERFACE:${CMAKE_CURRENT_LIST_DIR}>)
    target_compile_definitions(sotto_mbedcrypto PUBLIC
                               $<BUILD_INTERFACE:MBEDTLS_CONFIG_FILE="sotto_mbedtls_config.h">)
    target_compile_options(sotto_mbedcrypto PRIVATE -Os)
    # TLS firmware (Cortex-M4 port): its own build of mbedTLS with sotto_mbedtls_tls_config.h,
    # so images without TLS keep sotto_mbedcrypto and their size. sotto_mbedtls_tls_pool is
    # the product's allocator (a static pool; an object library, so the calloc/free that
    # mbedTLS's platform.c refers to resolve whatever the link order); the TLS benchmark brings
    # its own.
    if(SOTTO_TARGET STREQUAL "cortex-m4")
      set(_tls_sources)
      foreach(_file aes asn1parse asn1write bignum cipher cipher_wrap constant_time ctr_drbg ecdh
                    ecdsa ecp ecp_curves gcm md oid pk pk_wrap pkparse platform platform_util
                    sha256 ssl_ciphersuites ssl_cli ssl_msg ssl_srv ssl_tls x509 x509_crt)
        list(APPEND _tls_sources ${_mbed}/${_file}.c)
      endforeach()
      add_library(sotto_mbedtls_tls STATIC ${_tls_sources}
                                           ${CMAKE_CURRENT_LIST_DIR}/sotto_mbedtls_tls_platform.c)
      target_include_directories(sotto_mbedtls_tls SYSTEM PUBLIC
                                 ${SOTTO_MBEDTLS_SOURCE_DIR}/include ${CMAKE_CURRENT_LIST_DIR})
      target_compile_definitions(sotto_mbedtls_tls PUBLIC
                                 MBEDTLS_CONFIG_FILE="sotto_mbedtls_tls_config.h")
      target_compile_options(sotto_mbedtls_tls PRIVATE -Os)
      add_library(sotto_mbedtls_tls_pool OBJECT ${_mbed}/memory_buffer_alloc.c
                                                ${CMAKE_CURRENT_LIST_DIR}/sotto_mbedtls_tls_pool.c)
      target_link_libraries(sotto_mbedtls_tls_pool PUBLIC sotto_mbedtls_tls)
      target_compile_options(sotto_mbedtls_tls_pool PRIVATE -Os)
    endif()
  endif()
  if(SOTTO_BUILD_TESTS)
    set(_sotto_cross_tests ${CMAKE_CURRENT_LIST_DIR}/SottoCrossTests.cmake)
    cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL include ${_sotto_cross_tests})
  endif()
  return()
endif()
if(NOT SOTTO_BUILD_TESTS OR CMAKE_CROSSCOMPILING)
  return()  # the cross test trees and fuzzers exist for the tests only
endif()

include(${CMAKE_CURRENT_LIST_DIR}/SottoFuzz.cmake)

option(SOTTO_CROSS "Build the Cortex-M4, Cortex-M0 and RV32 device trees and run their tests under QEMU" ON)
set(SOTTO_CROSS_BINARY_DIR ${CMAKE_BINARY_DIR}/cross)
# Escape hatches while an area does not cross-compile (both default to everything):
set(SOTTO_TARGET_TEST_DIRS "" CACHE STRING
    "tests/<dir> folders whose target.cmake the cross trees build (empty: every folder)")
set(SOTTO_CROSS_SKIP_AREAS "" CACHE STRING
    "device-sdk/src areas (sotto_<area>) left out of the cross trees, with their tests/<area>")
set(SOTTO_CROSS_TARGETS)

if(SOTTO_CROSS)
  find_program(SOTTO_QEMU_ARM qemu-system-arm)
  find_program(SOTTO_QEMU_RV32 qemu-system-riscv32)
  find_program(SOTTO_ARM_GCC arm-none-eabi-gcc)
  find_program(SOTTO_RV_GCC riscv64-unknown-elf-gcc)
  find_program(SOTTO_ARM_NM arm-none-eabi-nm)
  find_program(SOTTO_RV_NM riscv64-unknown-elf-nm)
  if(NOT SOTTO_NANOPB_SOURCE_DIR OR NOT SOTTO_MBEDTLS_SOURCE_DIR)
    message(WARNING "SottoCross: no nanopb/mbedTLS sources (run deploy/fetch-sources.sh): "
                    "cross builds and QEMU tests are skipped")
  else()
    if(SOTTO_ARM_GCC AND SOTTO_QEMU_ARM)
      list(APPEND SOTTO_CROSS_TARGETS cortex-m4 cortex-m0)
    endif()
    if(SOTTO_RV_GCC AND SOTTO_QEMU_RV32)
      list(APPEND SOTTO_CROSS_TARGETS rv32)
    endif()
  endif()
endif()
set(SOTTO_CROSS_NM_cortex-m4 ${SOTTO_ARM_NM})
set(SOTTO_CROSS_NM_cortex-m0 ${SOTTO_ARM_NM})
set(SOTTO_CROSS_NM_rv32 ${SOTTO_RV_NM})

# QEMU command lines. -icount makes the board timers (and so sotto_port_instructions) count
# instructions deterministically: mps2 25 MHz timer tick = 5 instructions at shift=3; nRF51
# 16 MHz timer tick = 62.5 instructions at shift=0; RV32 minstret at shift=0.
set(SOTTO_QEMU_COMMAND_cortex-m4 ${SOTTO_QEMU_ARM} -M mps2-an386 -nographic -monitor none
    -serial none -semihosting-config enable=on,target=native -icount shift=3,align=off,sleep=off
    -kernel)
set(SOTTO_QEMU_COMMAND_cortex-m0 ${SOTTO_QEMU_ARM} -M microbit -nographic -monitor none
    -serial none -semihosting-config enable=on,target=native -icount shift=0,align=off,sleep=off
    -kernel)
set(SOTTO_QEMU_COMMAND_rv32 ${SOTTO_QEMU_RV32} -M virt -bios none -nographic -monitor none
    -serial none -semihosting-config enable=on,target=native -icount shift=0,align=off,sleep=off
    -kernel)

# sotto_add_qemu_test(NAME n TARGET cortex-m4|cortex-m0|rv32 ELF path [TIMEOUT s]
#                     [ARGS qemu args...]):
# ARGS go after the image (e.g. -semihosting-config arg=... for the program's command line).
function(sotto_add_qemu_test)
  cmake_parse_arguments(arg "" "NAME;TARGET;ELF;TIMEOUT" "ARGS" ${ARGN})
  if(NOT arg_NAME OR NOT arg_ELF OR NOT DEFINED SOTTO_QEMU_COMMAND_${arg_TARGET})
    message(FATAL_ERROR "sotto_add_qemu_test(NAME n TARGET cortex-m4|cortex-m0|rv32 ELF path)")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  add_test(NAME ${arg_NAME} COMMAND ${SOTTO_QEMU_COMMAND_${arg_TARGET}} ${arg_ELF} ${arg_ARGS})
  set_tests_properties(${arg_NAME} PROPERTIES TIMEOUT ${arg_TIMEOUT} LABELS qemu)
endfunction()

string(REPLACE ";" " " _qemu_m4 "${SOTTO_QEMU_COMMAND_cortex-m4}")
string(REPLACE ";" " " _qemu_m0 "${SOTTO_QEMU_COMMAND_cortex-m0}")
string(REPLACE ";" " " _qemu_rv "${SOTTO_QEMU_COMMAND_rv32}")
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/bin/sotto-qemu-run @ONLY CONTENT [[#!/bin/sh
# Runs a sotto bare-metal image under QEMU (generated by cmake/SottoCross.cmake).
# Usage: sotto-qemu-run cortex-m4|cortex-m0|rv32 IMAGE.elf [QEMU ARGS...] (e.g.
# -semihosting-config arg=...); exit status is the program's.
if [ $# -lt 2 ]; then
  echo "usage: sotto-qemu-run cortex-m4|cortex-m0|rv32 IMAGE.elf [QEMU ARGS...]" >&2
  exit 2
fi
target=$1
image=$2
shift 2
case "$target" in
  cortex-m4) exec @_qemu_m4@ "$image" "$@" ;;
  cortex-m0) exec @_qemu_m0@ "$image" "$@" ;;
  rv32) exec @_qemu_rv@ "$image" "$@" ;;
  *) echo "sotto-qemu-run: unknown target $target (cortex-m4, cortex-m0 or rv32)" >&2; exit 2 ;;
esac
]])
file(CHMOD ${CMAKE_BINARY_DIR}/bin/sotto-qemu-run PERMISSIONS OWNER_READ OWNER_WRITE
     OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

include(ExternalProject)
foreach(_target ${SOTTO_CROSS_TARGETS})
  ExternalProject_Add(sotto_cross_${_target}
    SOURCE_DIR ${CMAKE_SOURCE_DIR}
    BINARY_DIR ${SOTTO_CROSS_BINARY_DIR}/${_target}
    CMAKE_GENERATOR Ninja
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/toolchains/${_target}.cmake
               -DCMAKE_BUILD_TYPE=MinSizeRel
               -DSOTTO_NANOPB_SOURCE_DIR=${SOTTO_NANOPB_SOURCE_DIR}
               -DSOTTO_MBEDTLS_SOURCE_DIR=${SOTTO_MBEDTLS_SOURCE_DIR}
               -DSOTTO_WERROR=${SOTTO_WERROR}
               -DSOTTO_HOST_BINARY_DIR=${CMAKE_BINARY_DIR}
    CMAKE_CACHE_ARGS -DSOTTO_TARGET_TEST_DIRS:STRING=${SOTTO_TARGET_TEST_DIRS}
                     -DSOTTO_CROSS_SKIP_AREAS:STRING=${SOTTO_CROSS_SKIP_AREAS}
    BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> -j 2
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    # The console pool (size 1) runs one sub-build at a time next to the host jobs: each
    # sub-build uses -j 2 itself, and the machine has 2 cores.
    USES_TERMINAL_CONFIGURE ON
    USES_TERMINAL_BUILD ON
    DOWNLOAD_COMMAND "" UPDATE_COMMAND "")
endforeach()
