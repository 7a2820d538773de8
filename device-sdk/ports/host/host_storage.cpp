// Host storage port: the RAM NOR model and its power-cut fault model (sotto/port_ram_storage.h)
// over host memory or a memory-mapped file, so host and QEMU tests cut power the same way.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <new>
#include <vector>

#include "sotto/port_host.h"

struct sotto_host_storage {
  std::vector<uint8_t> ram;   // RAM mode
  uint8_t *mapped = nullptr;  // file mode
  size_t total_bytes = 0;
  sotto_ram_storage_t nor{};
};

namespace {

// Maps the file; *fresh tells whether it was missing or had another size (it is then resized
// and must be erased).
bool map_file(sotto_host_storage_t *storage, const char *path, bool *fresh) {
  int fd = ::open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return false;
  }
  struct stat info {};
  *fresh = ::fstat(fd, &info) != 0 || static_cast<size_t>(info.st_size) != storage->total_bytes;
  if (*fresh && ::ftruncate(fd, static_cast<off_t>(storage->total_bytes)) != 0) {
    ::close(fd);
    return false;
  }
  void *memory = ::mmap(nullptr, storage->total_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (memory == MAP_FAILED) {
    return false;
  }
  storage->mapped = static_cast<uint8_t *>(memory);
  return true;
}

}  // namespace

extern "C" sotto_err_t sotto_host_storage_create(const sotto_host_storage_config_t *config,
                                                 sotto_host_storage_t **out) {
  if (config == nullptr || out == nullptr || config->sector_bytes == 0 ||
      config->state_bytes == 0 || config->state_bytes % config->sector_bytes != 0 ||
      config->slot_bytes % config->sector_bytes != 0 ||
      config->queue_bytes % config->sector_bytes != 0) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  auto *storage = new (std::nothrow) sotto_host_storage();
  if (storage == nullptr) {
    return SOTTO_ERR_STORAGE;
  }
  storage->total_bytes = static_cast<size_t>(config->state_bytes) +
                         2u * static_cast<size_t>(config->slot_bytes) + config->queue_bytes;
  sotto_ram_storage_config_t nor{};
  nor.sector_bytes = config->sector_bytes;
  nor.state_bytes = config->state_bytes;
  nor.slot_bytes = config->slot_bytes;
  nor.queue_bytes = config->queue_bytes;
  nor.memory_bytes = storage->total_bytes;
  nor.tear_interrupted_write = config->tear_interrupted_write;
  if (config->file_path != nullptr) {
    bool fresh = false;
    if (!map_file(storage, config->file_path, &fresh)) {
      delete storage;
      return SOTTO_ERR_STORAGE;
    }
    nor.memory = storage->mapped;
    nor.keep_contents = fresh ? 0 : 1;
  } else {
    storage->ram.resize(storage->total_bytes);
    nor.memory = storage->ram.data();
  }
  if (sotto_ram_storage_init(&storage->nor, &nor) != SOTTO_OK) {
    sotto_host_storage_destroy(storage);
    return SOTTO_ERR_INVALID_ARGUMENT;
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
  return sotto_ram_storage_port(&storage->nor);
}

extern "C" void sotto_host_storage_cut_power_after(sotto_host_storage_t *storage, uint64_t ops) {
  if (storage != nullptr) {
    sotto_ram_storage_cut_power_after(&storage->nor, ops);
  }
}

extern "C" void sotto_host_storage_cut_power_during(sotto_host_storage_t *storage, uint64_t ops,
                                                    sotto_ram_storage_tear_t tear) {
  if (storage != nullptr) {
    sotto_ram_storage_cut_power_during(&storage->nor, ops, tear);
  }
}

extern "C" void sotto_host_storage_restore_power(sotto_host_storage_t *storage) {
  if (storage != nullptr) {
    sotto_ram_storage_restore_power(&storage->nor);
  }
}

extern "C" uint64_t sotto_host_storage_op_count(const sotto_host_storage_t *storage) {
  return storage == nullptr ? 0 : sotto_ram_storage_op_count(&storage->nor);
}

extern "C" int sotto_host_storage_power_is_cut(const sotto_host_storage_t *storage) {
  return storage != nullptr && sotto_ram_storage_power_is_cut(&storage->nor) != 0 ? 1 : 0;
}
