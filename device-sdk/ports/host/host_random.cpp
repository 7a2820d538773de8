// Host random port: the OS's entropy, or a seeded splitmix64 for reproducible tests.
#include <sys/random.h>

#include "sotto/port_host.h"

namespace {

uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint32_t next_u32(void *ctx) {
  auto *random = static_cast<sotto_host_random_t *>(ctx);
  if (random->use_os) {
    uint32_t value = 0;
    if (getrandom(&value, sizeof value, 0) == static_cast<ssize_t>(sizeof value)) {
      return value;
    }
    // getrandom cannot fail for 4 bytes once the pool is initialised; fall back regardless.
  }
  return static_cast<uint32_t>(splitmix64(&random->state) >> 32);
}

}  // namespace

extern "C" void sotto_host_random_init_os(sotto_host_random_t *random) {
  random->use_os = 1;
  random->state = 0;
}

extern "C" void sotto_host_random_init_seeded(sotto_host_random_t *random, uint64_t seed) {
  random->use_os = 0;
  random->state = seed;
}

extern "C" sotto_random_port_t sotto_host_random_port(sotto_host_random_t *random) {
  sotto_random_port_t port = {random, next_u32};
  return port;
}
