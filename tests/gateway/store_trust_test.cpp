// The store's trust tables on a real SQLite file: API tokens, the audit log, and which devices
// trust which fleet key as key rotations are activated.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "test_store.h"

namespace sotto::gw {
namespace {

class StoreTrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/sotto-trust-" + std::to_string(::getpid()) + ".db";
    for (const char *suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
    store_ = std::make_unique<test::TestStore>(path_);
    reader_ = store_->store().reader();
    writer_ = &store_->writer();
  }

  static ApiTokenRow token(const std::string &id, const std::string &name) {
    ApiTokenRow row;
    row.token_id = id;
    row.name = name;
    row.role = "viewer";
    row.salt = {1, 2, 3};
    row.hash = std::vector<uint8_t>(32, 9);
    row.iterations = 10;
    row.created_ms = 100;
    return row;
  }

  static FleetKeyRow key(uint32_t id) {
    FleetKeyRow row;
    row.key_id = id;
    row.public_key = std::vector<uint8_t>(65, static_cast<uint8_t>(id));
    row.first_seen_ms = 5;
    return row;
  }

  // A key rollout adding `adds` (and retiring `retires`) to `devices` in one wave.
  int64_t key_rollout(uint32_t version, uint32_t adds, std::optional<uint32_t> retires,
                      const std::vector<std::string> &devices) {
    RolloutSpec spec;
    spec.kind = RolloutKind::kKeys;
    spec.bundle_path = "/rotation";
    spec.model_version = version;
    spec.adds_key_id = adds;
    spec.adds_public_key = std::vector<uint8_t>(65, 7);
    spec.retires_key_id = retires;
    spec.waves = {100};
    return store_->writer().create_rollout(spec, devices, {devices.size()});
  }

  std::string path_;
  std::unique_ptr<test::TestStore> store_;
  std::unique_ptr<StoreReader> reader_;
  TrustWriter *writer_ = nullptr;  // the store's writer
};

TEST_F(StoreTrustTest, TokenNamesAreUniqueAmongUnrevokedTokens) {
  EXPECT_TRUE(writer_->insert_api_token(token("aaaa", "ops")));
  EXPECT_FALSE(writer_->insert_api_token(token("bbbb", "ops")));
  EXPECT_EQ(reader_->unrevoked_api_token_count(), 1);
  EXPECT_TRUE(writer_->revoke_api_token("ops", 200));
  EXPECT_FALSE(writer_->revoke_api_token("ops", 300));  // nothing unrevoked is called so
  EXPECT_TRUE(writer_->insert_api_token(token("bbbb", "ops")));
  EXPECT_TRUE(writer_->revoke_api_token("bbbb", 400));  // by id
  const auto tokens = reader_->api_tokens();
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].revoked_ms, 200);
  EXPECT_EQ(tokens[1].revoked_ms, 400);
  EXPECT_EQ(reader_->unrevoked_api_token_count(), 0);
  const auto read = reader_->api_token("aaaa");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->salt, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(read->hash, std::vector<uint8_t>(32, 9));
  EXPECT_EQ(read->iterations, 10);
  EXPECT_FALSE(reader_->api_token("cccc"));
}

TEST_F(StoreTrustTest, AuditLogPagesNewestFirst) {
  for (int i = 1; i <= 5; ++i) {
    AuditRow row;
    row.time_ms = i;
    row.who = "ops";
    row.action = "rollout.start";
    row.detail = "n" + std::to_string(i);
    EXPECT_EQ(writer_->append_audit(row), i);
  }
  const auto newest = reader_->audit(AuditFilter{2, std::nullopt});
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].detail, "n5");
  EXPECT_EQ(newest[1].detail, "n4");
  const auto older = reader_->audit(AuditFilter{10, 4});
  ASSERT_EQ(older.size(), 3u);
  EXPECT_EQ(older[0].id, 3);
  EXPECT_EQ(older[2].id, 1);
}

TEST_F(StoreTrustTest, DevicesTrustTheKeysOfTheRotationsTheyActivated) {
  EXPECT_TRUE(writer_->add_provisioned_key(key(0xA)));
  EXPECT_FALSE(writer_->add_provisioned_key(key(0xA)));
  const std::vector<std::string> fleet = {"d1", "d2", "d3", "d4"};
  EXPECT_TRUE(reader_->devices_not_trusting(0xA, fleet).empty());
  const int64_t rotation = key_rollout(3, 0xB, 0xA, {"d1", "d2", "d3"});
  store_->writer().record_rollout_device(rotation, "d1", "activated", 0, 0);
  store_->writer().record_rollout_device(rotation, "d2", "failed", 0, 12);
  // Added at creation, trusted by no device yet.
  const auto added = reader_->fleet_key(0xB);
  ASSERT_TRUE(added);
  EXPECT_FALSE(added->provisioned);
  EXPECT_EQ(added->public_key, std::vector<uint8_t>(65, 7));
  EXPECT_EQ(reader_->devices_not_trusting(0xA, fleet), (std::vector<std::string>{"d1"}));
  EXPECT_EQ(reader_->devices_not_trusting(0xB, fleet),
            (std::vector<std::string>{"d2", "d3", "d4"}));
  EXPECT_EQ(reader_->devices_not_trusting(0xC, fleet), fleet);  // unknown
  EXPECT_EQ(reader_->last_key_list_version(), 3);
  const auto row = reader_->rollout(rotation);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->spec.kind, RolloutKind::kKeys);
  EXPECT_EQ(row->spec.adds_key_id, 0xBu);
  EXPECT_EQ(row->spec.retires_key_id, 0xAu);
  EXPECT_EQ(row->spec.adds_public_key, std::vector<uint8_t>(65, 7));
  EXPECT_TRUE(writer_->distrust_fleet_key(0xB, 50));
  EXPECT_FALSE(writer_->distrust_fleet_key(0xB, 60));
  EXPECT_EQ(reader_->devices_not_trusting(0xB, fleet), fleet);  // retired at the gateway
  EXPECT_EQ(reader_->fleet_keys().size(), 2u);
}

}  // namespace
}  // namespace sotto::gw
