// The update engine on the happy path: install, update A -> B, resume, redelivery, status.
#include <gtest/gtest.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include <cstring>

#include "ota_fixture.h"
#include "sotto/v1/ota.pb.h"

namespace sotto::test {
namespace {

constexpr size_t kModelBytes = 5000;  // not a multiple of the chunk size: a short last chunk

TEST(OtaUpdate, BlankDeviceHasNoActiveModel) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  EXPECT_EQ(sotto_ota_get_active(&device.ota(), nullptr, nullptr), SOTTO_ERR_OTA_NO_UPDATE);
  sotto_ota_status_t status{};
  ASSERT_EQ(sotto_ota_get_status(&device.ota(), &status), SOTTO_OK);
  EXPECT_EQ(status.state, SOTTO_OTA_IDLE);
  EXPECT_EQ(status.model_version, 0u);
}

TEST(OtaUpdate, RefusesMissingHookKeyOrTooSmallStateRegion) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  sotto_ota_config_t config = device.ota().config;
  sotto_ota_t ota{};
  sotto_ota_config_t no_hook = config;
  no_hook.self_test = nullptr;
  EXPECT_EQ(sotto_ota_init(&ota, &no_hook), SOTTO_ERR_NOT_CONFIGURED);
  sotto_ota_config_t no_key = config;
  no_key.public_key = nullptr;
  EXPECT_EQ(sotto_ota_init(&ota, &no_key), SOTTO_ERR_NOT_CONFIGURED);
  EXPECT_EQ(sotto_ota_init(&ota, nullptr), SOTTO_ERR_INVALID_ARGUMENT);

  sotto_host_storage_config_t small{};
  small.sector_bytes = kSectorBytes;
  small.state_bytes = kStateBytes - kSectorBytes;  // one sector short of the key lists
  small.slot_bytes = kSlotBytes;
  sotto_host_storage_t *storage = nullptr;
  ASSERT_EQ(sotto_host_storage_create(&small, &storage), SOTTO_OK);
  sotto_ota_config_t short_state = config;
  short_state.storage = sotto_host_storage_port(storage);
  EXPECT_EQ(sotto_ota_init(&ota, &short_state), SOTTO_ERR_NOT_CONFIGURED);
  sotto_host_storage_destroy(storage);
}

TEST(OtaUpdate, InstallsIntoSlotAThenUpdatesIntoSlotB) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  auto v1 = make_model(kModelBytes, 1);
  auto v2 = make_model(kModelBytes + 100, 2);
  ASSERT_EQ(device.update(gw::make_bundle(fleet_key(), fields_for(v1, 1), v1)), SOTTO_OK);
  sotto_ota_slot_t slot{};
  ASSERT_EQ(sotto_ota_get_active(&device.ota(), &slot, nullptr), SOTTO_OK);
  EXPECT_EQ(slot, SOTTO_OTA_SLOT_A);
  ASSERT_EQ(device.update(gw::make_bundle(fleet_key(), fields_for(v2, 2), v2)), SOTTO_OK);
  ASSERT_EQ(sotto_ota_get_active(&device.ota(), &slot, nullptr), SOTTO_OK);
  EXPECT_EQ(slot, SOTTO_OTA_SLOT_B);
  EXPECT_EQ(device.active_version(), 2u);
  EXPECT_EQ(device.active_slot_bytes(), v2);
  EXPECT_EQ(device.chunk_bytes_sent(), v1.size() + v2.size());
  // The switch survives a reboot, verified again at boot.
  ASSERT_EQ(device.boot(), SOTTO_OK);
  EXPECT_EQ(device.active_version(), 2u);
  EXPECT_EQ(device.active_slot_bytes(), v2);
}

TEST(OtaUpdate, CorruptedActiveSlotIsNeverReportedRunnable) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  auto v1 = make_model(kModelBytes, 1);
  ASSERT_EQ(device.update(gw::make_bundle(fleet_key(), fields_for(v1, 1), v1)), SOTTO_OK);
  // Flash decay: one bit of the active model flips to 0 (the only direction NOR allows).
  sotto_storage_port_t port = sotto_host_storage_port(device.storage());
  uint8_t byte = 0;
  ASSERT_EQ(port.read(port.ctx, SOTTO_REGION_SLOT_A, 4321, &byte, 1), SOTTO_OK);
  ASSERT_NE(byte, 0);
  const uint8_t decayed = static_cast<uint8_t>(byte & (byte - 1));
  ASSERT_EQ(port.write(port.ctx, SOTTO_REGION_SLOT_A, 4321, &decayed, 1), SOTTO_OK);
  EXPECT_EQ(device.boot(), SOTTO_ERR_OTA_DIGEST_MISMATCH);
  EXPECT_EQ(sotto_ota_get_active(&device.ota(), nullptr, nullptr), SOTTO_ERR_OTA_NO_UPDATE);
  // The updater stays usable: a new model recovers the device.
  auto v2 = make_model(kModelBytes, 2);
  ASSERT_EQ(device.update(gw::make_bundle(fleet_key(), fields_for(v2, 2), v2)), SOTTO_OK);
  EXPECT_EQ(device.active_slot_bytes(), v2);
}

TEST(OtaUpdate, ResumesAfterRebootWithoutResendingStoredChunks) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  auto v1 = make_model(kModelBytes, 1);
  auto bundle = gw::make_bundle(fleet_key(), fields_for(v1, 1), v1);
  ASSERT_EQ(sotto_ota_offer(&device.ota(), 9, bundle.envelope.data(), bundle.envelope.size(),
                            kChunkBytes),
            SOTTO_OK);
  for (uint32_t offset = 0; offset < 7 * kChunkBytes; offset += kChunkBytes) {
    ASSERT_EQ(sotto_ota_write_chunk(&device.ota(), offset, v1.data() + offset, kChunkBytes),
              SOTTO_OK);
  }
  ASSERT_EQ(device.boot(), SOTTO_OK);
  sotto_ota_status_t status{};
  ASSERT_EQ(sotto_ota_get_status(&device.ota(), &status), SOTTO_OK);
  EXPECT_EQ(status.state, SOTTO_OTA_RECEIVING);
  EXPECT_EQ(status.next_offset, 7 * kChunkBytes);
  EXPECT_EQ(status.rollout_id, 9u);
  ASSERT_EQ(device.update(bundle, 9), SOTTO_OK);
  EXPECT_EQ(device.chunk_bytes_sent(), kModelBytes - size_t{7} * kChunkBytes);
  EXPECT_EQ(device.active_version(), 1u);
}

TEST(OtaUpdate, RedeliveredChunkIsAcknowledgedAndLaterOneRefused) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  auto v1 = make_model(kModelBytes, 1);
  auto bundle = gw::make_bundle(fleet_key(), fields_for(v1, 1), v1);
  ASSERT_EQ(sotto_ota_offer(&device.ota(), 1, bundle.envelope.data(), bundle.envelope.size(),
                            kChunkBytes),
            SOTTO_OK);
  ASSERT_EQ(sotto_ota_write_chunk(&device.ota(), 0, v1.data(), kChunkBytes), SOTTO_OK);
  const uint64_t ops = sotto_host_storage_op_count(device.storage());
  EXPECT_EQ(sotto_ota_write_chunk(&device.ota(), 0, v1.data(), kChunkBytes), SOTTO_OK);
  EXPECT_EQ(sotto_host_storage_op_count(device.storage()), ops);  // nothing written again
  EXPECT_EQ(sotto_ota_write_chunk(&device.ota(), 2 * kChunkBytes, v1.data(), kChunkBytes),
            SOTTO_ERR_OTA_OUT_OF_ORDER);
  EXPECT_EQ(sotto_ota_write_chunk(&device.ota(), kChunkBytes, v1.data(), kChunkBytes - 1),
            SOTTO_ERR_OTA_BAD_MANIFEST);
  EXPECT_EQ(sotto_ota_write_chunk(&device.ota(), 10, v1.data(), kChunkBytes),
            SOTTO_ERR_OTA_BAD_MANIFEST);
  EXPECT_EQ(sotto_ota_write_chunk(&device.ota(), 20 * kChunkBytes, v1.data(), kChunkBytes),
            SOTTO_ERR_OTA_BAD_MANIFEST);
}

TEST(OtaUpdate, ChunkWithoutOfferIsRefused) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  uint8_t data[kChunkBytes] = {};
  EXPECT_EQ(sotto_ota_write_chunk(&device.ota(), 0, data, sizeof data), SOTTO_ERR_OTA_NO_UPDATE);
}

TEST(OtaUpdate, MessagesDriveTheUpdateAndStatusReportsIt) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  auto v1 = make_model(600, 1);
  auto bundle = gw::make_bundle(fleet_key(), fields_for(v1, 1), v1);
  sotto_v1_OtaOffer offer = sotto_v1_OtaOffer_init_zero;
  offer.rollout_id = 42;
  offer.chunk_bytes = 512;
  offer.has_envelope = true;
  pb_istream_t in = pb_istream_from_buffer(bundle.envelope.data(), bundle.envelope.size());
  ASSERT_TRUE(pb_decode(&in, sotto_v1_SignedManifest_fields, &offer.envelope));
  uint8_t wire[sotto_v1_OtaChunk_size];
  pb_ostream_t out = pb_ostream_from_buffer(wire, sizeof wire);
  ASSERT_TRUE(pb_encode(&out, sotto_v1_OtaOffer_fields, &offer));
  ASSERT_EQ(sotto_ota_handle_offer(&device.ota(), wire, out.bytes_written), SOTTO_OK);
  for (uint32_t offset : {0u, 512u}) {
    sotto_v1_OtaChunk chunk = sotto_v1_OtaChunk_init_zero;
    chunk.rollout_id = 42;
    chunk.offset = offset;
    chunk.data.size = static_cast<pb_size_t>(std::min<size_t>(512, v1.size() - offset));
    std::copy_n(v1.begin() + offset, chunk.data.size, chunk.data.bytes);
    out = pb_ostream_from_buffer(wire, sizeof wire);
    ASSERT_TRUE(pb_encode(&out, sotto_v1_OtaChunk_fields, &chunk));
    ASSERT_EQ(sotto_ota_handle_chunk(&device.ota(), wire, out.bytes_written), SOTTO_OK);
  }
  uint8_t status_bytes[SOTTO_OTA_STATUS_MAX_BYTES];
  size_t status_len = 0;
  ASSERT_EQ(sotto_ota_encode_status(&device.ota(), status_bytes, sizeof status_bytes, &status_len),
            SOTTO_OK);
  sotto_v1_OtaStatus status = sotto_v1_OtaStatus_init_zero;
  in = pb_istream_from_buffer(status_bytes, status_len);
  ASSERT_TRUE(pb_decode(&in, sotto_v1_OtaStatus_fields, &status));
  EXPECT_EQ(status.rollout_id, 42u);
  EXPECT_EQ(status.state, sotto_v1_OtaState_OTA_STATE_ACTIVATED);
  EXPECT_EQ(status.next_offset, 600u);
  EXPECT_EQ(status.failure, sotto_v1_OtaFailure_OTA_FAILURE_NONE);
  EXPECT_EQ(status.model_id, 7u);
  EXPECT_EQ(status.model_version, 1u);
  EXPECT_EQ(status.offered_version, 1u);
  EXPECT_EQ(sotto_ota_handle_chunk(&device.ota(), wire, 3), SOTTO_ERR_DECODE);
  EXPECT_EQ(sotto_ota_handle_message(&device.ota(), "ota/chunk", wire, 3), SOTTO_ERR_DECODE);
  EXPECT_EQ(sotto_ota_handle_message(&device.ota(), "ota/offer", wire, 3), SOTTO_ERR_DECODE);
  EXPECT_EQ(sotto_ota_handle_message(&device.ota(), "ota/status", wire, 3),
            SOTTO_ERR_UNHANDLED_TOPIC);
  EXPECT_EQ(sotto_ota_handle_message(&device.ota(), "ota/offerx", wire, 3),
            SOTTO_ERR_UNHANDLED_TOPIC);
}

TEST(OtaUpdate, WorstCaseStatusFitsTheUplinkBudget) {
  sotto_v1_OtaStatus status = sotto_v1_OtaStatus_init_zero;
  status.rollout_id = UINT32_MAX;
  status.state = sotto_v1_OtaState_OTA_STATE_FAILED;
  status.next_offset = UINT32_MAX;
  status.failure = sotto_v1_OtaFailure_OTA_FAILURE_KEY_LIST_FULL;  // the largest value
  status.model_id = UINT16_MAX;
  status.model_version = UINT32_MAX;
  status.offered_version = UINT32_MAX;
  status.key_list_version = UINT32_MAX;
  uint8_t buffer[64];
  pb_ostream_t out = pb_ostream_from_buffer(buffer, sizeof buffer);
  ASSERT_TRUE(pb_encode(&out, sotto_v1_OtaStatus_fields, &status));
  EXPECT_EQ(out.bytes_written, 38u);
  EXPECT_EQ(out.bytes_written, size_t{sotto_v1_OtaStatus_size});
  EXPECT_LE(sotto_v1_OtaStatus_size, 51);  // LoRaWAN EU868 DR0-2
  EXPECT_EQ(size_t{sotto_v1_OtaStatus_size}, size_t{SOTTO_OTA_STATUS_MAX_BYTES});
}

TEST(OtaUpdate, SelfTestInputIsTheSplitmix64Stream) {
  uint8_t bytes[10];
  sotto_ota_self_test_input(0, bytes, sizeof bytes);
  // splitmix64(seed 0) first output: 0xe220a8397b1dcdaf, little-endian; second starts 0x...6e
  const uint8_t expected[8] = {0xaf, 0xcd, 0x1d, 0x7b, 0x39, 0xa8, 0x20, 0xe2};
  EXPECT_EQ(0, memcmp(bytes, expected, 8));
}

}  // namespace
}  // namespace sotto::test
