# Cross trees only (see cmake/SottoCross.cmake): the device's cost of verifying an update,
# <cross>/bin/ota_verify_cost.elf, run by deploy/bench-ota.sh and registered as a QEMU test.
add_executable(ota_verify_cost ${SOTTO_TARGET_TEST_SOURCE_DIR}/verify_cost_target.cpp)
set_target_properties(ota_verify_cost PROPERTIES SUFFIX .elf)
target_include_directories(ota_verify_cost PRIVATE ${CMAKE_SOURCE_DIR}/device-sdk/src/ota
                                                   ${CMAKE_SOURCE_DIR}/tests/target)
target_compile_definitions(ota_verify_cost PRIVATE SOTTO_OTA_CRYPTO_MBEDTLS=1)
target_link_libraries(ota_verify_cost PRIVATE sotto_ota sotto_port_target)
sotto_device_code(ota_verify_cost)
