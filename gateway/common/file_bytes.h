// Whole-file reads and crash-safe whole-file writes for the gateway's tools and daemon
// (models, bundles, keys): a file written here is either complete or absent, never torn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sotto::gw {

// Every byte of the file; throws std::runtime_error naming the path when it cannot be read.
std::vector<uint8_t> read_file_bytes(const std::string &path);

// Writes PATH.tmp, flushes it to disk, then renames it over PATH; throws naming the step that
// failed. A crash at any moment leaves the old file or the new one.
void write_file_atomically(const std::string &path, const void *data, size_t bytes);

// Flushes a file's data to disk; throws naming the path.
void sync_file(const std::string &path);
// Flushes the directory holding path, so a file created or renamed there survives a power cut.
void sync_directory_of(const std::string &path);

}  // namespace sotto::gw
