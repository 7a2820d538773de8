// The dashboard's files as sottod serves them: every file under gateway/dashboard/web byte for
// byte with its Content-Type, a strict CSP, revalidation by ETag (304), and nothing that points
// the browser at another origin. The Router is called directly, over a real (empty) store.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <filesystem>

#include "api_server_fixture.h"
#include "dashboard_assets.h"
#include "dashboard_routes.h"
#include "file_bytes.h"

#ifndef SOTTO_DASHBOARD_WEB_DIR
#error "SOTTO_DASHBOARD_WEB_DIR must name gateway/dashboard/web"
#endif

namespace sotto::gw {
namespace {

namespace fs = std::filesystem;

class DashboardRoutes : public ApiServerFixture {
 protected:
  void SetUp() override {
    open_store("dashboard");
    add_dashboard_routes(*router_);
  }

  Response get(const std::string &target, const std::string &if_none_match = "") {
    Request request{http::verb::get, target, 11};
    if (!if_none_match.empty()) request.set(http::field::if_none_match, if_none_match);
    return router_->handle(request);
  }
};

// The web folder's files, by URL: index.html at "/", the rest under /dashboard/.
std::map<std::string, fs::path> web_files() {
  std::map<std::string, fs::path> files;
  for (const auto &entry : fs::recursive_directory_iterator(SOTTO_DASHBOARD_WEB_DIR)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = fs::relative(entry.path(), SOTTO_DASHBOARD_WEB_DIR).string();
    files[name == "index.html" ? "/" : "/dashboard/" + name] = entry.path();
  }
  return files;
}

// A quoted ETag of 16 lower-case hex digits, as embed_assets.cmake writes them.
bool is_etag(const std::string &text) {
  if (text.size() != 18 || text.front() != '"' || text.back() != '"') return false;
  return std::all_of(text.begin() + 1, text.end() - 1,
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Plain scans rather than std::regex: GCC 12's regex headers trip -Wmaybe-uninitialized under
// the sanitized -O2 build.
std::string lower(std::string text) {
  for (char &c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Every <script ...> tag without a src attribute (an inline script).
std::vector<std::string> inline_scripts(const std::string &html) {
  std::vector<std::string> found;
  const std::string text = lower(html);
  for (size_t at = text.find("<script"); at != std::string::npos;
       at = text.find("<script", at + 1)) {
    const std::string tag = text.substr(at, text.find('>', at) - at + 1);
    if (tag.find(" src=") == std::string::npos) found.push_back(tag);
  }
  return found;
}

// A <style> element, a style attribute or an on* event handler attribute.
std::vector<std::string> inline_styles_and_handlers(const std::string &html) {
  std::vector<std::string> found;
  const std::string text = lower(html);
  if (text.find("<style") != std::string::npos) found.push_back("<style");
  for (size_t at = 0; at + 1 < text.size(); ++at) {
    if (!std::isspace(static_cast<unsigned char>(text[at]))) continue;
    size_t name_end = at + 1;
    while (name_end < text.size() && text[name_end] >= 'a' && text[name_end] <= 'z') ++name_end;
    const std::string name = text.substr(at + 1, name_end - at - 1);
    if (name_end < text.size() && text[name_end] == '=' &&
        (name == "style" || (name.size() > 2 && name.compare(0, 2, "on") == 0))) {
      found.push_back(name + "=");
    }
  }
  return found;
}

// Every http:// or https:// URL, up to a quote, blank or closing parenthesis.
std::vector<std::string> urls(const std::string &text) {
  std::vector<std::string> found;
  for (size_t at = text.find("http"); at != std::string::npos; at = text.find("http", at + 1)) {
    const size_t scheme_end = text.compare(at, 7, "http://") == 0    ? at + 7
                              : text.compare(at, 8, "https://") == 0 ? at + 8
                                                                     : std::string::npos;
    if (scheme_end == std::string::npos) continue;
    const size_t end = text.find_first_of("\"' \t\r\n)", scheme_end);
    found.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
  }
  return found;
}

std::string header(const Response &response, const std::string &name) {
  const auto found = response.find(name);
  return found == response.end() ? "" : std::string(found->value());
}

TEST_F(DashboardRoutes, ServesEveryWebFileByteForByteWithItsContentType) {
  const auto files = web_files();
  ASSERT_EQ(static_cast<size_t>(dashboard_assets_end() - dashboard_assets_begin()), files.size());
  const std::map<std::string, std::string> types = {{".html", "text/html; charset=utf-8"},
                                                    {".css", "text/css; charset=utf-8"},
                                                    {".js", "text/javascript; charset=utf-8"},
                                                    {".svg", "image/svg+xml"}};
  for (const auto &[url, file] : files) {
    const Response response = get(url);
    EXPECT_EQ(response.result(), http::status::ok) << url;
    const std::vector<uint8_t> bytes = read_file_bytes(file.string());
    EXPECT_EQ(response.body(), std::string(bytes.begin(), bytes.end())) << url;
    EXPECT_EQ(header(response, "Content-Type"), types.at(file.extension().string())) << url;
  }
}

TEST_F(DashboardRoutes, EveryAnswerCarriesAStrictPolicyAndRevalidates) {
  for (const auto &[url, file] : web_files()) {
    const Response response = get(url);
    EXPECT_EQ(header(response, "Content-Security-Policy"),
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
              "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'")
        << url;
    EXPECT_EQ(header(response, "X-Content-Type-Options"), "nosniff") << url;
    EXPECT_EQ(header(response, "Cache-Control"), "no-cache") << url;
    EXPECT_TRUE(is_etag(header(response, "ETag"))) << url << ": " << header(response, "ETag");
  }
}

TEST_F(DashboardRoutes, AMatchingETagGets304WithoutABody) {
  const std::string etag = header(get("/dashboard/js/app.js"), "ETag");
  const Response unchanged = get("/dashboard/js/app.js", etag);
  EXPECT_EQ(unchanged.result(), http::status::not_modified);
  EXPECT_EQ(unchanged.body(), "");
  EXPECT_EQ(header(unchanged, "ETag"), etag);
  EXPECT_EQ(get("/dashboard/js/app.js", "W/" + etag).result(), http::status::not_modified);
  EXPECT_EQ(get("/dashboard/js/app.js", "\"0000000000000000\"").result(), http::status::ok);
  // Another file's tag does not match.
  EXPECT_EQ(get("/", etag).result(), http::status::ok);
}

TEST_F(DashboardRoutes, UnknownFilesAndOtherMethodsGetTheApisJsonErrors) {
  const Response missing = get("/dashboard/js/missing.js");
  EXPECT_EQ(missing.result(), http::status::not_found);
  EXPECT_EQ(missing.body(), R"({"error":"no such endpoint: /dashboard/js/missing.js"})");
  Request post{http::verb::post, "/", 11};
  const Response refused = router_->handle(post);
  EXPECT_EQ(refused.result(), http::status::method_not_allowed);
  EXPECT_EQ(refused.body(), R"({"error":"only GET is served on /"})");
  // The API next to it is unchanged.
  const Response fleet = get("/api/v1/fleet");
  EXPECT_EQ(fleet.result(), http::status::ok);
  EXPECT_EQ(fleet.body(), R"({"sites":[]})");
}

// No inline script or style (the CSP would refuse them), and no URL of another origin: the only
// "http" in the files is the SVG namespace name, which is never fetched.
TEST_F(DashboardRoutes, TheFilesNeedNothingFromElsewhereAndNothingInline) {
  for (const auto &[url, file] : web_files()) {
    const std::vector<uint8_t> bytes = read_file_bytes(file.string());
    const std::string text(bytes.begin(), bytes.end());
    if (file.extension() == ".html") {
      EXPECT_EQ(inline_scripts(text), std::vector<std::string>{}) << url;
      EXPECT_EQ(inline_styles_and_handlers(text), std::vector<std::string>{}) << url;
    }
    for (const std::string &found : urls(text)) {
      EXPECT_EQ(found, "http://www.w3.org/2000/svg") << url;
    }
  }
}

}  // namespace
}  // namespace sotto::gw
