// The web dashboard on the API's port: GET / is the page, GET /dashboard/<file> its scripts,
// styles and icon, all embedded at build time (dashboard_assets.h). Every answer carries a strict
// Content-Security-Policy (scripts, styles, images and API calls from this origin only, no inline
// script or style), nosniff, and an ETag with Cache-Control: no-cache, so a browser revalidates
// (304 when unchanged) and never runs a stale page after an upgrade.
//
// The page reads the same /api/v1 endpoints sottoctl does; it has no API of its own.
#pragma once

#include "router.h"

namespace sotto::gw {

void add_dashboard_routes(Router &router);

}  // namespace sotto::gw
