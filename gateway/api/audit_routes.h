// The audit log's endpoint, operator role only (the log names every token holder):
//   GET /api/v1/audit[?limit=N][&before_id=ID]  -> {"entries": [...], "next_before_id": ID|null}
// newest first: id, time, who, token_id, remote, action, target, status, outcome, detail.
#pragma once

#include <functional>

#include "router.h"
#include "store.h"

namespace sotto::gw {

// wait_for_queued, when given, returns once audit rows queued before the request are written
// (sottod queues them for its store writer thread), so a client reads the rows of its own
// earlier requests.
void add_audit_routes(Router &router, StoreReader &reader,
                      std::function<void()> wait_for_queued = {});

}  // namespace sotto::gw
