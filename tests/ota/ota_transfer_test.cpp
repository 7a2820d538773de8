// The gateway's per-device transfer against the real device engine, message by message (no
// broker: the bytes are exactly what would travel). Clean runs, a reboot mid-transfer, and the
// bytes-on-the-wire bound.
#include <gtest/gtest.h>
#include <pb_decode.h>

#include <deque>

#include "device_transfer.h"
#include "ota_fixture.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 6000;
constexpr uint32_t kTransferChunkBytes = 512;
constexpr uint32_t kWindowChunks = 4;

sotto_v1_OtaStatus device_status(OtaDevice &device) {
  uint8_t bytes[SOTTO_OTA_STATUS_MAX_BYTES];
  size_t len = 0;
  EXPECT_EQ(sotto_ota_encode_status(&device.ota(), bytes, sizeof bytes, &len), SOTTO_OK);
  sotto_v1_OtaStatus status = sotto_v1_OtaStatus_init_zero;
  pb_istream_t in = pb_istream_from_buffer(bytes, len);
  EXPECT_TRUE(pb_decode(&in, sotto_v1_OtaStatus_fields, &status));
  return status;
}

// Messages "on the wire" to one device, delivered in order; the device answers each with a
// status, which drives the transfer.
struct Link {
  OtaDevice &device;
  gw::DeviceTransfer &transfer;
  std::deque<std::vector<uint8_t>> in_flight;
  size_t chunks_already_stored = 0;  // chunks that reached a device already holding them

  void offer() {
    const std::vector<uint8_t> message = transfer.offer_message();
    EXPECT_EQ(sotto_ota_handle_offer(&device.ota(), message.data(), message.size()), SOTTO_OK);
    answer();
  }
  void answer() {
    for (auto &message : transfer.on_status(device_status(device))) {
      in_flight.push_back(std::move(message));
    }
  }
  // Delivers up to n messages (all when n is 0).
  void deliver(size_t n = 0) {
    for (size_t i = 0; !in_flight.empty() && (n == 0 || i < n); ++i) {
      sotto_v1_OtaChunk chunk = sotto_v1_OtaChunk_init_zero;
      pb_istream_t in = pb_istream_from_buffer(in_flight.front().data(), in_flight.front().size());
      ASSERT_TRUE(pb_decode(&in, sotto_v1_OtaChunk_fields, &chunk));
      sotto_ota_status_t before{};
      sotto_ota_get_status(&device.ota(), &before);
      chunks_already_stored += chunk.offset < before.next_offset ? 1 : 0;
      sotto_ota_handle_chunk(&device.ota(), in_flight.front().data(), in_flight.front().size());
      in_flight.pop_front();
      answer();
    }
  }
};

class OtaTransfer : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(device_.boot(), SOTTO_OK);
    bundle_ = gw::make_bundle(fleet_key(), fields_for(model_, 3), model_);
  }
  OtaDevice device_;
  std::vector<uint8_t> model_ = make_model(kModelBytes, 31);
  gw::Bundle bundle_;
};

TEST_F(OtaTransfer, CleanTransferSendsEveryByteOnceWithinTheWireBound) {
  gw::DeviceTransfer transfer(bundle_, 5, kTransferChunkBytes, kWindowChunks);
  Link link{device_, transfer, {}, 0};
  link.offer();
  EXPECT_EQ(link.in_flight.size(), kWindowChunks);
  link.deliver();
  EXPECT_EQ(transfer.phase(), gw::DeviceTransfer::Phase::kActivated);
  EXPECT_EQ(device_.active_version(), 3u);
  EXPECT_EQ(transfer.chunk_payload_bytes_sent(), kModelBytes);
  EXPECT_EQ(link.chunks_already_stored, 0u);
  const double bundle_bytes = static_cast<double>(gw::serialize_bundle(bundle_).size());
  EXPECT_LE(static_cast<double>(transfer.bytes_sent()), 1.1 * bundle_bytes);
}

TEST_F(OtaTransfer, RebootMidTransferResumesFromTheStoredChunk) {
  gw::DeviceTransfer transfer(bundle_, 5, kTransferChunkBytes, kWindowChunks);
  Link link{device_, transfer, {}, 0};
  link.offer();
  link.deliver(5);  // 5 chunks stored, a window's worth in flight
  ASSERT_EQ(link.in_flight.size(), kWindowChunks);
  link.in_flight.clear();  // the reboot loses them
  ASSERT_EQ(device_.boot(), SOTTO_OK);
  EXPECT_EQ(device_status(device_).next_offset, 5 * kTransferChunkBytes);
  transfer.on_reconnect();
  link.offer();
  link.deliver();
  EXPECT_EQ(transfer.phase(), gw::DeviceTransfer::Phase::kActivated);
  EXPECT_EQ(device_.active_slot_bytes(), model_);
  EXPECT_EQ(link.chunks_already_stored, 0u);
  // Exactly the lost window was sent twice.
  EXPECT_EQ(transfer.chunk_payload_bytes_sent(),
            kModelBytes + size_t{kWindowChunks} * kTransferChunkBytes);
}

TEST_F(OtaTransfer, FailureIsReportedWithItsReason) {
  auto tampered = bundle_;
  tampered.model[100] ^= 4;
  gw::DeviceTransfer transfer(tampered, 6, kTransferChunkBytes, kWindowChunks);
  Link link{device_, transfer, {}, 0};
  link.offer();
  link.deliver();
  EXPECT_EQ(transfer.phase(), gw::DeviceTransfer::Phase::kFailed);
  EXPECT_EQ(transfer.failure(), sotto_v1_OtaFailure_OTA_FAILURE_DIGEST_MISMATCH);
  EXPECT_EQ(device_.active_version(), 0u);
}

}  // namespace
}  // namespace sotto::test
