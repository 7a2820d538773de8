// Who may use the API, end to end: a real sottod (real mosquitto, SQLite) whose tokens come from
// the real `sottoctl token create` on its database, requests with and without tokens, the audit
// log read back through `sottoctl audit`, start-up refusals, token files, and HTTPS with a
// certificate made for the test.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>

#include "fleet_fixture.h"
#include "http_client.h"
#include "test_pki.h"

namespace sotto::test {
namespace {

class ApiAccess : public FleetTest {
 protected:
  void configure_gateway(GatewayProcess &) override {
    gateway_->set_config(config_);
    operator_file_ = create_token("operator", "ops");
    viewer_file_ = create_token("viewer", "dashboard");
    gateway_->set_token(token_in(viewer_file_));
  }

  // `sottoctl token create` on the gateway's database, before sottod ever ran.
  std::string create_token(const std::string &role, const std::string &name) {
    const std::string file = dir_ + "/" + name + ".token";
    const CtlResult created = run_sottoctl(dir_, {"token", "create", "--role", role, "--name", name,
                                                  "--db", gateway_->db_path(), "--out", file});
    EXPECT_EQ(created.exit_code, 0) << created.output;
    return file;
  }
  static std::string token_in(const std::string &file) {
    std::string text = read_file(file);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(gateway_->http_port()); }
  static std::string code_of(const HttpResponse &response) {
    return std::string(boost::json::parse(response.body).at("code").as_string());
  }

  std::string config_ = "[http]\nrequire_token = true\n";
  std::string operator_file_, viewer_file_;
};

TEST_F(ApiAccess, RefusalsAreNamedAndEachIsInTheAuditLog) {
  const int port = gateway_->http_port();
  const auto no_token = http_get(port, "/api/v1/fleet");
  EXPECT_EQ(no_token.status, 401);
  EXPECT_EQ(code_of(no_token), "missing_token");
  const auto malformed = http_get(port, "/api/v1/fleet", "not-a-sotto-token");
  EXPECT_EQ(malformed.status, 401);
  EXPECT_EQ(code_of(malformed), "malformed_token");
  const auto viewer_starts =
      http_post(port, "/api/v1/rollouts?site=farm-north", "SOTB...", token_in(viewer_file_));
  EXPECT_EQ(viewer_starts.status, 403);
  EXPECT_EQ(code_of(viewer_starts), "insufficient_role");
  EXPECT_EQ(http_get(port, "/api/v1/fleet", token_in(viewer_file_)).status, 200);

  const CtlResult audit =
      run_sottoctl(dir_, {"--gateway", url(), "--token-file", operator_file_, "--json", "audit"});
  ASSERT_EQ(audit.exit_code, 0) << audit.output;
  const auto entries = boost::json::parse(audit.output).at("entries").as_array();
  ASSERT_EQ(entries.size(), 5u) << audit.output;  // newest first
  const auto field = [&](size_t i, const char *key) {
    return boost::json::serialize(entries[i].at(key));
  };
  EXPECT_EQ(field(0, "who"), "\"dashboard\"");
  EXPECT_EQ(field(0, "action"), "\"rollout.start\"");
  EXPECT_EQ(field(0, "target"), "\"POST /api/v1/rollouts?site=farm-north\"");
  EXPECT_EQ(field(0, "status"), "403");
  EXPECT_EQ(field(0, "detail"), "\"insufficient_role: role viewer below operator\"");
  EXPECT_EQ(field(1, "who"), "\"anonymous\"");
  EXPECT_EQ(field(1, "status"), "401");
  EXPECT_EQ(field(1, "detail"), "\"malformed_token: the bearer token is not a sotto token\"");
  EXPECT_EQ(field(2, "detail"), "\"missing_token: no Authorization header\"");
  EXPECT_EQ(field(2, "remote"), "\"127.0.0.1\"");
  // The two tokens were created on the machine, by sottoctl: audited too.
  EXPECT_EQ(field(3, "action"), "\"token.create\"");
  EXPECT_EQ(field(3, "target"), "\"token 'dashboard' (viewer)\"");
  EXPECT_EQ(field(4, "target"), "\"token 'ops' (operator)\"");
  EXPECT_EQ(std::string(entries[4].at("who").as_string()).rfind("local:", 0), 0u);
  EXPECT_EQ(gateway_->metric("sotto_api_refused_total{code=\"missing_token\"}"), 1);
}

TEST_F(ApiAccess, ViewerCannotReadTheAuditLogAndSottoctlSaysWhy) {
  const CtlResult refused =
      run_sottoctl(dir_, {"--gateway", url(), "--token-file", viewer_file_, "audit"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("HTTP 403 for /api/v1/audit?limit=50: insufficient_role: this "
                                "needs the operator role; token 'dashboard' has viewer"),
            std::string::npos)
      << refused.output;
  const CtlResult anonymous = run_sottoctl(dir_, {"--gateway", url(), "fleet"});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_NE(anonymous.output.find("the gateway wants an API token"), std::string::npos)
      << anonymous.output;
}

TEST_F(ApiAccess, RevokedTokenIsRefusedFromTheNextRequest) {
  const std::string viewer = token_in(viewer_file_);
  EXPECT_EQ(http_get(gateway_->http_port(), "/api/v1/devices", viewer).status, 200);
  const CtlResult revoked =
      run_sottoctl(dir_, {"token", "revoke", "dashboard", "--db", gateway_->db_path()});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
  const auto refused = http_get(gateway_->http_port(), "/api/v1/devices", viewer);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(code_of(refused), "invalid_token");
  const CtlResult list =
      run_sottoctl(dir_, {"token", "list", "--json", "--db", gateway_->db_path()});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  const auto tokens = boost::json::parse(list.output).at("tokens").as_array();
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].at("name").as_string(), "ops");
  EXPECT_EQ(tokens[0].at("revoked").as_string(), "");
  EXPECT_NE(tokens[1].at("revoked").as_string(), "");
  // The same name is free again; the revoked one stays revoked.
  EXPECT_EQ(run_sottoctl(dir_, {"token", "create", "--role", "viewer", "--name", "dashboard",
                                "--db", gateway_->db_path()})
                .exit_code,
            0);
  EXPECT_EQ(http_get(gateway_->http_port(), "/api/v1/devices", viewer).status, 401);
}

TEST_F(ApiAccess, SottoctlRefusesATokenFileOthersCanRead) {
  ASSERT_EQ(::chmod(operator_file_.c_str(), 0644), 0);
  const CtlResult refused =
      run_sottoctl(dir_, {"--gateway", url(), "--token-file", operator_file_, "fleet"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("--token-file " + operator_file_ +
                                " is readable or writable by group or others (mode 0644); it "
                                "holds a secret, so sottoctl refuses it: chmod 600 " +
                                operator_file_),
            std::string::npos)
      << refused.output;
  ASSERT_EQ(::chmod(operator_file_.c_str(), 0600), 0);
  EXPECT_EQ(
      run_sottoctl(dir_, {"--gateway", url(), "--token-file", operator_file_, "fleet"}).exit_code,
      0);
}

TEST_F(ApiAccess, TokenFromTheEnvironmentIsUsed) {
  ::setenv("SOTTO_TOKEN", token_in(viewer_file_).c_str(), 1);
  const CtlResult result = run_sottoctl(dir_, {"--gateway", url(), "devices"});
  ::unsetenv("SOTTO_TOKEN");
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

// `sottoctl backup` reads the database on the gateway machine, not the API: no token, even with
// tokens required, and the copy carries the tokens (their hashes) so a restore keeps them.
TEST_F(ApiAccess, BackupNeedsNoTokenAndTheCopyHoldsTheTokens) {
  const std::string copy = dir_ + "/backup.db";
  const CtlResult backup = run_sottoctl(dir_, {"backup", copy, "--db", gateway_->db_path()});
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  const CtlResult listed = run_sottoctl(dir_, {"token", "list", "--json", "--db", copy});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  const boost::json::value list = boost::json::parse(listed.output);
  std::vector<std::string> names;
  for (const auto &token : list.at("tokens").as_array()) {
    names.emplace_back(token.at("name").as_string());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"ops", "dashboard"}));
}

TEST_F(ApiAccess, SottodRefusesToServeBeyondLoopbackWithoutATokenToAccept) {
  GatewayProcess empty(make_temp_dir("api-access-no-tokens"), broker_->url());
  empty.set_config("[http]\nlisten = \"0.0.0.0\"\n");
  empty.launch();
  EXPECT_EQ(empty.wait_exit(std::chrono::seconds(30)), 1);
  EXPECT_NE(empty.log().find("http.listen 0.0.0.0 is beyond loopback, so every request needs a "
                             "bearer token, but SQLite " +
                             empty.db_path() +
                             " holds none; create one on this machine first: sottoctl token "
                             "create --role operator --name NAME --db " +
                             empty.db_path()),
            std::string::npos)
      << empty.log();
  GatewayProcess required(make_temp_dir("api-access-required"), broker_->url());
  required.set_config("[http]\nrequire_token = true\n");
  required.launch();
  EXPECT_EQ(required.wait_exit(std::chrono::seconds(30)), 1);
  EXPECT_NE(required.log().find("http.require_token is set, so every request needs a bearer token"),
            std::string::npos)
      << required.log();
}

class HttpsApi : public ApiAccess {
 protected:
  void configure_gateway(GatewayProcess &gateway) override {
    pki_ = make_test_pki(dir_);
    config_ = https_config(pki_.server_certificate, pki_.server_key);
    ApiAccess::configure_gateway(gateway);
    gateway_->set_config(config_, true);
  }
  static std::string https_config(const std::string &certificate, const std::string &key) {
    return "[http]\nrequire_token = true\ntls_certificate = \"" + certificate + "\"\ntls_key = \"" +
           key + "\"\n";
  }
  CtlResult fleet_over_https(const std::string &ca_certificate) const {
    return run_sottoctl(dir_,
                        {"--gateway", "https://127.0.0.1:" + std::to_string(gateway_->http_port()),
                         "--ca-file", ca_certificate, "--token-file", viewer_file_, "fleet"});
  }
  static void expect_verify_failed(const CtlResult &result) {
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.output.find("TLS handshake failed: certificate verify failed"),
              std::string::npos)
        << result.output;
  }
  TestPki pki_;
};

TEST_F(HttpsApi, SottoctlTalksHttpsCheckingTheGatewayCertificate) {
  const CtlResult fleet = fleet_over_https(pki_.ca_certificate);
  EXPECT_EQ(fleet.exit_code, 0) << fleet.output;
  // A CA that did not sign the gateway's certificate.
  expect_verify_failed(fleet_over_https(pki_.other_ca_certificate));
  // Plain HTTP to the HTTPS port is answered, and named.
  const auto plain = http_get(gateway_->http_port(), "/api/v1/fleet");
  EXPECT_EQ(plain.status, 400);
  EXPECT_EQ(code_of(plain), "https_required");
  // The right CA, but a certificate it signed for another name than the address dialled.
  ASSERT_EQ(gateway_->stop(), 0);
  gateway_->set_config(https_config(pki_.misnamed_certificate, pki_.misnamed_key), true);
  gateway_->start();
  expect_verify_failed(fleet_over_https(pki_.ca_certificate));
}

}  // namespace
}  // namespace sotto::test
