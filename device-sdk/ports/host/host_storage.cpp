// Host storage port: a NOR flash model (sector erase to 0xFF, writes only clear bits) in RAM or
// in a memory-mapped file, with power-cut injection for update and boot-counter tests.
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <new>
#include <vector>

#include "sotto/port_host.h"

struct sotto_host_storage {
  uint32_t sector_bytes = 0;
  uint32_t region_bytes[3] = {0, 0, 0};
  uint32_t region_offset[3] = {0, 0, 0};
  size_t total_bytes = 0;
  std::vector<uint8_t> ram;   // RAM mode
  uint8_t *mapped = nullptr;  // file mode
  uint8_t *bytes = nullptr;   // whichever of the two holds the regions
  bool tear_interrupted_write = false;
  uint64_t op_count = 0;
  bool cut_armed = false;
  uint64_t ops_left_before_cut = 0;
  bool power_cut = false;
};

namespace {

bool valid_region(const sotto_host_storage_t &storage, sotto_storage_region_t region) {
  bool known = region == SOTTO_REGION_STATE || region == SOTTO_REGION_SLOT_A ||
               region == SOTTO_REGION_SLOT_B;
  return known && storage.region_bytes[region] > 0;
}

bool in_range(const sotto_host_storage_t &storage, sotto_storage_region_t region, uint32_t offset,
              size_t len) {
  if (!valid_region(storage, region)) {
    return false;
  }
  uint64_t end = static_cast<uint64_t>(offset) + len;
  return end <= storage.region_bytes[region];
}

uint8_t *region_start(sotto_host_storage_t &storage, sotto_storage_region_t region) {
  return storage.bytes + storage.region_offset[region];
}

// Decides whether the next write or erase still has power; a refused op sets power_cut.
bool take_power(sotto_host_storage_t &storage) {
  if (storage.power_cut) {
    return false;
  }
  if (storage.cut_armed) {
    if (storage.ops_left_before_cut == 0) {
      storage.power_cut = true;
      return false;
    }
    storage.ops_left_before_cut -= 1;
  }
  return true;
}

uint32_t region_bytes(void *ctx, sotto_storage_region_t region) {
  auto *storage = static_cast<sotto_host_storage_t *>(ctx);
  return valid_region(*storage, region) ? storage->region_bytes[region] : 0;
}

uint32_t sector_bytes(void *ctx) {
  return static_cast<sotto_host_storage_t *>(ctx)->sector_bytes;
}

sotto_err_t read(void *ctx, sotto_storage_region_t region, uint32_t offset, void *out, size_t len) {
  auto *storage = static_cast<sotto_host_storage_t *>(ctx);
  if (out == nullptr || !in_range(*storage, region, offset, len)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  memcpy(out, region_start(*storage, region) + offset, len);
  return SOTTO_OK;
}

sotto_err_t write(void *ctx, sotto_storage_region_t region, uint32_t offset, const void *data,
                  size_t len) {
  auto *storage = static_cast<sotto_host_storage_t *>(ctx);
  if (data == nullptr || !in_range(*storage, region, offset, len)) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  uint8_t *target = region_start(*storage, region) + offset;
  const auto *source = static_cast<const uint8_t *>(data);
  for (size_t i = 0; i < len; ++i) {
    if ((target[i] & source[i]) != source[i]) {
      return SOTTO_ERR_STORAGE;  // would set a 0 bit
    }
  }
  bool first_refusal = !storage->power_cut;
  if (!take_power(*storage)) {
    if (storage->tear_interrupted_write && first_refusal) {
      for (size_t i = 0; i < len / 2; ++i) {
        target[i] &= source[i];
      }
    }
    return SOTTO_ERR_STORAGE;
  }
  for (size_t i = 0; i < len; ++i) {
    target[i] &= source[i];
  }
  storage->op_count += 1;
  return SOTTO_OK;
}

sotto_err_t erase(void *ctx, sotto_storage_region_t region, uint32_t offset, size_t len) {
  auto *storage = static_cast<sotto_host_storage_t *>(ctx);
  if (!in_range(*storage, region, offset, len) || offset % storage->sector_bytes != 0 ||
      len % storage->sector_bytes != 0) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  if (!take_power(*storage)) {
    return SOTTO_ERR_STORAGE;
  }
  memset(region_start(*storage, region) + offset, 0xff, len);
  storage->op_count += 1;
  return SOTTO_OK;
}

const uint8_t *map(void *ctx, sotto_storage_region_t region) {
  auto *storage = static_cast<sotto_host_storage_t *>(ctx);
  return valid_region(*storage, region) ? region_start(*storage, region) : nullptr;
}

// Maps the file, creating it erased when it is missing or has another size.
bool map_file(sotto_host_storage_t *storage, const char *path) {
  int fd = ::open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return false;
  }
  struct stat info {};
  bool fresh = ::fstat(fd, &info) != 0 || static_cast<size_t>(info.st_size) != storage->total_bytes;
  if (fresh && ::ftruncate(fd, static_cast<off_t>(storage->total_bytes)) != 0) {
    ::close(fd);
    return false;
  }
  void *memory = ::mmap(nullptr, storage->total_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (memory == MAP_FAILED) {
    return false;
  }
  storage->mapped = static_cast<uint8_t *>(memory);
  if (fresh) {
    memset(storage->mapped, 0xff, storage->total_bytes);
  }
  return true;
}

}  // namespace

extern "C" sotto_err_t sotto_host_storage_create(const sotto_host_storage_config_t *config,
                                                 sotto_host_storage_t **out) {
  if (config == nullptr || out == nullptr || config->sector_bytes == 0 ||
      config->state_bytes == 0 || config->state_bytes % config->sector_bytes != 0 ||
      config->slot_bytes % config->sector_bytes != 0) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  auto *storage = new (std::nothrow) sotto_host_storage();
  if (storage == nullptr) {
    return SOTTO_ERR_STORAGE;
  }
  storage->sector_bytes = config->sector_bytes;
  storage->region_bytes[SOTTO_REGION_STATE] = config->state_bytes;
  storage->region_bytes[SOTTO_REGION_SLOT_A] = config->slot_bytes;
  storage->region_bytes[SOTTO_REGION_SLOT_B] = config->slot_bytes;
  storage->region_offset[SOTTO_REGION_SLOT_A] = config->state_bytes;
  storage->region_offset[SOTTO_REGION_SLOT_B] = config->state_bytes + config->slot_bytes;
  storage->total_bytes =
      static_cast<size_t>(config->state_bytes) + 2u * static_cast<size_t>(config->slot_bytes);
  storage->tear_interrupted_write = config->tear_interrupted_write != 0;
  if (config->file_path != nullptr) {
    if (!map_file(storage, config->file_path)) {
      delete storage;
      return SOTTO_ERR_STORAGE;
    }
    storage->bytes = storage->mapped;
  } else {
    storage->ram.assign(storage->total_bytes, 0xff);
    storage->bytes = storage->ram.data();
  }
  *out = storage;
  return SOTTO_OK;
}

extern "C" void sotto_host_storage_destroy(sotto_host_storage_t *storage) {
  if (storage == nullptr) {
    return;
  }
  if (storage->mapped != nullptr) {
    ::munmap(storage->mapped, storage->total_bytes);
  }
  delete storage;
}

extern "C" sotto_storage_port_t sotto_host_storage_port(sotto_host_storage_t *storage) {
  sotto_storage_port_t port = {storage, region_bytes, sector_bytes, read, write, erase, map};
  return port;
}

extern "C" void sotto_host_storage_cut_power_after(sotto_host_storage_t *storage, uint64_t ops) {
  if (storage == nullptr) {
    return;
  }
  storage->cut_armed = true;
  storage->ops_left_before_cut = ops;
  storage->power_cut = false;
}

extern "C" void sotto_host_storage_restore_power(sotto_host_storage_t *storage) {
  if (storage == nullptr) {
    return;
  }
  storage->cut_armed = false;
  storage->power_cut = false;
}

extern "C" uint64_t sotto_host_storage_op_count(const sotto_host_storage_t *storage) {
  return storage == nullptr ? 0 : storage->op_count;
}

extern "C" int sotto_host_storage_power_is_cut(const sotto_host_storage_t *storage) {
  return storage != nullptr && storage->power_cut ? 1 : 0;
}
