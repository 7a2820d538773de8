// Who may use the HTTP API: bearer tokens checked by a real Router + ApiGuard over a real SQLite
// store and HttpServer, every refusal named (401/403 with a code) and audited.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <vector>

#include "api_guard.h"
#include "api_server_fixture.h"
#include "audit_log.h"
#include "audit_routes.h"
#include "authenticator.h"
#include "dashboard_routes.h"
#include "http_client.h"

namespace sotto::gw {
namespace {

using test::http_get;
using test::http_post;

class ApiAuthTest : public ApiServerFixture {
 protected:
  void start(bool tokens_required) {
    open_store("auth");
    writer_ = &store_->writer();
    operator_ = add_token("ops", Role::kOperator);
    viewer_ = add_token("dashboard", Role::kViewer);
    authenticator_ = std::make_unique<Authenticator>(*reader_, tokens_required);
    audit_ = std::make_unique<AuditLog>(*writer_);
    guard_ = std::make_unique<ApiGuard>(*authenticator_, *audit_);
    add_audit_routes(*router_, *reader_);
    // An operator action like the rollout routes': POST needs the operator role and is audited.
    router_->add_prefix_route(
        "/api/v1/things",
        [](const Request &request, const std::string &,
           const std::map<std::string, std::string> &) {
          return json_response(request, http::status::created, R"({"id": 7})");
        },
        [](const Request &request, const std::string &) {
          RouteAccess access;
          if (request.method() != http::verb::get) {
            access.role = Role::kOperator;
            access.action = "thing.make";
          }
          return access;
        });
    add_dashboard_routes(*router_);
    router_->protect(*guard_);
    serve();
  }

  std::string add_token(const std::string &name, Role role) {
    NewToken token = make_token(name, role, 1000);
    EXPECT_TRUE(writer_->insert_api_token(token.row));
    return token.text;
  }

  static boost::json::object body_of(const test::HttpResponse &response) {
    return boost::json::parse(response.body).as_object();
  }

  // The audit log through the API, oldest first.
  std::vector<AuditRow> audit_rows() { return reverse(reader_->audit(AuditFilter{1000, {}})); }
  static std::vector<AuditRow> reverse(std::vector<AuditRow> rows) {
    return std::vector<AuditRow>(rows.rbegin(), rows.rend());
  }

  TrustWriter *writer_ = nullptr;  // the store's writer
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApiGuard> guard_;
  std::string operator_, viewer_;
};

TEST_F(ApiAuthTest, NoTokenIs401MissingTokenAndAudited) {
  start(true);
  const auto response = http_get(port(), "/api/v1/devices");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(body_of(response).at("code").as_string(), "missing_token");
  EXPECT_NE(response.headers.find("WWW-Authenticate: Bearer realm=\"sottod\""), std::string::npos)
      << response.headers;
  const auto rows = audit_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].who, "anonymous");
  EXPECT_EQ(rows[0].remote, "127.0.0.1");
  EXPECT_EQ(rows[0].action, "read");
  EXPECT_EQ(rows[0].target, "GET /api/v1/devices");
  EXPECT_EQ(rows[0].status, 401);
  EXPECT_EQ(rows[0].outcome, "refused");
  EXPECT_EQ(rows[0].detail, "missing_token: no Authorization header");
}

TEST_F(ApiAuthTest, DashboardPageAndFilesNeedNoTokenButEveryOtherPathDoes) {
  start(true);
  const int port = this->port();
  const auto page = http_get(port, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"token-dialog\""), std::string::npos);  // it asks for one
  EXPECT_EQ(http_get(port, "/dashboard/js/auth.js").status, 200);
  // Only the embedded files are open: a missing one under /dashboard/ and the API are not.
  const auto missing = http_get(port, "/dashboard/js/missing.js");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(body_of(missing).at("code").as_string(), "missing_token");
  EXPECT_EQ(http_get(port, "/api/v1/fleet").status, 401);
  EXPECT_EQ(http_get(port, "/api/v1/fleet", viewer_).status, 200);
  const auto rows = audit_rows();  // the two refusals; serving files is not audited
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].target, "GET /dashboard/js/missing.js");
  EXPECT_EQ(rows[1].target, "GET /api/v1/fleet");
}

TEST_F(ApiAuthTest, MalformedTokensAre401MalformedToken) {
  start(true);
  for (const std::string &header : std::vector<std::string>{
           "Basic b3BzOnNlY3JldA==", "Bearer", "Bearer sotto_zz", "Bearer " + operator_ + "0",
           "Bearer " + operator_.substr(0, 10) + "\xff" + operator_.substr(11)}) {
    const auto response =
        test::http_raw(port(), "GET /api/v1/fleet HTTP/1.1\r\nHost: x\r\nAuthorization: " + header +
                                   "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(response.status, 401) << header;
    EXPECT_EQ(body_of(response).at("code").as_string(), "malformed_token") << header;
  }
  const auto rows = audit_rows();
  ASSERT_EQ(rows.size(), 5u);
  for (const AuditRow &row : rows) {
    EXPECT_EQ(row.outcome, "refused");
    EXPECT_EQ(row.detail.rfind("malformed_token: ", 0), 0u) << row.detail;
  }
}

TEST_F(ApiAuthTest, UnknownWrongAndRevokedTokensAre401InvalidToken) {
  start(true);
  std::string wrong_secret = operator_;
  wrong_secret.back() = wrong_secret.back() == '0' ? '1' : '0';
  const std::string unknown = "sotto_0123456789abcdef_" + std::string(64, 'a');
  EXPECT_EQ(http_get(port(), "/api/v1/fleet", wrong_secret).status, 401);
  EXPECT_EQ(http_get(port(), "/api/v1/fleet", unknown).status, 401);
  EXPECT_EQ(http_get(port(), "/api/v1/fleet", viewer_).status, 200);
  ASSERT_TRUE(writer_->revoke_api_token("dashboard", 2000));
  const auto revoked = http_get(port(), "/api/v1/fleet", viewer_);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(body_of(revoked).at("code").as_string(), "invalid_token");
  const auto rows = audit_rows();
  ASSERT_EQ(rows.size(), 3u);  // successful reads are not audited
  EXPECT_EQ(rows[0].who, "ops");
  EXPECT_EQ(rows[0].detail, "invalid_token: wrong secret for token 'ops'");
  EXPECT_EQ(rows[1].who, "anonymous");
  EXPECT_EQ(rows[1].token_id, "0123456789abcdef");
  EXPECT_EQ(rows[1].detail, "invalid_token: no token has this id");
  EXPECT_EQ(rows[2].who, "dashboard");
  EXPECT_EQ(rows[2].detail, "invalid_token: token 'dashboard' was revoked");
}

TEST_F(ApiAuthTest, ViewerStartingAnOperatorActionIs403AndAudited) {
  start(true);
  const auto response = http_post(port(), "/api/v1/things?x=1", "body", viewer_);
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(body_of(response).at("code").as_string(), "insufficient_role");
  EXPECT_EQ(body_of(response).at("error").as_string(),
            "this needs the operator role; token 'dashboard' has viewer");
  EXPECT_EQ(http_get(port(), "/api/v1/things", viewer_).status, 201);  // reads: fine
  const auto rows = audit_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].who, "dashboard");
  EXPECT_EQ(rows[0].action, "thing.make");
  EXPECT_EQ(rows[0].target, "POST /api/v1/things?x=1");
  EXPECT_EQ(rows[0].status, 403);
  EXPECT_EQ(rows[0].detail, "insufficient_role: role viewer below operator");
}

TEST_F(ApiAuthTest, OperatorActionsAreAuditedWithTheirOutcome) {
  start(true);
  EXPECT_EQ(http_post(port(), "/api/v1/things", "body", operator_).status, 201);
  const auto rows = audit_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].who, "ops");
  EXPECT_EQ(rows[0].action, "thing.make");
  EXPECT_EQ(rows[0].status, 201);
  EXPECT_EQ(rows[0].outcome, "ok");
  EXPECT_EQ(rows[0].detail, "id 7");
}

TEST_F(ApiAuthTest, AuditLogIsReadableByOperatorsOnly) {
  start(true);
  EXPECT_EQ(http_get(port(), "/api/v1/fleet").status, 401);
  const auto refused = http_get(port(), "/api/v1/audit", viewer_);
  EXPECT_EQ(refused.status, 403);
  const auto response = http_get(port(), "/api/v1/audit?limit=1", operator_);
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = body_of(response);
  const auto &entries = body.at("entries").as_array();
  ASSERT_EQ(entries.size(), 1u);  // newest first: the viewer's refused read of the log
  EXPECT_EQ(entries[0].at("who").as_string(), "dashboard");
  EXPECT_EQ(entries[0].at("target").as_string(), "GET /api/v1/audit");
  EXPECT_EQ(entries[0].at("status").as_int64(), 403);
  EXPECT_EQ(body.at("next_before_id"), entries[0].at("id"));
  const auto older = body_of(
      http_get(port(), "/api/v1/audit?before_id=" + std::to_string(entries[0].at("id").as_int64()),
               operator_));
  ASSERT_EQ(older.at("entries").as_array().size(), 1u);
  EXPECT_EQ(older.at("entries").as_array()[0].at("detail").as_string(),
            "missing_token: no Authorization header");
  EXPECT_TRUE(older.at("next_before_id").is_null());
}

TEST_F(ApiAuthTest, HealthzNeedsNoToken) {
  start(true);
  EXPECT_EQ(http_get(port(), "/healthz").status, 503);  // not connected: but answered
  EXPECT_TRUE(audit_rows().empty());
}

TEST_F(ApiAuthTest, WithTokensOptionalAnonymousCallersAreOperatorsAndNamedSo) {
  start(false);
  EXPECT_EQ(http_post(port(), "/api/v1/things", "body").status, 201);
  // A token that is sent is checked all the same.
  EXPECT_EQ(http_get(port(), "/api/v1/fleet", "sotto_nonsense").status, 401);
  const auto rows = audit_rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].who, "anonymous");
  EXPECT_EQ(rows[0].outcome, "ok");
  EXPECT_EQ(rows[1].outcome, "refused");
}

TEST_F(ApiAuthTest, RefusalsAreCountedInMetrics) {
  start(true);
  router_->add_metrics([this] { return guard_->render_metrics(); });
  http_get(port(), "/api/v1/fleet");
  http_get(port(), "/api/v1/fleet");
  http_post(port(), "/api/v1/things", "", viewer_);
  const auto metrics = http_get(port(), "/metrics", viewer_).body;
  EXPECT_NE(metrics.find("sotto_api_refused_total{code=\"missing_token\"} 2\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("sotto_api_refused_total{code=\"insufficient_role\"} 1\n"),
            std::string::npos);
}

TEST(AuditLogCap, AnonymousRefusalsOverTheMinuteCapAreSummarisedNotLost) {
  const std::string path =
      ::testing::TempDir() + "/sotto-audit-cap-" + std::to_string(::getpid()) + ".db";
  for (const char *suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  test::TestStore store(path);
  TrustWriter *writer = &store.writer();
  AuditLog log(*writer);
  const auto refusal = [](int64_t time_ms) {
    AuditRow row;
    row.time_ms = time_ms;
    row.who = "anonymous";
    row.action = "read";
    row.outcome = "refused";
    return row;
  };
  for (int i = 0; i < 130; ++i) log.record_refusal(refusal(60'000 + i), true);
  AuditRow named = refusal(60'500);
  named.who = "dashboard";
  log.record_refusal(named, false);            // a named caller is never capped
  log.record_refusal(refusal(120'000), true);  // the next minute
  const auto rows = store.store().reader()->audit(AuditFilter{1000, {}});
  ASSERT_EQ(rows.size(), 120u + 1 + 1 + 1);
  EXPECT_EQ(rows[1].detail,
            "10 more refused requests without a valid token in the minute before were not "
            "logged one by one (at most 120 a minute are)");
  EXPECT_EQ(log.suppressed(), 10u);
}

}  // namespace
}  // namespace sotto::gw
