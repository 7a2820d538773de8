// Serves the embedded dashboard files (see the header).
#include "dashboard_routes.h"

#include <string>

#include "dashboard_assets.h"

namespace sotto::gw {
namespace {

// 'self' only: the page loads nothing from elsewhere. No 'unsafe-inline' anywhere: the scripts
// build the DOM, and the SVG charts use presentation attributes, never style attributes.
constexpr const char *kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

bool etag_matches(const Request &request, const char *etag) {
  const auto header = request.find(http::field::if_none_match);
  if (header == request.end()) return false;
  const std::string value(header->value());
  return value == "*" || value.find(etag) != std::string::npos;
}

Response serve(const DashboardAsset &asset, const Request &request) {
  if (request.method() != http::verb::get) {
    return error_response(request, http::status::method_not_allowed,
                          std::string("only GET is served on ") + asset.path);
  }
  const bool unchanged = etag_matches(request, asset.etag);
  Response response{unchanged ? http::status::not_modified : http::status::ok, request.version()};
  response.set(http::field::server, "sottod");
  response.set(http::field::content_type, asset.content_type);
  response.set(http::field::etag, asset.etag);
  response.set(http::field::cache_control, "no-cache");
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Frame-Options", "DENY");
  response.keep_alive(request.keep_alive());
  if (!unchanged) response.body().assign(reinterpret_cast<const char *>(asset.bytes), asset.size);
  response.prepare_payload();
  return response;
}

}  // namespace

void add_dashboard_routes(Router &router) {
  for (const DashboardAsset *asset = dashboard_assets_begin(); asset != dashboard_assets_end();
       ++asset) {
    router.add_exact_route(asset->path, [asset](const Request &request, const std::string &,
                                                const std::map<std::string, std::string> &) {
      return serve(*asset, request);
    });
  }
}

}  // namespace sotto::gw
