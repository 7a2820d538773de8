# Cross trees only (included by cmake/SottoCrossTests.cmake): the inference engine's on-target
# conformance + benchmark image. The host build (tests/infer/CMakeLists.txt) runs it under QEMU.
add_executable(infer_target ${SOTTO_TARGET_TEST_SOURCE_DIR}/target/infer_target_main.cpp
                            ${SOTTO_TARGET_TEST_SOURCE_DIR}/target/semihost_files.c
                            ${SOTTO_TARGET_TEST_SOURCE_DIR}/target/kernel_equivalence.cpp
                            ${SOTTO_TARGET_TEST_SOURCE_DIR}/target/sparse_equivalence.cpp)
set_target_properties(infer_target PROPERTIES SUFFIX .elf)
target_include_directories(infer_target PRIVATE ${CMAKE_SOURCE_DIR}/tests/target)  # write_int.h
target_link_libraries(infer_target PRIVATE sotto_infer sotto_port_target)
sotto_device_code(infer_target)
if(SOTTO_TARGET STREQUAL "cortex-m4")
  target_link_options(infer_target PRIVATE -Wl,-T,${SOTTO_TARGET_TEST_SOURCE_DIR}/target/psram.ld)
endif()

# Engine flash probe (see flash_probe.cpp): flash(engine) = size(with) - size(without).
foreach(variant with without)
  add_executable(infer_flash_${variant} ${SOTTO_TARGET_TEST_SOURCE_DIR}/target/flash_probe.cpp)
  set_target_properties(infer_flash_${variant} PROPERTIES SUFFIX .elf)
  target_link_libraries(infer_flash_${variant} PRIVATE sotto_infer sotto_port_target)
  sotto_device_code(infer_flash_${variant})
endforeach()
target_compile_definitions(infer_flash_with PRIVATE SOTTO_FLASH_PROBE_ENGINE)
