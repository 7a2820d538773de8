# The on-target test suites: <suite>_test.cpp each, run on the host and under QEMU.
set(sotto_target_suites codec queue storage device port crypto ota)
