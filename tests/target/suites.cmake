# The on-target test suites: <suite>_test.cpp each, run on the host and under QEMU.
set(sotto_target_suites codec queue storage device port crypto ota)
# Targets that run fewer (sotto_target_suites_<target>): the Cortex-M0's nRF51 has 16 KB of RAM,
# and the OTA suite's statics alone (its update engine, staged model and mbedTLS pool) take
# 16,756 B on the M4.
set(sotto_target_suites_cortex-m0 codec queue storage device port crypto)

# sotto_target_suites_of(TARGET OUT): the suites TARGET runs.
function(sotto_target_suites_of target out)
  if(DEFINED sotto_target_suites_${target})
    set(${out} ${sotto_target_suites_${target}} PARENT_SCOPE)
  else()
    set(${out} ${sotto_target_suites} PARENT_SCOPE)
  endif()
endfunction()
