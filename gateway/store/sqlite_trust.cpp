// The SQLite backend's trust tables: API tokens, the audit log and fleet keys. Writes are the
// writer connection's (SqliteWriter, each in a transaction of its own unless a batch is open);
// reads are SqliteReader's.
#include "sqlite_connections.h"

namespace sotto::gw {
namespace {

constexpr const char *kTokenColumns =
    "SELECT token_id, name, role, salt, hash, iterations, created_ms, revoked_ms FROM api_tokens";

ApiTokenRow token_row(const Statement &query) {
  ApiTokenRow row;
  row.token_id = query.text(0);
  row.name = query.text(1);
  row.role = query.text(2);
  row.salt = query.blob(3);
  row.hash = query.blob(4);
  row.iterations = query.integer(5);
  row.created_ms = query.integer(6);
  row.revoked_ms = query.optional_integer(7);
  return row;
}

constexpr const char *kKeyColumns =
    "SELECT key_id, public_key, first_seen_ms, provisioned, distrusted_ms FROM fleet_keys";

FleetKeyRow key_row(const Statement &query) {
  FleetKeyRow row;
  row.key_id = query.integer(0);
  row.public_key = query.blob(1);
  row.first_seen_ms = query.integer(2);
  row.provisioned = query.integer(3) != 0;
  row.distrusted_ms = query.optional_integer(4);
  return row;
}

constexpr const char *kAuditNewest =
    "SELECT id, time_ms, who, token_id, remote, action, target, status, outcome, detail FROM "
    "audit_log ORDER BY id DESC LIMIT ?1";
constexpr const char *kAuditBefore =
    "SELECT id, time_ms, who, token_id, remote, action, target, status, outcome, detail FROM "
    "audit_log WHERE id < ?2 ORDER BY id DESC LIMIT ?1";

}  // namespace

bool SqliteWriter::insert_api_token(const ApiTokenRow &token) {
  return on_its_own([&] {
    Statement taken(db_.handle(),
                    "SELECT 1 FROM api_tokens WHERE name = ?1 AND revoked_ms IS NULL");
    taken.bind(1, token.name);
    if (taken.step()) return false;
    Statement insert(db_.handle(),
                     "INSERT INTO api_tokens (token_id, name, role, salt, hash, iterations, "
                     "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, token.token_id)
        .bind(2, token.name)
        .bind(3, token.role)
        .bind_blob(4, token.salt)
        .bind_blob(5, token.hash)
        .bind(6, token.iterations)
        .bind(7, token.created_ms)
        .run();
    return true;
  });
}

bool SqliteWriter::revoke_api_token(const std::string &name_or_id, int64_t revoked_ms) {
  return on_its_own([&] {
    Statement revoke(db_.handle(),
                     "UPDATE api_tokens SET revoked_ms = ?2 WHERE (name = ?1 OR token_id = ?1) "
                     "AND revoked_ms IS NULL");
    revoke.bind(1, name_or_id).bind(2, revoked_ms).run();
    return db_.changes() > 0;
  });
}

int64_t SqliteWriter::append_audit(const AuditRow &row) {
  return on_its_own([&] {
    Statement insert(
        db_.handle(),
        "INSERT INTO audit_log (time_ms, who, token_id, remote, action, target, status, "
        "outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    insert.bind(1, row.time_ms)
        .bind(2, row.who)
        .bind(3, row.token_id)
        .bind(4, row.remote)
        .bind(5, row.action)
        .bind(6, row.target)
        .bind(7, row.status)
        .bind(8, row.outcome)
        .bind(9, row.detail)
        .run();
    return db_.last_insert_rowid();
  });
}

bool SqliteWriter::add_provisioned_key(const FleetKeyRow &key) {
  return on_its_own([&] {
    Statement upsert(db_.handle(),
                     "INSERT INTO fleet_keys (key_id, public_key, first_seen_ms, provisioned) "
                     "VALUES (?1, ?2, ?3, 1) ON CONFLICT (key_id) DO UPDATE SET provisioned = 1 "
                     "WHERE provisioned = 0");
    upsert.bind(1, key.key_id).bind_blob(2, key.public_key).bind(3, key.first_seen_ms).run();
    return db_.changes() > 0;
  });
}

bool SqliteWriter::distrust_fleet_key(int64_t key_id, int64_t distrusted_ms) {
  return on_its_own([&] {
    Statement update(db_.handle(),
                     "UPDATE fleet_keys SET distrusted_ms = ?2 WHERE key_id = ?1 "
                     "AND distrusted_ms IS NULL");
    update.bind(1, key_id).bind(2, distrusted_ms).run();
    return db_.changes() > 0;
  });
}

std::optional<ApiTokenRow> SqliteReader::api_token(const std::string &token_id) {
  Statement query(db_.handle(), (std::string(kTokenColumns) + " WHERE token_id = ?1").c_str());
  query.bind(1, token_id);
  if (!query.step()) return std::nullopt;
  return token_row(query);
}

std::vector<ApiTokenRow> SqliteReader::api_tokens() {
  Statement query(db_.handle(), (std::string(kTokenColumns) + " ORDER BY created_ms").c_str());
  std::vector<ApiTokenRow> rows;
  while (query.step()) rows.push_back(token_row(query));
  return rows;
}

int64_t SqliteReader::unrevoked_api_token_count() {
  Statement query(db_.handle(), "SELECT COUNT(*) FROM api_tokens WHERE revoked_ms IS NULL");
  query.step();
  return query.integer(0);
}

std::vector<AuditRow> SqliteReader::audit(const AuditFilter &filter) {
  // Newest first by rowid; before_id seeks into it instead of filtering a walk.
  Statement query(db_.handle(), filter.before_id ? kAuditBefore : kAuditNewest);
  query.bind(1, filter.limit);
  if (filter.before_id) query.bind(2, *filter.before_id);
  std::vector<AuditRow> rows;
  while (query.step()) {
    rows.push_back(AuditRow{query.integer(0), query.integer(1), query.text(2), query.text(3),
                            query.text(4), query.text(5), query.text(6), query.integer(7),
                            query.text(8), query.text(9)});
  }
  return rows;
}

std::vector<FleetKeyRow> SqliteReader::fleet_keys() {
  Statement query(db_.handle(), (std::string(kKeyColumns) + " ORDER BY first_seen_ms").c_str());
  std::vector<FleetKeyRow> rows;
  while (query.step()) rows.push_back(key_row(query));
  return rows;
}

std::optional<FleetKeyRow> SqliteReader::fleet_key(int64_t key_id) {
  Statement query(db_.handle(), (std::string(kKeyColumns) + " WHERE key_id = ?1").c_str());
  query.bind(1, key_id);
  if (!query.step()) return std::nullopt;
  return key_row(query);
}

std::vector<std::string> SqliteReader::devices_not_trusting(
    int64_t key_id, const std::vector<std::string> &devices) {
  const std::optional<FleetKeyRow> key = fleet_key(key_id);
  if (!key || key->distrusted_ms) return devices;
  // A device took a key rotation when its row in that rollout says activated.
  Statement took(db_.handle(),
                 "SELECT EXISTS (SELECT 1 FROM rollouts r JOIN rollout_devices d ON "
                 "d.rollout_id = r.id WHERE r.adds_key_id = ?1 AND d.device_id = ?2 AND "
                 "d.state = 'activated'), EXISTS (SELECT 1 FROM rollouts r JOIN rollout_devices "
                 "d ON d.rollout_id = r.id WHERE r.retires_key_id = ?1 AND d.device_id = ?2 AND "
                 "d.state = 'activated')");
  std::vector<std::string> refusing;
  for (const std::string &device : devices) {
    took.bind(1, key_id).bind(2, device);
    took.step();
    const bool added = key->provisioned || took.integer(0) != 0;
    const bool retired = took.integer(1) != 0;
    took.reset();
    if (!added || retired) refusing.push_back(device);
  }
  return refusing;
}

int64_t SqliteReader::last_key_list_version() {
  Statement query(db_.handle(),
                  "SELECT COALESCE(MAX(model_version), 0) FROM rollouts WHERE kind = 'keys'");
  query.step();
  return query.integer(0);
}

}  // namespace sotto::gw
