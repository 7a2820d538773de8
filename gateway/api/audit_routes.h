// The audit log's endpoint, operator role only (the log names every token holder):
//   GET /api/v1/audit[?limit=N][&before_id=ID]  -> {"entries": [...], "next_before_id": ID|null}
// newest first: id, time, who, token_id, remote, action, target, status, outcome, detail.
#pragma once

#include "router.h"
#include "store.h"

namespace sotto::gw {

void add_audit_routes(Router &router, StoreReader &reader);

}  // namespace sotto::gw
