// The persistent boot counter kept in the STATE region's reserved sectors.
#ifndef SOTTO_DEVICE_BOOT_COUNTER_H
#define SOTTO_DEVICE_BOOT_COUNTER_H

#include <stdint.h>

#include "sotto/port.h"

namespace sotto {

// Reads the last saved counter (0 on blank storage), saves counter + 1 and returns it.
sotto_err_t boot_counter_advance(const sotto_storage_port_t &storage, uint32_t *out_counter);

}  // namespace sotto

#endif  // SOTTO_DEVICE_BOOT_COUNTER_H
