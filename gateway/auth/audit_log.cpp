// Audit rows through the TrustWriter or its queue, with the cap on anonymous refusals.
#include "audit_log.h"

#include <pwd.h>
#include <unistd.h>

#include "log.h"
#include "time_format.h"

namespace sotto::gw {

void AuditLog::record(AuditRow row) {
  if (row.time_ms == 0) row.time_ms = now_ms();
  if (queue_) {
    queue_([this, row = std::move(row)](TrustWriter &writer) { write(writer, row); });
  } else {
    write(*writer_, row);
  }
}

void AuditLog::write(TrustWriter &writer, const AuditRow &row) {
  try {
    writer.append_audit(row);
  } catch (const std::exception &error) {
    write_failures_ += 1;
    log_line(LogLevel::kError, "audit log: cannot record " + row.action + " by " + row.who + " (" +
                                   row.outcome + "): " + error.what());
  }
}

void AuditLog::record_refusal(AuditRow row, bool anonymous) {
  if (row.time_ms == 0) row.time_ms = now_ms();
  if (!anonymous) return record(std::move(row));
  const int64_t minute = row.time_ms / 60000;
  if (minute != minute_) {
    if (suppressed_in_minute_ > 0) {
      AuditRow summary;
      summary.time_ms = row.time_ms;
      summary.who = "anonymous";
      summary.action = "access";
      summary.outcome = "refused";
      summary.detail = std::to_string(suppressed_in_minute_) +
                       " more refused requests without a valid token in the minute before were "
                       "not logged one by one (at most " +
                       std::to_string(kMaxAnonymousRefusalsPerMinute) + " a minute are)";
      record(std::move(summary));
    }
    minute_ = minute;
    minute_count_ = 0;
    suppressed_in_minute_ = 0;
  }
  if (minute_count_ >= kMaxAnonymousRefusalsPerMinute) {
    suppressed_in_minute_ += 1;
    suppressed_total_ += 1;
    return;
  }
  minute_count_ += 1;
  record(std::move(row));
}

std::string local_user_name() {
  const passwd *entry = ::getpwuid(::geteuid());
  return std::string("local:") +
         (entry != nullptr ? entry->pw_name : "uid" + std::to_string(::geteuid()));
}

}  // namespace sotto::gw
