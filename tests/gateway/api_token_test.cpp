// API token text, hashing and checking (gateway/auth/api_token.h).
#include <gtest/gtest.h>

#include "api_token.h"

namespace sotto::gw {
namespace {

TEST(ApiToken, MadeTokensParseAndMatchOnlyTheirOwnHash) {
  const NewToken token = make_token("ops", Role::kOperator, 5);
  ASSERT_EQ(token.text.size(), 6u + 16 + 1 + 64);
  const auto parts = parse_token(token.text);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->token_id, token.row.token_id);
  EXPECT_EQ(token.row.role, "operator");
  EXPECT_EQ(token.row.iterations, kTokenHashIterations);
  EXPECT_EQ(token.row.salt.size(), 16u);
  EXPECT_TRUE(token_secret_matches(parts->secret, token.row));
  std::string wrong = parts->secret;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(token_secret_matches(wrong, token.row));
  // The stored hash is not the secret, nor its plain SHA-256's hex.
  EXPECT_EQ(token.text.find(std::string(token.row.hash.begin(), token.row.hash.end())),
            std::string::npos);
  const NewToken other = make_token("ops", Role::kOperator, 5);
  EXPECT_NE(other.row.token_id, token.row.token_id);
  EXPECT_NE(other.row.salt, token.row.salt);
}

TEST(ApiToken, OnlyTheExactShapeParses) {
  const std::string good = "sotto_0123456789abcdef_" + std::string(64, 'f');
  EXPECT_TRUE(parse_token(good));
  EXPECT_FALSE(parse_token(""));
  EXPECT_FALSE(parse_token(good + "f"));
  EXPECT_FALSE(parse_token(good.substr(1)));
  EXPECT_FALSE(parse_token("sotto-0123456789abcdef_" + std::string(64, 'f')));
  EXPECT_FALSE(parse_token("sotto_0123456789ABCDEF_" + std::string(64, 'f')));
  EXPECT_FALSE(parse_token("sotto_0123456789abcdef_" + std::string(63, 'f') + "g"));
  EXPECT_FALSE(parse_token("sotto_0123456789abcdef-" + std::string(64, 'f')));
}

TEST(ApiToken, RolesAndNames) {
  EXPECT_EQ(role_from_name("viewer"), Role::kViewer);
  EXPECT_EQ(role_from_name("operator"), Role::kOperator);
  EXPECT_FALSE(role_from_name("admin"));
  EXPECT_TRUE(role_allows(Role::kOperator, Role::kViewer));
  EXPECT_FALSE(role_allows(Role::kViewer, Role::kOperator));
  EXPECT_TRUE(is_valid_token_name("ci-deploy@farm.1"));
  EXPECT_FALSE(is_valid_token_name(""));
  EXPECT_FALSE(is_valid_token_name("has space"));
  EXPECT_FALSE(is_valid_token_name(std::string(65, 'a')));
  EXPECT_FALSE(is_valid_token_name("caf\xc3\xa9"));
}

}  // namespace
}  // namespace sotto::gw
