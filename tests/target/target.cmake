# Cross trees only (included by cmake/SottoCrossTests.cmake): the on-target test images
# <cross>/bin/target_<suite>.elf, registered as QEMU tests by this folder's CMakeLists.txt.
include(${SOTTO_TARGET_TEST_SOURCE_DIR}/suites.cmake)
sotto_target_suites_of(${SOTTO_TARGET} _suites)
foreach(suite ${_suites})
  add_executable(target_${suite} ${SOTTO_TARGET_TEST_SOURCE_DIR}/${suite}_test.cpp)
  set_target_properties(target_${suite} PROPERTIES SUFFIX .elf)
  target_include_directories(target_${suite} PRIVATE ${SOTTO_TARGET_TEST_SOURCE_DIR})
  target_link_libraries(target_${suite} PRIVATE sotto_device sotto_port_ram_storage
                        sotto_port_target)
  sotto_device_code(target_${suite})
endforeach()
# The Cortex-M0 port's stack guard (tests/target/CMakeLists.txt runs it and expects its verdict).
if(SOTTO_TARGET STREQUAL "cortex-m0")
  add_executable(target_stack_overflow ${SOTTO_TARGET_TEST_SOURCE_DIR}/stack_overflow_target.c)
  set_target_properties(target_stack_overflow PROPERTIES SUFFIX .elf)
  target_link_libraries(target_stack_overflow PRIVATE sotto_port_target)
  sotto_device_code(target_stack_overflow)
endif()
# The crypto suite exercises OTA's mbedTLS shim (its private crypto/ headers).
target_include_directories(target_crypto PRIVATE ${CMAKE_SOURCE_DIR}/device-sdk/src/ota)
target_compile_definitions(target_crypto PRIVATE SOTTO_OTA_CRYPTO_MBEDTLS=1)
target_link_libraries(target_crypto PRIVATE sotto_ota)
# The OTA suite runs the update engine on the device mbedTLS build, with the engine self-test on
# the real model the host build wrote into ota_target_data.h.
if(NOT TARGET target_ota)
  return()
endif()
if(NOT SOTTO_HOST_BINARY_DIR)
  message(FATAL_ERROR "target_ota needs ota_target_data.h from the host build: "
                      "-DSOTTO_HOST_BINARY_DIR=<host build> (set by cmake/SottoCross.cmake)")
endif()
target_link_libraries(target_ota PRIVATE sotto_ota_model_self_test sotto_ota)
target_include_directories(target_ota PRIVATE ${SOTTO_HOST_BINARY_DIR}/generated/ota_target)
