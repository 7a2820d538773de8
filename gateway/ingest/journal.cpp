// The ingest journal (see the header): segment files, records with length and CRC, recovery.
#include "journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "file_bytes.h"
#include "log.h"

namespace sotto::gw {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'S', 'O', 'T', 'J', 'R', 'N', 'L', '1'};
constexpr uint64_t kHeaderBytes = sizeof kMagic;
constexpr uint64_t kRecordHeaderBytes = 8;  // length, CRC
constexpr uint32_t kMaxBodyBytes = 16 << 20;
// A read takes at most this much of a segment at once; larger than any record the MQTT client
// accepts (1 MiB packets), so a whole record always fits.
constexpr uint64_t kReadChunkBytes = 4 << 20;

uint32_t crc32_of(const uint8_t *data, size_t size) {
  boost::crc_32_type crc;
  crc.process_bytes(data, size);
  return crc.checksum();
}

void put_u32(std::vector<uint8_t> &out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

uint32_t get_u32(const uint8_t *in) {
  return uint32_t{in[0]} | (uint32_t{in[1]} << 8) | (uint32_t{in[2]} << 16) |
         (uint32_t{in[3]} << 24);
}

bool before(const JournalPosition &a, const JournalPosition &b) {
  return a.segment < b.segment || (a.segment == b.segment && a.offset < b.offset);
}

std::string system_error(const std::string &what, const std::string &path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Bytes [from, to) of a file (fewer if it is shorter).
std::vector<uint8_t> read_range(const std::string &path, uint64_t from, uint64_t to) {
  std::vector<uint8_t> bytes;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || to <= from) {
    if (fd >= 0) ::close(fd);
    return bytes;
  }
  const uint64_t limit = to - from;
  bytes.resize(limit);
  size_t have = 0;
  while (have < limit) {
    const ssize_t got =
        ::pread(fd, bytes.data() + have, limit - have, static_cast<off_t>(from + have));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    have += static_cast<size_t>(got);
  }
  ::close(fd);
  bytes.resize(have);
  return bytes;
}

// Parses one record at `at`; its total size, or 0 when no whole valid record is there.
uint64_t parse_record(const std::vector<uint8_t> &bytes, uint64_t at, ReceivedMessage *out) {
  if (bytes.size() - at < kRecordHeaderBytes) return 0;
  const uint32_t length = get_u32(bytes.data() + at);
  const uint32_t crc = get_u32(bytes.data() + at + 4);
  if (length < 10 || length > kMaxBodyBytes || bytes.size() - at - kRecordHeaderBytes < length)
    return 0;
  const uint8_t *body = bytes.data() + at + kRecordHeaderBytes;
  if (crc32_of(body, length) != crc) return 0;
  const uint16_t topic_bytes = static_cast<uint16_t>(body[8] | (body[9] << 8));
  if (10u + topic_bytes > length) return 0;
  if (out != nullptr) {
    uint64_t received = 0;
    for (int i = 7; i >= 0; --i) received = (received << 8) | body[i];
    out->received_ms = static_cast<int64_t>(received);
    out->topic.assign(reinterpret_cast<const char *>(body + 10), topic_bytes);
    out->payload.assign(body + 10 + topic_bytes, body + length);
  }
  return kRecordHeaderBytes + length;
}

}  // namespace

Journal::Journal(JournalOptions options, const JournalPosition &applied)
    : options_(std::move(options)) {
  std::error_code error;
  fs::create_directories(options_.dir, error);
  if (error) {
    throw std::runtime_error("journal: cannot create " + options_.dir + ": " + error.message() +
                             " (it lives beside store.path)");
  }
  std::vector<int64_t> segments;
  for (const auto &entry : fs::directory_iterator(options_.dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".journal") continue;
    segments.push_back(std::stoll(name.substr(0, name.find('.'))));
  }
  std::sort(segments.begin(), segments.end());
  // Segments before the applied one are in the store already.
  while (!segments.empty() && segments.front() < applied.segment) {
    fs::remove(segment_path(segments.front()));
    segments.erase(segments.begin());
  }
  if (segments.empty()) {
    first_segment_ = std::max<int64_t>(applied.segment + (applied.offset > 0 ? 1 : 0), 1);
    open_for_append(first_segment_, true);
  } else {
    first_segment_ = segments.front();
    const int64_t last = segments.back();
    const std::string path = segment_path(last);
    const uint64_t size = fs::file_size(path);
    const uint64_t valid = valid_length(path, size);
    if (valid < kHeaderBytes) {
      fs::remove(path);  // not even a header: a segment whose creation was cut short
      open_for_append(last, true);
    } else {
      if (valid < size) {
        log_line(LogLevel::kWarning, "journal: cut " + std::to_string(size - valid) +
                                         " bytes of an unfinished record at the end of " + path +
                                         " (written, never acknowledged)");
        if (::truncate(path.c_str(), static_cast<off_t>(valid)) != 0)
          throw std::runtime_error(system_error("journal: cannot cut", path));
      }
      open_for_append(last, false);
    }
  }
  // The backlog the store has not applied yet.
  uint64_t backlog = 0;
  for (int64_t segment = first_segment_; segment <= segment_; ++segment) {
    std::error_code size_error;
    const uint64_t bytes =
        segment == segment_ ? size_ : fs::file_size(segment_path(segment), size_error);
    if (size_error) continue;
    uint64_t from = kHeaderBytes;
    if (segment == applied.segment)
      from = std::max<uint64_t>(from, static_cast<uint64_t>(applied.offset));
    if (bytes > from) backlog += bytes - from;
  }
  appended_bytes_ = backlog;
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

std::string Journal::segment_path(int64_t segment) const {
  char name[40];
  std::snprintf(name, sizeof name, "%016lld.journal", static_cast<long long>(segment));
  return (fs::path(options_.dir) / name).string();
}

JournalPosition Journal::start() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return JournalPosition{first_segment_, static_cast<int64_t>(kHeaderBytes)};
}

uint64_t Journal::valid_length(const std::string &path, uint64_t size) const {
  const std::vector<uint8_t> bytes = read_range(path, 0, size);
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, kHeaderBytes) != 0) return 0;
  uint64_t at = kHeaderBytes;
  while (const uint64_t record = parse_record(bytes, at, nullptr)) at += record;
  return at;
}

void Journal::open_for_append(int64_t segment, bool create) {
  const std::string path = segment_path(segment);
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0640);
  if (fd < 0) throw std::runtime_error(system_error("journal: cannot open", path));
  if (create) {
    if (::write(fd, kMagic, kHeaderBytes) != static_cast<ssize_t>(kHeaderBytes) ||
        (options_.sync_each_append && ::fdatasync(fd) != 0)) {
      const std::string message = system_error("journal: cannot start", path);
      ::close(fd);
      ::unlink(path.c_str());
      throw std::runtime_error(message);
    }
    if (options_.sync_each_append) sync_directory_of(path);
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segment_ = segment;
  size_ = create ? kHeaderBytes : fs::file_size(path);
  std::lock_guard<std::mutex> lock(mutex_);
  end_ = JournalPosition{segment_, static_cast<int64_t>(size_)};
}

bool Journal::append(const std::vector<ReceivedMessage> &batch, std::string *why) {
  if (unapplied_bytes() > options_.max_unapplied_bytes) {
    *why = "journal holds " + std::to_string(unapplied_bytes()) +
           " bytes the store has not taken yet, over ingest.journal_max_bytes (" +
           std::to_string(options_.max_unapplied_bytes) + ")";
    return false;
  }
  if (size_ >= options_.segment_bytes) {
    try {
      open_for_append(segment_ + 1, true);
    } catch (const std::exception &error) {
      *why = std::string(error.what()) + " (free space under " + options_.dir + ")";
      return false;
    }
  }
  buffer_.clear();
  for (const ReceivedMessage &message : batch) {
    const size_t at = buffer_.size();
    const uint32_t topic_bytes =
        static_cast<uint32_t>(std::min<size_t>(message.topic.size(), 0xffff));
    const uint32_t length = 10 + topic_bytes + static_cast<uint32_t>(message.payload.size());
    put_u32(buffer_, length);
    put_u32(buffer_, 0);  // CRC, filled in below
    const uint64_t received = static_cast<uint64_t>(message.received_ms);
    for (int i = 0; i < 8; ++i) buffer_.push_back(static_cast<uint8_t>(received >> (8 * i)));
    buffer_.push_back(static_cast<uint8_t>(topic_bytes & 0xff));
    buffer_.push_back(static_cast<uint8_t>(topic_bytes >> 8));
    buffer_.insert(buffer_.end(), message.topic.begin(), message.topic.begin() + topic_bytes);
    buffer_.insert(buffer_.end(), message.payload.begin(), message.payload.end());
    const uint32_t crc = crc32_of(buffer_.data() + at + kRecordHeaderBytes, length);
    for (int i = 0; i < 4; ++i) buffer_[at + 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
  }
  size_t written = 0;
  while (written < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  if (written < buffer_.size() || (options_.sync_each_append && ::fdatasync(fd_) != 0)) {
    *why = system_error("journal: cannot write", segment_path(segment_)) + " (free space under " +
           options_.dir + ")";
    // Leave no partial record behind: the next append starts on a record boundary.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      try {
        open_for_append(segment_ + 1, true);
      } catch (const std::exception &) {
      }
    }
    return false;
  }
  size_ += buffer_.size();
  appended_bytes_ += buffer_.size();
  records_appended_ += batch.size();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    end_ = JournalPosition{segment_, static_cast<int64_t>(size_)};
  }
  appended_.notify_all();
  return true;
}

JournalRead Journal::read(const JournalPosition &from_position, size_t max_records,
                          std::chrono::milliseconds wait) {
  JournalPosition end;
  JournalRead result;
  result.end = from_position;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    const JournalPosition first{first_segment_, static_cast<int64_t>(kHeaderBytes)};
    if (before(result.end, first)) result.end = first;
    appended_.wait_for(lock, wait, [&] { return woken_ || before(result.end, end_); });
    woken_ = false;
    end = end_;
  }
  JournalPosition &at = result.end;
  while (before(at, end) && result.messages.size() < max_records) {
    const std::string path = segment_path(at.segment);
    std::error_code size_error;
    const uint64_t limit = at.segment == end.segment ? static_cast<uint64_t>(end.offset)
                                                     : fs::file_size(path, size_error);
    const uint64_t first = std::max<uint64_t>(static_cast<uint64_t>(at.offset), kHeaderBytes);
    const uint64_t last = std::min(limit, first + kReadChunkBytes);
    const std::vector<uint8_t> bytes =
        size_error ? std::vector<uint8_t>() : read_range(path, first, last);
    uint64_t offset = 0;
    while (result.messages.size() < max_records) {
      ReceivedMessage message;
      const uint64_t size = bytes.size() > offset ? parse_record(bytes, offset, &message) : 0;
      if (size == 0) break;
      offset += size;
      result.bytes += size;
      result.messages.push_back(std::move(message));
    }
    at.offset = static_cast<int64_t>(first + offset);
    if (result.messages.size() >= max_records || at.segment == end.segment) break;
    if (last < limit && offset > 0) continue;  // more of this segment than one chunk
    // The end of this segment (or a torn tail a power cut left): on to the next one.
    at = JournalPosition{at.segment + 1, static_cast<int64_t>(kHeaderBytes)};
  }
  return result;
}

void Journal::applied(const JournalRead &read) {
  applied_bytes_ += read.bytes;
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t delete_before = std::min(read.end.segment, end_.segment);
  for (; first_segment_ < delete_before; ++first_segment_) {
    std::error_code ignored;
    fs::remove(segment_path(first_segment_), ignored);
  }
}

void Journal::wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  appended_.notify_all();
}

}  // namespace sotto::gw
