// The gateway's signer: keys on disk, bundle bytes, and what the device accepts from them.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "ota_fixture.h"

namespace sotto::test {
namespace {

std::string temp_dir() {
  char pattern[] = "/tmp/sotto-ota-test-XXXXXX";
  const char *dir = mkdtemp(pattern);
  if (dir == nullptr) {
    throw std::runtime_error("mkdtemp");
  }
  return dir;
}

TEST(OtaBundle, KeyPairIsWrittenWithAPrivateModeAndLoadsBack) {
  const std::string root = temp_dir();
  const std::string dir = root + "/keys";
  auto key = gw::SigningKey::generate();
  gw::write_key_pair(dir, key);
  struct stat info {};
  ASSERT_EQ(::stat((dir + "/signing_key.pem").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto loaded = gw::SigningKey::load_private_pem_file(dir + "/signing_key.pem");
  EXPECT_EQ(loaded.public_key(), key.public_key());
  EXPECT_EQ(loaded.key_id(), sotto_ota_key_id(key.public_key().data()));
  EXPECT_THROW(gw::write_key_pair(dir, key), std::runtime_error);  // never overwrites a key
  EXPECT_EQ(std::system(("rm -rf " + root).c_str()), 0);
}

TEST(OtaBundle, SerializedBundleRoundTripsExactly) {
  auto model = make_model(777, 4);
  auto bundle = gw::make_bundle(fleet_key(), fields_for(model, 3), model);
  auto bytes = gw::serialize_bundle(bundle);
  ASSERT_EQ(bytes.size(), 12 + bundle.envelope.size() + model.size());
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "SOTB");
  auto parsed = gw::parse_bundle(bytes);
  EXPECT_EQ(parsed.envelope, bundle.envelope);
  EXPECT_EQ(parsed.model, model);
}

TEST(OtaBundle, SigningIsDeterministic) {
  auto model = make_model(777, 4);
  EXPECT_EQ(gw::make_bundle(fleet_key(), fields_for(model, 3), model).envelope,
            gw::make_bundle(fleet_key(), fields_for(model, 3), model).envelope);
}

TEST(OtaBundle, ParseNamesWhatIsWrong) {
  auto model = make_model(kMinModelBytes, 4);
  auto bytes = gw::serialize_bundle(gw::make_bundle(fleet_key(), fields_for(model, 3), model));
  auto expect_message = [](const std::vector<uint8_t> &input, const std::string &text) {
    try {
      gw::parse_bundle(input);
      ADD_FAILURE() << "accepted";
    } catch (const std::runtime_error &error) {
      EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
    }
  };
  auto truncated = bytes;
  truncated.pop_back();
  expect_message(truncated, "model of 599 bytes, manifest says 600");
  auto bad_magic = bytes;
  bad_magic[0] = 'X';
  expect_message(bad_magic, "missing SOTB header");
  auto long_envelope = bytes;
  long_envelope[10] = 0x7f;
  expect_message(long_envelope, "beyond the file");
}

TEST(OtaBundle, DeviceVerifiesWhatTheGatewaySigned) {
  OtaDevice device;
  ASSERT_EQ(device.boot(), SOTTO_OK);
  auto model = make_model(900, 5);
  auto bundle = gw::parse_bundle(
      gw::serialize_bundle(gw::make_bundle(fleet_key(), fields_for(model, 8), model)));
  sotto_ota_manifest_t manifest{};
  ASSERT_EQ(sotto_ota_verify_envelope(&device.ota(), bundle.envelope.data(), bundle.envelope.size(),
                                      &manifest),
            SOTTO_OK);
  EXPECT_EQ(manifest.version, 8u);
  EXPECT_EQ(manifest.model_id, 7u);
  EXPECT_EQ(manifest.model_bytes, 900u);
  EXPECT_EQ(manifest.device_class, kDeviceClass);
  auto digest = gw::sha256_of(model);
  EXPECT_EQ(0, memcmp(manifest.model_sha256, digest.data(), 32));
}

}  // namespace
}  // namespace sotto::test
