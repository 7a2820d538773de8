// RAM-backed NOR storage port with the power-cut fault model (see sotto/port_ram_storage.h).
#include <string.h>

#include "sotto/port_ram_storage.h"

namespace {

sotto_ram_storage_t *self(void *ctx) {
  return static_cast<sotto_ram_storage_t *>(ctx);
}

uint32_t region_size(const sotto_ram_storage_t *s, sotto_storage_region_t region) {
  switch (region) {
    case SOTTO_REGION_STATE:
      return s->state_bytes;
    case SOTTO_REGION_SLOT_A:
    case SOTTO_REGION_SLOT_B:
      return s->slot_bytes;
    case SOTTO_REGION_QUEUE:
      return s->queue_bytes;
  }
  return 0;
}

uint8_t *region_base(sotto_ram_storage_t *s, sotto_storage_region_t region) {
  if (region_size(s, region) == 0) {
    return nullptr;
  }
  switch (region) {
    case SOTTO_REGION_STATE:
      return s->memory;
    case SOTTO_REGION_SLOT_A:
      return s->memory + s->state_bytes;
    case SOTTO_REGION_SLOT_B:
      return s->memory + s->state_bytes + s->slot_bytes;
    case SOTTO_REGION_QUEUE:
      return s->memory + s->state_bytes + 2u * static_cast<size_t>(s->slot_bytes);
  }
  return nullptr;
}

bool in_range(const sotto_ram_storage_t *s, sotto_storage_region_t region, uint32_t offset,
              size_t len) {
  uint32_t size = region_size(s, region);
  return size > 0 && offset <= size && len <= size - offset;
}

enum class Power { kOn, kInterrupted, kOff };

// Consumes one operation of the power budget: kInterrupted for the op the cut lands in (it may
// do part of its work), kOff for every op after it.
Power take_power(sotto_ram_storage_t *s) {
  if (s->power_cut) {
    return Power::kOff;
  }
  if (s->cut_armed) {
    if (s->ops_until_cut == 0) {
      s->power_cut = 1;
      return Power::kInterrupted;
    }
    --s->ops_until_cut;
  }
  return Power::kOn;
}

// How many of the op's range_bits the interrupted op changes.
uint64_t interrupted_bits(const sotto_ram_storage_t *s, uint64_t range_bits, bool *from_end) {
  *from_end = false;
  if (s->tear_explicit) {
    *from_end = s->tear.from_end != 0;
    return s->tear.bits < range_bits ? s->tear.bits : range_bits;
  }
  return s->tear_interrupted_write ? range_bits / 2 : 0;
}

// Applies the first `bits` bit positions of a len-byte op to dst: a write (erase == false) ANDs
// in src's bits, an erase sets them. Position p is bit p % 8 of byte p / 8, or counted from the
// range's last bit backwards when from_end.
void apply_bits(uint8_t *dst, const uint8_t *src, size_t len, uint64_t bits, bool from_end,
                bool erase) {
  for (uint64_t p = 0; p < bits; ++p) {
    const size_t index = static_cast<size_t>(p / 8);
    const unsigned bit = static_cast<unsigned>(p % 8);
    const size_t byte = from_end ? len - 1 - index : index;
    const uint8_t mask = static_cast<uint8_t>(1u << (from_end ? 7 - bit : bit));
    if (erase) {
      dst[byte] = static_cast<uint8_t>(dst[byte] | mask);
    } else if ((src[byte] & mask) == 0) {
      dst[byte] = static_cast<uint8_t>(dst[byte] & ~mask);
    }
  }
}

uint32_t port_region_bytes(void *ctx, sotto_storage_region_t region) {
  return region_size(self(ctx), region);
}

uint32_t port_sector_bytes(void *ctx) {
  return self(ctx)->sector_bytes;
}

sotto_err_t port_read(void *ctx, sotto_storage_region_t region, uint32_t offset, void *out,
                      size_t len) {
  sotto_ram_storage_t *s = self(ctx);
  if (out == nullptr || !in_range(s, region, offset, len)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memcpy(out, region_base(s, region) + offset, len);
  return SOTTO_OK;
}

sotto_err_t port_write(void *ctx, sotto_storage_region_t region, uint32_t offset, const void *data,
                       size_t len) {
  sotto_ram_storage_t *s = self(ctx);
  if (data == nullptr || !in_range(s, region, offset, len)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  uint8_t *dst = region_base(s, region) + offset;
  const uint8_t *src = static_cast<const uint8_t *>(data);
  for (size_t i = 0; i < len; ++i) {
    if ((src[i] & ~dst[i]) != 0) {
      return SOTTO_ERR_STORAGE;  // would set a 0 bit back to 1
    }
  }
  switch (take_power(s)) {
    case Power::kOff:
      return SOTTO_ERR_STORAGE;
    case Power::kInterrupted: {
      bool from_end = false;
      const uint64_t bits = interrupted_bits(s, static_cast<uint64_t>(len) * 8u, &from_end);
      apply_bits(dst, src, len, bits, from_end, false);
      return SOTTO_ERR_STORAGE;
    }
    case Power::kOn:
      break;
  }
  for (size_t i = 0; i < len; ++i) {
    dst[i] = static_cast<uint8_t>(dst[i] & src[i]);
  }
  ++s->op_count;
  return SOTTO_OK;
}

sotto_err_t port_erase(void *ctx, sotto_storage_region_t region, uint32_t offset, size_t len) {
  sotto_ram_storage_t *s = self(ctx);
  if (!in_range(s, region, offset, len) || offset % s->sector_bytes != 0 ||
      len % s->sector_bytes != 0) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  uint8_t *dst = region_base(s, region) + offset;
  switch (take_power(s)) {
    case Power::kOff:
      return SOTTO_ERR_STORAGE;
    case Power::kInterrupted: {
      bool from_end = false;
      const uint64_t bits = interrupted_bits(s, static_cast<uint64_t>(len) * 8u, &from_end);
      apply_bits(dst, nullptr, len, bits, from_end, true);
      return SOTTO_ERR_STORAGE;
    }
    case Power::kOn:
      break;
  }
  memset(dst, 0xFF, len);
  ++s->op_count;
  return SOTTO_OK;
}

const uint8_t *port_map(void *ctx, sotto_storage_region_t region) {
  return region_base(self(ctx), region);
}

// In 64 bits: on 32-bit targets the sum could wrap and pass the memory check.
uint64_t total_bytes(const sotto_ram_storage_config_t &config) {
  return static_cast<uint64_t>(config.state_bytes) + 2u * static_cast<uint64_t>(config.slot_bytes) +
         config.queue_bytes;
}

void arm_cut(sotto_ram_storage_t *storage, uint64_t ops) {
  storage->cut_armed = 1;
  storage->ops_until_cut = ops;
  storage->power_cut = 0;
}

}  // namespace

extern "C" sotto_err_t sotto_ram_storage_init(sotto_ram_storage_t *storage,
                                              const sotto_ram_storage_config_t *config) {
  if (storage == nullptr || config == nullptr || config->memory == nullptr ||
      config->sector_bytes == 0 || config->state_bytes == 0 ||
      config->state_bytes % config->sector_bytes != 0 ||
      config->slot_bytes % config->sector_bytes != 0 ||
      config->queue_bytes % config->sector_bytes != 0 ||
      config->memory_bytes < total_bytes(*config)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memset(storage, 0, sizeof *storage);
  storage->memory = config->memory;
  storage->sector_bytes = config->sector_bytes;
  storage->state_bytes = config->state_bytes;
  storage->slot_bytes = config->slot_bytes;
  storage->queue_bytes = config->queue_bytes;
  storage->tear_interrupted_write = config->tear_interrupted_write;
  if (config->keep_contents == 0) {
    memset(storage->memory, 0xFF, static_cast<size_t>(total_bytes(*config)));
  }
  return SOTTO_OK;
}

extern "C" sotto_storage_port_t sotto_ram_storage_port(sotto_ram_storage_t *storage) {
  sotto_storage_port_t port;
  port.ctx = storage;
  port.region_bytes = port_region_bytes;
  port.sector_bytes = port_sector_bytes;
  port.read = port_read;
  port.write = port_write;
  port.erase = port_erase;
  port.map = port_map;
  return port;
}

extern "C" void sotto_ram_storage_cut_power_after(sotto_ram_storage_t *storage, uint64_t ops) {
  arm_cut(storage, ops);
  storage->tear_explicit = 0;
}

extern "C" void sotto_ram_storage_cut_power_during(sotto_ram_storage_t *storage, uint64_t ops,
                                                   sotto_ram_storage_tear_t tear) {
  arm_cut(storage, ops);
  storage->tear_explicit = 1;
  storage->tear = tear;
}

extern "C" void sotto_ram_storage_restore_power(sotto_ram_storage_t *storage) {
  storage->cut_armed = 0;
  storage->power_cut = 0;
}

extern "C" uint64_t sotto_ram_storage_op_count(const sotto_ram_storage_t *storage) {
  return storage->op_count;
}

extern "C" int sotto_ram_storage_power_is_cut(const sotto_ram_storage_t *storage) {
  return storage->power_cut;
}
