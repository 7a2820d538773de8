// The fleet signing keys the gateway knows devices trust, and key rotations:
//   GET  /api/v1/keys        -> {"keys": [...], "next_key_list_version": N, "devices": N}
//        each key: key_id, provisioned, first_seen, distrusted (time or null), added_by and
//        retired_by (the key rotations, as [{"rollout": ID, "state": S}]), devices_trusting
//   POST /api/v1/keys        body: a PEM public key devices were provisioned with
//                            -> 201 the key (keys.trust)
//   POST /api/v1/keys/rotations?site=S|devices=A,B[&waves=..][&max_failure_pct=..]
//                            body: an encoded SignedKeyRotation (sottoctl keys rotate signs it)
//                            -> 201 the new rollout (keys.rotate); status, pause, resume and
//                            abort as for any rollout, under /api/v1/rollouts/ID
//   POST /api/v1/keys/ID/retire  -> the key (keys.retire): the gateway sends nothing signed by
//                            it from now on. Devices keep trusting it until a key rotation
//                            retires it on them: the rotation message always adds a key.
// Reads need the viewer role, the rest the operator role; every change is audited.
#pragma once

#include "rollout_engine.h"
#include "router.h"
#include "store.h"

namespace sotto::gw {

void add_key_routes(Router &router, RolloutEngine &engine, StoreReader &reader,
                    TrustWriter &writer);

}  // namespace sotto::gw
