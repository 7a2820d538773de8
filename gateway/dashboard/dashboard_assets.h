// The dashboard's files (gateway/dashboard/web), compiled into the binary at build time by
// embed_assets.cmake: nothing is read from disk or fetched from elsewhere at run time.
#pragma once

#include <cstddef>

namespace sotto::gw {

struct DashboardAsset {
  const char *path;          // "/" for index.html, "/dashboard/<file>" for the others
  const char *content_type;  // with charset for text
  const unsigned char *bytes;
  size_t size;
  const char *etag;  // quoted, from the file's SHA-256: changes whenever the file does
};

// Every embedded file, sorted by its name under web/.
const DashboardAsset *dashboard_assets_begin();
const DashboardAsset *dashboard_assets_end();

}  // namespace sotto::gw
