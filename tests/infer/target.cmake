# Cross trees only (included by cmake/SottoCrossTests.cmake): the inference engine's on-target
# conformance + benchmark image. The host build (tests/infer/CMakeLists.txt) runs it under QEMU.
set(_dir ${SOTTO_TARGET_TEST_SOURCE_DIR}/target)
if(SOTTO_TARGET STREQUAL "cortex-m0")
  # 16 KB of RAM: the model runs from flash, programmed by the image itself; no kernels mode
  # (reference kernels only, and its buffers alone need 52 KB).
  add_executable(infer_target ${_dir}/infer_target_main.cpp ${_dir}/semihost_files.c
                              ${_dir}/model_flash_nrf51.c)
  target_compile_definitions(infer_target PRIVATE SOTTO_INFER_TARGET_MODEL_IN_FLASH)
  target_link_options(infer_target PRIVATE -Wl,-T,${_dir}/model_flash_nrf51.ld)
else()
  add_executable(infer_target ${_dir}/infer_target_main.cpp ${_dir}/semihost_files.c
                              ${_dir}/kernel_equivalence.cpp ${_dir}/sparse_equivalence.cpp)
endif()
set_target_properties(infer_target PROPERTIES SUFFIX .elf)
target_include_directories(infer_target PRIVATE ${CMAKE_SOURCE_DIR}/tests/target)  # write_int.h
target_link_libraries(infer_target PRIVATE sotto_infer sotto_port_target)
sotto_device_code(infer_target)
if(SOTTO_TARGET STREQUAL "cortex-m4")
  target_link_options(infer_target PRIVATE -Wl,-T,${_dir}/psram.ld)
endif()

# Engine flash probe (see flash_probe.cpp): flash(engine) = size(with) - size(without).
foreach(variant with without)
  add_executable(infer_flash_${variant} ${SOTTO_TARGET_TEST_SOURCE_DIR}/target/flash_probe.cpp)
  set_target_properties(infer_flash_${variant} PROPERTIES SUFFIX .elf)
  target_link_libraries(infer_flash_${variant} PRIVATE sotto_infer sotto_port_target)
  sotto_device_code(infer_flash_${variant})
endforeach()
target_compile_definitions(infer_flash_with PRIVATE SOTTO_FLASH_PROBE_ENGINE)
