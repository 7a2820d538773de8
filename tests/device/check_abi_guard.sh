#!/bin/sh
# sotto/abi.h stops a compile whose flags disagree with the SDK libraries, instead of letting it
# corrupt data at run time. Compiles one file including every public header with
# arm-none-eabi-gcc:
#   1. the compiler's defaults (short enums)          -> fails, naming -fno-short-enums
#   2. packaged Cortex-M4 define with soft float      -> fails, naming -mfloat-abi=hard
#   3. packaged Cortex-M0 define with hard float      -> fails, naming -mfloat-abi=soft
#   4. the flags the packaged targets give            -> compiles
# Usage: check_abi_guard.sh ARM_GCC SDK_INCLUDE_DIR WORK_DIR
set -eu
cc=$1 include=$2 work=$3
mkdir -p "$work"
probe=$work/abi_probe.c
cat > "$probe" <<'C'
#include "sotto/device.h"
#include "sotto/model.h"
#include "sotto/ota.h"
#include "sotto/ota_model_self_test.h"
int abi_probe_event_bytes(void) { return (int)sizeof(sotto_event_t); }
C
m4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"

expect_failure() {  # expect_failure CASE EXPECTED_TEXT FLAGS...
  name=$1 text=$2
  shift 2
  if "$cc" "$@" -I"$include" -c "$probe" -o "$work/probe.o" > "$work/$name.log" 2>&1; then
    echo "$name: compiled, expected an error naming '$text'"
    exit 1
  fi
  if ! grep -qF -- "$text" "$work/$name.log"; then
    echo "$name: the error does not name '$text':"
    cat "$work/$name.log"
    exit 1
  fi
}

# shellcheck disable=SC2086  # the flag strings are meant to split
expect_failure short_enums "-fno-short-enums" $m4
expect_failure m4_soft_float "-mfloat-abi=hard" -fno-short-enums -DSOTTO_SDK_TARGET_CORTEX_M4 \
  -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
expect_failure m0_hard_float "-mfloat-abi=soft" -fno-short-enums -DSOTTO_SDK_TARGET_CORTEX_M0 $m4
# shellcheck disable=SC2086
"$cc" $m4 -fno-short-enums -DSOTTO_SDK_TARGET_CORTEX_M4 -Wall -Wextra -Werror -I"$include" \
  -c "$probe" -o "$work/probe.o" || { echo "the packaged Cortex-M4 flags did not compile"; exit 1; }
echo "abi guard ok"
