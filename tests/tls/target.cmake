# Cross trees only (Cortex-M4, included by cmake/SottoCrossTests.cmake): the TLS image
# (tls_target.elf: client and broker in one program, test and benchmark) and the flash probe
# pair (tls_flash_with/without.elf: a firmware with the port's TLS client and the same one
# without; deploy/bench-tls.sh subtracts their sizes).
if(NOT TARGET sotto_port_tls)
  return()
endif()
if(NOT SOTTO_HOST_BINARY_DIR)
  message(FATAL_ERROR "tls_target needs tls_target_data.h from the host build: "
                      "-DSOTTO_HOST_BINARY_DIR=<host build> (set by cmake/SottoCross.cmake)")
endif()
# Two independent instances of mbedTLS's buffer allocator, one per side: the same source
# compiled twice with its public names (and the platform hook it calls) renamed.
foreach(instance client server)
  add_library(tls_bench_${instance}_pool OBJECT
              ${SOTTO_MBEDTLS_SOURCE_DIR}/library/memory_buffer_alloc.c)
  target_link_libraries(tls_bench_${instance}_pool PRIVATE sotto_mbedtls_tls)
  target_compile_definitions(tls_bench_${instance}_pool PRIVATE
    mbedtls_memory_buffer_alloc_init=sotto_bench_${instance}_pool_init
    mbedtls_memory_buffer_alloc_free=sotto_bench_${instance}_pool_free
    mbedtls_memory_buffer_alloc_verify=sotto_bench_${instance}_pool_verify
    mbedtls_memory_buffer_set_verify=sotto_bench_${instance}_pool_set_verify
    mbedtls_platform_set_calloc_free=sotto_bench_${instance}_pool_capture)
  target_compile_options(tls_bench_${instance}_pool PRIVATE -Os)
endforeach()
add_executable(tls_target ${SOTTO_TARGET_TEST_SOURCE_DIR}/tls_target.c
                          $<TARGET_OBJECTS:tls_bench_client_pool>
                          $<TARGET_OBJECTS:tls_bench_server_pool>)
set_target_properties(tls_target PROPERTIES SUFFIX .elf)
target_include_directories(tls_target PRIVATE ${SOTTO_HOST_BINARY_DIR}/generated/tls_target
                                              ${CMAKE_SOURCE_DIR}/tests/target)  # write_int.h
target_link_libraries(tls_target PRIVATE sotto_port_tls sotto_port_target)
sotto_warnings(tls_target)

foreach(variant with without)
  add_executable(tls_flash_${variant} ${SOTTO_TARGET_TEST_SOURCE_DIR}/tls_flash_probe.c)
  set_target_properties(tls_flash_${variant} PROPERTIES SUFFIX .elf)
  target_include_directories(tls_flash_${variant} PRIVATE
                             ${SOTTO_HOST_BINARY_DIR}/generated/tls_target)
  target_link_libraries(tls_flash_${variant} PRIVATE sotto_port_tls sotto_mbedtls_tls_pool
                        sotto_port_target)
  sotto_warnings(tls_flash_${variant})
endforeach()
target_compile_definitions(tls_flash_with PRIVATE SOTTO_FLASH_PROBE_TLS)
