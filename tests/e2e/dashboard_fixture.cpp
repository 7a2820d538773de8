// The dashboard fixture: a quiet fleet, sottoctl, and Chromium on the page (see the header).
#include "dashboard_fixture.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "http_client.h"

#ifndef SOTTO_SCREENSHOT_DIR
#error "SOTTO_SCREENSHOT_DIR must name where the browser tests leave their screenshots"
#endif

namespace sotto::test {

void DashboardTest::SetUp() {
  RolloutTest::SetUp();
  std::filesystem::create_directories(SOTTO_SCREENSHOT_DIR);
}

void DashboardTest::configure_gateway(GatewayProcess &gateway) {
  gateway.set_config("[http]\nrequire_token = true\n");
  token_file_ = dir_ + "/operator.token";
  const CtlResult created =
      run_sottoctl(dir_, {"token", "create", "--role", "operator", "--name", "dashboard-test",
                          "--db", gateway.db_path(), "--out", token_file_});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  api_token_ = read_file(token_file_);
  while (!api_token_.empty() && api_token_.back() == '\n') api_token_.pop_back();
  gateway.set_token(api_token_);
}

void DashboardTest::TearDown() {
  if (browser_) {
    // Every console error, uncaught exception, failed load or CSP refusal of the whole visit,
    // but the 401s that opened the token dialog (Chromium logs each refused fetch).
    std::vector<std::string> errors;
    for (const std::string &error : browser_->console_errors()) {
      if (error.find("status of 401 (Unauthorized)") == std::string::npos) errors.push_back(error);
    }
    EXPECT_EQ(errors, std::vector<std::string>{});
    browser_.reset();
  }
  RolloutTest::TearDown();
}

void DashboardTest::run_quiet_fleet(int events_per_device) {
  const SimResult result =
      run_sim({"--devices", std::to_string(kDashboardDevices), "--sites", kDashboardSites,
               "--events-per-device", std::to_string(events_per_device), "--seed", "5", "--threads",
               "2", "--drain-timeout", "30"},
              std::chrono::seconds(120));
  ASSERT_EQ(result.exit_code, 0) << read_file(dir_ + "/sotto-sim.log");
  // Acknowledged means journaled: wait until the writer thread has applied the whole journal
  // (the events and the Health messages), so the page and sottoctl read the same final numbers.
  ASSERT_TRUE(
      wait_for_stored(long{kDashboardDevices} * events_per_device, std::chrono::seconds(60)));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    long beyond = -1;
    try {
      beyond = journal_records_beyond_store();
    } catch (const std::exception &) {
      // A segment deleted while it was read: applied meanwhile, so look again.
    }
    if (beyond == 0) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << beyond << " journal records were never applied to the store";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

boost::json::value DashboardTest::api(const std::string &target) const {
  const HttpResponse response = http_get(gateway_->http_port(), target, api_token_);
  if (response.status != 200) {
    throw std::runtime_error(target + ": HTTP " + std::to_string(response.status) + " " +
                             response.body);
  }
  return boost::json::parse(response.body);
}

boost::json::value DashboardTest::sottoctl_json(const std::vector<std::string> &args) {
  std::vector<std::string> full = {"--gateway", page_url(), "--token-file", token_file_, "--json"};
  full.insert(full.end(), args.begin(), args.end());
  // Not sottoctl-N.log: run_sottoctl (token create) numbers those.
  const std::string log = dir_ + "/sottoctl-json-" + std::to_string(++sottoctl_runs_) + ".log";
  Process ctl(SOTTO_BIN_DIR "/sottoctl", full, log);
  const int status = ctl.wait(std::chrono::seconds(60));
  if (status != 0) {
    throw std::runtime_error("sottoctl exited " + std::to_string(status) + ": " + read_file(log));
  }
  return boost::json::parse(read_file(log));
}

std::string DashboardTest::page_url(const std::string &fragment) const {
  return "http://127.0.0.1:" + std::to_string(gateway_->http_port()) + "/" + fragment;
}

Chromium &DashboardTest::open_dashboard_on_phone(const std::string &fragment) {
  browser_ = std::make_unique<Chromium>(dir_);
  browser_->set_viewport(390, 844, 2, true);
  browser_->navigate(page_url(fragment));
  log_in_on_the_page();
  wait_until_live();
  return *browser_;
}

void DashboardTest::log_in_on_the_page() {
  browser_->wait_for("document.getElementById('token-dialog').open", "the token dialog");
  // auth.js's text for the gateway's 401 {"code": "missing_token"}.
  EXPECT_EQ(shown_text("#token-reason"), "This gateway asks for an access token.");
  EXPECT_FALSE(
      browser_->evaluate("document.getElementById('status').classList.contains('live')").as_bool());
  screenshot("token-dialog");
  browser_->evaluate(
      "(() => { document.getElementById('token-input').value = " + js_string(api_token_) +
      "; document.getElementById('token-form').requestSubmit(); return true; })()");
}

std::string DashboardTest::shown_text(const std::string &selector) {
  const boost::json::value text =
      browser_->evaluate("(() => { const e = document.querySelector(" + js_string(selector) +
                         "); return e ? e.textContent : null; })()");
  if (!text.is_string()) throw std::runtime_error("the page shows no " + selector);
  return std::string(text.as_string());
}

int64_t DashboardTest::shown_number(const std::string &selector) {
  std::string text = shown_text(selector);
  std::string digits;
  for (char c : text) {
    if (c != ',') digits += c;
  }
  size_t used = 0;
  const long long value = digits.empty() ? 0 : std::stoll(digits, &used);
  if (digits.empty() || used != digits.size()) {
    throw std::runtime_error(selector + " shows '" + text + "', not a number");
  }
  return value;
}

void DashboardTest::wait_until_live() {
  browser_->wait_for("document.getElementById('status').classList.contains('live')",
                     "a live status line");
}

void DashboardTest::screenshot(const std::string &name) {
  browser_->screenshot(std::string(SOTTO_SCREENSHOT_DIR) + "/" + name + ".png");
}

}  // namespace sotto::test
