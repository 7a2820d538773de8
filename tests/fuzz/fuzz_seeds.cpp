// Writes valid encodings as seed files for the fuzz corpora (run by run_fuzz.sh at test time,
// so nothing binary is committed). Usage: sotto_fuzz_seeds event|health|message|ota|envelope|keys
// DIR (envelope and keys: tests/ota's signed seeds, ota_fuzz_seeds.cpp).
#include <mbedtls/sha256.h>
#include <pb_encode.h>
#include <stdio.h>
#include <string.h>

#include "ota_fuzz_inputs.h"
#include "ota_fuzz_steps.h"
#include "sotto/messages.h"
#include "sotto/ota.h"
#include "sotto/v1/ota.pb.h"

namespace {

using namespace sotto::fuzz;

bool write_file(const char *dir, const char *kind, int index, const uint8_t *data, size_t len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s-%02d", dir, kind, index);
  FILE *file = fopen(path, "wb");
  if (file == nullptr) {
    return false;
  }
  bool ok = fwrite(data, 1, len, file) == len;
  return fclose(file) == 0 && ok;
}

sotto_event_t sample_event(int index) {
  sotto_event_t event;
  memset(&event, 0, sizeof event);
  event.kind = static_cast<sotto_event_kind_t>(1 + index % 4);
  event.class_id = static_cast<uint8_t>(index * 37);
  event.score = static_cast<uint8_t>(index * 53);
  event.seq = static_cast<uint32_t>(index) * 100003u;
  event.uptime_s = static_cast<uint32_t>(index) * 86413u;
  event.reading_count = static_cast<uint8_t>(index % 4);
  for (int r = 0; r < event.reading_count; ++r) {
    event.readings[r].quantity = static_cast<sotto_quantity_t>(1 + (index + r) % 5);
    event.readings[r].value = (index % 2 ? -1 : 1) * (r + 1) * 123457;
  }
  return event;
}

// OTA sessions in the step format of ota_fuzz_steps.h.
struct Steps {
  uint8_t bytes[1024];
  size_t len;
  bool ok;
  void add(uint8_t op, const uint8_t *data, size_t n) {
    if (n > 255 || len + 2 + n > sizeof bytes) {
      ok = false;
      return;
    }
    bytes[len] = op;
    bytes[len + 1] = static_cast<uint8_t>(n);
    if (n != 0) {
      memcpy(bytes + len + 2, data, n);
    }
    len += 2 + n;
  }
};

void model_bytes_for(uint32_t version, uint8_t *model, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    model[i] = static_cast<uint8_t>(version * 31u + static_cast<uint32_t>(i) * 7u);
  }
}

// Encoded Manifest (class 3, matching model digest and self-test output) into out.
size_t manifest_for(uint32_t version, uint32_t model_bytes, uint8_t *out, size_t size) {
  uint8_t model[256];
  model_bytes_for(version, model, model_bytes);
  sotto_v1_Manifest manifest = sotto_v1_Manifest_init_zero;
  manifest.model_id = 5;
  manifest.version = version;
  manifest.device_class = kOtaDeviceClass;
  manifest.model_bytes = model_bytes;
  mbedtls_sha256_ret(model, model_bytes, manifest.model_sha256, 0);
  manifest.has_self_test = true;
  manifest.self_test.input_seed = 1000u + version;
  sotto_ota_self_test_input(manifest.self_test.input_seed,
                            manifest.self_test.expected_output_sha256, SOTTO_OTA_SHA256_BYTES);
  pb_ostream_t stream = pb_ostream_from_buffer(out, size);
  return pb_encode(&stream, sotto_v1_Manifest_fields, &manifest) ? stream.bytes_written : 0;
}

// A signed offer step, then the model's chunks (chunk_bytes each) with an optional reboot or
// power cut after chunk `interrupt_after`.
void add_update(Steps *steps, uint32_t version, uint32_t model_bytes, uint8_t chunk_bytes,
                uint32_t interrupt_after, uint8_t interrupt_op) {
  uint8_t offer[2 + 128] = {static_cast<uint8_t>(version + 6),
                            static_cast<uint8_t>(chunk_bytes - SOTTO_OTA_CHUNK_MIN_BYTES)};
  size_t manifest_len = manifest_for(version, model_bytes, offer + 2, sizeof offer - 2);
  steps->ok = steps->ok && manifest_len != 0;
  steps->add(kSignedOffer, offer, 2 + manifest_len);
  uint8_t model[256];
  model_bytes_for(version, model, model_bytes);
  for (uint32_t offset = 0, chunk = 0; offset < model_bytes; offset += chunk_bytes, ++chunk) {
    uint32_t n = model_bytes - offset < chunk_bytes ? model_bytes - offset : chunk_bytes;
    steps->add(kNextChunk, model + offset, n);
    if (chunk == interrupt_after) {
      uint8_t cut_after = 1;
      steps->add(interrupt_op, &cut_after, interrupt_op == kCutPower ? 1 : 0);
    }
  }
}

// Raw protobuf steps (offer with the fuzz build's accepted signature, chunk, envelope), so the
// fuzzer also mutates the wire encodings themselves.
void add_raw_messages(Steps *steps) {
  sotto_v1_OtaOffer offer = sotto_v1_OtaOffer_init_zero;
  offer.rollout_id = 21;
  offer.chunk_bytes = 16;
  offer.has_envelope = true;
  offer.envelope.manifest.size = static_cast<pb_size_t>(
      manifest_for(4, 32, offer.envelope.manifest.bytes, sizeof offer.envelope.manifest.bytes));
  offer.envelope.key_id = sotto_ota_key_id(kOtaPublicKey);
  mbedtls_sha256_ret(offer.envelope.manifest.bytes, offer.envelope.manifest.size,
                     offer.envelope.signature, 0);
  uint8_t buf[512];
  pb_ostream_t stream = pb_ostream_from_buffer(buf, sizeof buf);
  steps->ok = steps->ok && pb_encode(&stream, sotto_v1_OtaOffer_fields, &offer);
  steps->add(kRawOffer, buf, stream.bytes_written);
  stream = pb_ostream_from_buffer(buf, sizeof buf);
  steps->ok = steps->ok && pb_encode(&stream, sotto_v1_SignedManifest_fields, &offer.envelope);
  steps->add(kRawEnvelope, buf, stream.bytes_written);
  sotto_v1_OtaChunk chunk = sotto_v1_OtaChunk_init_zero;
  chunk.rollout_id = 21;
  chunk.offset = 16;
  chunk.data.size = 16;
  memset(chunk.data.bytes, 0x5a, 16);
  stream = pb_ostream_from_buffer(buf, sizeof buf);
  steps->ok = steps->ok && pb_encode(&stream, sotto_v1_OtaChunk_fields, &chunk);
  steps->add(kRawChunk, buf, stream.bytes_written);
}

bool write_ota_seeds(const char *dir) {
  for (int i = 0; i < 5; ++i) {
    Steps steps{};
    steps.ok = true;
    switch (i) {
      case 0:  // one complete update: activation
        add_update(&steps, 2, 48, 16, UINT32_MAX, 0);
        break;
      case 1:  // reboot mid-transfer, then resume
        add_update(&steps, 2, 40, 16, 0, kReboot);
        break;
      case 2:  // a second update over the first, cut by a power loss, then a reboot
        add_update(&steps, 2, 48, 16, UINT32_MAX, 0);
        add_update(&steps, 3, 100, 32, 1, kCutPower);
        steps.add(kReboot, nullptr, 0);
        break;
      case 3:  // an update and a late reboot after activation
        add_update(&steps, 5, 64, 20, UINT32_MAX, 0);
        steps.add(kReboot, nullptr, 0);
        break;
      default:
        add_raw_messages(&steps);
        break;
    }
    if (!steps.ok || !write_file(dir, "ota", i, steps.bytes, steps.len)) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: sotto_fuzz_seeds event|health|message|ota|envelope|keys DIR\n");
    return 2;
  }
  const char *kind = argv[1];
  const char *dir = argv[2];
  if (strcmp(kind, "ota") == 0) {
    return write_ota_seeds(dir) ? 0 : 1;
  }
  if (strcmp(kind, "envelope") == 0 || strcmp(kind, "keys") == 0) {
    const auto seeds = strcmp(kind, "envelope") == 0 ? sotto::fuzz::envelope_seeds()
                                                     : sotto::fuzz::key_rotation_seeds();
    for (size_t i = 0; i < seeds.size(); ++i) {
      if (!write_file(dir, kind, static_cast<int>(i), seeds[i].input.data(),
                      seeds[i].input.size())) {
        return 1;
      }
    }
    return 0;
  }
  uint8_t buf[128];
  size_t len = 0;
  for (int i = 0; i < 8; ++i) {
    if (strcmp(kind, "event") == 0) {
      sotto_event_t event = sample_event(i);
      if (sotto_event_encode(&event, buf, sizeof buf, &len) != SOTTO_OK) {
        return 1;
      }
    } else if (strcmp(kind, "health") == 0) {
      sotto_health_t health = {static_cast<uint32_t>(i) << 16 | 7u,
                               3600u * i,
                               3300,
                               2,
                               7u + i,
                               100,
                               static_cast<uint32_t>(i),
                               static_cast<uint16_t>(i * 3),
                               sotto_device_tag("soil-7"),
                               3};
      if (sotto_health_encode(&health, buf, sizeof buf, &len) != SOTTO_OK) {
        return 1;
      }
    } else if (strcmp(kind, "message") == 0) {
      // topic, NUL, payload: the format device_on_message_fuzz.cpp splits.
      static const char *const kTopics[] = {
          "sotto/v1/farm-north/soil-7/ota/offer", "sotto/v1/farm-north/soil-7/ota/chunk",
          "sotto/v1/farm-north/soil-7/cmd",       "sotto/v1/farm-north/soil-7/",
          "sotto/v1/farm-north/other/ota/offer",  "sotto/v1/farm-south/soil-7/x",
          "sotto/v2/farm-north/soil-7/x",         "sotto/v1/farm-north/soil-7"};
      size_t topic_len = strlen(kTopics[i]);
      memcpy(buf, kTopics[i], topic_len + 1);
      sotto_event_t event = sample_event(i);
      size_t payload_len = 0;
      if (sotto_event_encode(&event, buf + topic_len + 1, sizeof buf - topic_len - 1,
                             &payload_len) != SOTTO_OK) {
        return 1;
      }
      len = topic_len + 1 + payload_len;
    } else {
      fprintf(stderr, "sotto_fuzz_seeds: unknown kind %s\n", kind);
      return 2;
    }
    if (!write_file(dir, kind, i, buf, len)) {
      return 1;
    }
  }
  return 0;
}
