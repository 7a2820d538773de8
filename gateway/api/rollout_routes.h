// The rollout endpoints of the HTTP API, registered on the Router as a prefix route:
//   POST /api/v1/rollouts?site=S|devices=A,B[&waves=5,25,100][&max_failure_pct=2]
//        body: the bundle file (application/octet-stream)        -> 201 the new rollout
//   GET  /api/v1/rollouts                                         -> {"rollouts": [...]}
//   GET  /api/v1/rollouts/ID                                      -> the rollout with its devices
//   POST /api/v1/rollouts/ID/pause | resume | abort               -> the rollout afterwards
// Errors are JSON {"error": ...}: 400 bad parameter or bundle, 404 unknown rollout, 405 wrong
// method, 409 a transition the rollout's state does not allow or devices already in a rollout.
#pragma once

#include "rollout_engine.h"
#include "router.h"

namespace sotto::gw {

void add_rollout_routes(Router &router, RolloutEngine &engine);

// A start request from ?site=S|devices=A,B[&waves=..][&max_failure_pct=..] and the body (also
// for key rotations, key_routes.h); throws RolloutRequestError naming the bad parameter.
RolloutStartRequest rollout_start_request(const Request &request,
                                          const std::map<std::string, std::string> &query,
                                          RolloutKind kind);
// The HTTP status for a RolloutRequestError.
http::status rollout_error_status(RolloutRequestError::Kind kind);

}  // namespace sotto::gw
