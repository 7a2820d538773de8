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

# Engine flash per model (deploy/bench-inference.sh): the probe once more for each model below,
# its engine linking only the ops the model uses, the row-stream driver only when the model's blob
# for this target has streams (NO_ROW_STREAMS otherwise) and the sparse weight walks only when it
# has sparse weights (NO_SPARSE_WEIGHTS otherwise), and without the kernels' reference fallback
# (NO_REFERENCE_FALLBACK: the models' Cortex-M4 blobs never need it), as that model's firmware
# would build it (SOTTO_INFER_ONLY_OPS, SOTTO_INFER_ROW_STREAMS, SOTTO_INFER_SPARSE_WEIGHTS,
# SOTTO_INFER_REFERENCE_FALLBACK). Built on demand only
# (the bench names them); the bench checks each line against the imported model.
# name|ops|streams or whole-tensors|sparse or dense
set(SOTTO_FLASH_PROBE_MODELS
    "kws|CONV_2D,DEPTHWISE_CONV_2D,AVERAGE_POOL_2D,RESHAPE,FULLY_CONNECTED,SOFTMAX|whole-tensors|dense"
    "vww|CONV_2D,DEPTHWISE_CONV_2D,AVERAGE_POOL_2D,RESHAPE,FULLY_CONNECTED,SOFTMAX|streams|dense"
    "ic|CONV_2D,ADD,AVERAGE_POOL_2D,RESHAPE,FULLY_CONNECTED,SOFTMAX|streams|dense"
    "ad|FULLY_CONNECTED|whole-tensors|dense")
if(SOTTO_TARGET STREQUAL "cortex-m4")
  foreach(entry ${SOTTO_FLASH_PROBE_MODELS})
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 name)
    list(GET fields 1 ops)
    list(GET fields 2 streams)
    list(GET fields 3 weights)
    string(REPLACE "," ";" ops "${ops}")
    set(options)
    if(streams STREQUAL "whole-tensors")
      list(APPEND options NO_ROW_STREAMS)
    endif()
    if(weights STREQUAL "dense")
      list(APPEND options NO_SPARSE_WEIGHTS)
    endif()
    sotto_infer_library(sotto_infer_flash_${name} OPS ${ops} KERNELS ${SOTTO_INFER_KERNELS}
                        NO_REFERENCE_FALLBACK
                        ${options} EXCLUDE_FROM_ALL)
    add_executable(infer_flash_${name} EXCLUDE_FROM_ALL
                   ${SOTTO_TARGET_TEST_SOURCE_DIR}/target/flash_probe.cpp)
    set_target_properties(infer_flash_${name} PROPERTIES SUFFIX .elf)
    target_compile_definitions(infer_flash_${name} PRIVATE SOTTO_FLASH_PROBE_ENGINE)
    target_link_libraries(infer_flash_${name} PRIVATE sotto_infer_flash_${name} sotto_port_target)
    sotto_device_code(infer_flash_${name})
  endforeach()
  # The conformance image once more, its engine without the reference fallback as the probes
  # above build it: the probed models' blobs open and match without it
  # (infer.cortex-m4.conformance_without_reference_fallback.*).
  sotto_infer_library(sotto_infer_no_fallback KERNELS ${SOTTO_INFER_KERNELS} NO_REFERENCE_FALLBACK)
  get_target_property(_sources infer_target SOURCES)
  add_executable(infer_target_no_fallback ${_sources})
  set_target_properties(infer_target_no_fallback PROPERTIES SUFFIX .elf)
  target_include_directories(infer_target_no_fallback PRIVATE ${CMAKE_SOURCE_DIR}/tests/target)
  target_link_libraries(infer_target_no_fallback PRIVATE sotto_infer_no_fallback sotto_port_target)
  target_link_options(infer_target_no_fallback PRIVATE -Wl,-T,${_dir}/psram.ld)
  sotto_device_code(infer_target_no_fallback)
endif()

# The no-dsp kernels (RV32, Cortex-M0) against the reference on random shapes steered through each
# of their paths: an image of its own, small enough for the nRF51's 16 KB of RAM. And, for
# deploy/bench-inference.sh, the conformance image once more with the reference kernels only
# (infer_target_reference): tuned against reference on the same emulated core.
if(SOTTO_TARGET MATCHES "^(cortex-m0|rv32)$")
  add_executable(infer_no_dsp_kernels ${_dir}/no_dsp_equivalence.cpp)
  set_target_properties(infer_no_dsp_kernels PROPERTIES SUFFIX .elf)
  target_include_directories(infer_no_dsp_kernels PRIVATE ${CMAKE_SOURCE_DIR}/tests/target)
  target_link_libraries(infer_no_dsp_kernels PRIVATE sotto_infer sotto_port_target)
  sotto_device_code(infer_no_dsp_kernels)

  sotto_infer_library(sotto_infer_reference_kernels KERNELS reference)
  get_target_property(_sources infer_target SOURCES)
  get_target_property(_defines infer_target COMPILE_DEFINITIONS)
  get_target_property(_options infer_target LINK_OPTIONS)
  add_executable(infer_target_reference ${_sources})
  set_target_properties(infer_target_reference PROPERTIES SUFFIX .elf)
  if(_defines)
    target_compile_definitions(infer_target_reference PRIVATE ${_defines})
  endif()
  if(_options)
    target_link_options(infer_target_reference PRIVATE ${_options})
  endif()
  target_include_directories(infer_target_reference PRIVATE ${CMAKE_SOURCE_DIR}/tests/target)
  target_link_libraries(infer_target_reference PRIVATE sotto_infer_reference_kernels
                        sotto_port_target)
  sotto_device_code(infer_target_reference)
endif()
