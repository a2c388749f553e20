#include "store/sqlite/sqlite_event_store.h"

#include <utility>

#include "common/strings.h"

namespace ghloader {
namespace {

constexpr std::string_view kSelectHour =
    "SELECT hour, state, lines, events_stored, duplicates, lines_rejected, lines_repaired,"
    " compressed_bytes, decompressed_bytes, seconds, fingerprint, source, error,"
    " lease_owner, lease_expires_at, fencing_token, updated_at FROM hours WHERE hour = ?1";

HourRecord ReadHourRow(const sqlite::Statement& row) {
  HourRecord record;
  record.hour = row.ColumnText(0);
  record.state = ParseHourState(row.ColumnText(1)).value_or(HourState::kPending);
  record.stats.lines = row.ColumnInt64(2);
  record.stats.events_stored = row.ColumnInt64(3);
  record.stats.duplicates = row.ColumnInt64(4);
  record.stats.lines_rejected = row.ColumnInt64(5);
  record.stats.lines_repaired = row.ColumnInt64(6);
  record.stats.compressed_bytes = row.ColumnInt64(7);
  record.stats.decompressed_bytes = row.ColumnInt64(8);
  record.stats.seconds = row.ColumnDouble(9);
  record.stats.fingerprint = row.ColumnText(10);
  record.source = row.ColumnText(11);
  record.error = row.ColumnText(12);
  record.lease_owner = row.ColumnText(13);
  record.lease_expires_at = FromMicros(row.ColumnInt64(14));
  record.fencing_token = row.ColumnInt64(15);
  record.updated_at = FromMicros(row.ColumnInt64(16));
  return record;
}

absl::StatusOr<std::optional<HourRecord>> SelectHour(sqlite::Connection& db,
                                                     std::string_view hour) {
  absl::StatusOr<sqlite::Statement> select = db.Prepare(kSelectHour);
  if (!select.ok()) return select.status();
  select->Bind(1, hour);
  absl::StatusOr<bool> row = select->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<HourRecord>();
  return std::optional<HourRecord>(ReadHourRow(*select));
}

// Checks inside a write transaction that `lease` is still the newest claim.
absl::Status CheckLeaseHeld(sqlite::Connection& db, const Lease& lease) {
  absl::StatusOr<std::optional<HourRecord>> current = SelectHour(db, lease.hour);
  if (!current.ok()) return current.status();
  if (!current->has_value() || (*current)->fencing_token != lease.fencing_token) {
    return absl::FailedPreconditionError(Concat(
        "lease on hour ", lease.hour, " with fencing token ", lease.fencing_token,
        " was taken over by another loader"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BatchWriteResult> SqliteEventStore::WriteBatch(
    std::string_view hour, const std::vector<BatchEvent>& events) {
  BatchWriteResult result;
  absl::Status written = database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> insert = db.Prepare(
        "INSERT INTO events (key, event_id, type, actor_login, repo_name, created_at, json)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO NOTHING");
    if (!insert.ok()) return insert.status();

    for (const BatchEvent& item : events) {
      const Event& event = item.event;
      insert->Bind(1, event.key);
      insert->BindOptional(2, event.id);
      insert->Bind(3, event.type);
      insert->BindOptional(4, event.actor_login);
      insert->BindOptional(5, event.repo_name);
      insert->Bind(6, event.created_at);
      insert->Bind(7, event.json);
      absl::Status ran = insert->Run();
      if (!ran.ok()) return ran;
      if (db.Changes() > 0) {
        ++result.inserted;
      } else {
        ++result.duplicates;
      }
    }

    absl::StatusOr<sqlite::Statement> progress = db.Prepare(
        "UPDATE hours SET events_stored = events_stored + ?2 WHERE hour = ?1 AND state = 'loading'");
    if (!progress.ok()) return progress.status();
    progress->Bind(1, hour);
    progress->Bind(2, result.inserted);
    return progress->Run();
  });
  if (!written.ok()) return written;
  return result;
}

absl::Status SqliteEventStore::WriteRejects(const std::vector<RejectedLine>& rejects) {
  if (rejects.empty()) return absl::OkStatus();
  return database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> insert = db.Prepare(
        "INSERT OR REPLACE INTO rejects (hour, line, reason, text) VALUES (?1, ?2, ?3, ?4)");
    if (!insert.ok()) return insert.status();
    for (const RejectedLine& reject : rejects) {
      insert->Bind(1, reject.hour);
      insert->Bind(2, reject.line_number);
      insert->Bind(3, reject.reason);
      insert->Bind(4, std::string_view(reject.text).substr(0, kMaxRejectedTextBytes));
      absl::Status ran = insert->Run();
      if (!ran.ok()) return ran;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<ClaimResult> SqliteEventStore::ClaimHour(std::string_view hour,
                                                        std::string_view owner,
                                                        absl::Duration lease_duration,
                                                        bool force) {
  ClaimResult result;
  absl::Status claimed = database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::StatusOr<std::optional<HourRecord>> current = SelectHour(db, hour);
    if (!current.ok()) return current.status();

    absl::Time now = absl::Now();
    int64_t token = 1;
    if (current->has_value()) {
      const HourRecord& record = **current;
      result.current = record;
      token = record.fencing_token + 1;
      if (record.state == HourState::kLoaded && !force) {
        result.outcome = ClaimOutcome::kAlreadyLoaded;
        return absl::OkStatus();
      }
      if (record.state == HourState::kLoading && record.lease_expires_at > now) {
        result.outcome = ClaimOutcome::kHeldByOther;
        return absl::OkStatus();
      }
    }

    result.outcome = ClaimOutcome::kClaimed;
    result.lease = Lease{std::string(hour), std::string(owner), token, now + lease_duration};
    if (current->has_value() && ((*current)->state == HourState::kLoading ||
                                 (*current)->state == HourState::kPending)) {
      result.lease.events_stored_before = (*current)->stats.events_stored;
    }
    absl::StatusOr<sqlite::Statement> upsert = db.Prepare(
        "INSERT INTO hours (hour, state, lease_owner, lease_expires_at, fencing_token, updated_at)"
        " VALUES (?1, 'loading', ?2, ?3, ?4, ?5)"
        " ON CONFLICT (hour) DO UPDATE SET state = 'loading', lease_owner = ?2,"
        " lease_expires_at = ?3, fencing_token = ?4, updated_at = ?5, error = NULL,"
        " events_stored = ?6");
    if (!upsert.ok()) return upsert.status();
    upsert->Bind(1, hour);
    upsert->Bind(2, owner);
    upsert->Bind(3, ToMicros(result.lease.expires_at));
    upsert->Bind(4, token);
    upsert->Bind(5, ToMicros(now));
    upsert->Bind(6, result.lease.events_stored_before);
    return upsert->Run();
  });
  if (!claimed.ok()) return claimed;
  return result;
}

absl::Status SqliteEventStore::RenewLease(Lease& lease, absl::Duration lease_duration) {
  absl::Time expires_at = absl::Now() + lease_duration;
  absl::Status renewed = database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::Status held = CheckLeaseHeld(db, lease);
    if (!held.ok()) return held;
    absl::StatusOr<sqlite::Statement> update =
        db.Prepare("UPDATE hours SET lease_expires_at = ?2 WHERE hour = ?1");
    if (!update.ok()) return update.status();
    update->Bind(1, lease.hour);
    update->Bind(2, ToMicros(expires_at));
    return update->Run();
  });
  if (renewed.ok()) lease.expires_at = expires_at;
  return renewed;
}

absl::Status SqliteEventStore::CompleteHour(const Lease& lease, const HourRecord& record) {
  return database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::Status held = CheckLeaseHeld(db, lease);
    if (!held.ok()) return held;
    absl::StatusOr<sqlite::Statement> update = db.Prepare(
        "UPDATE hours SET state = ?2, lines = ?3, events_stored = ?4, duplicates = ?5,"
        " lines_rejected = ?6, lines_repaired = ?7, compressed_bytes = ?8,"
        " decompressed_bytes = ?9, seconds = ?10, fingerprint = ?11, source = ?12,"
        " error = ?13, lease_owner = NULL, lease_expires_at = 0, updated_at = ?14"
        " WHERE hour = ?1");
    if (!update.ok()) return update.status();
    const HourStats& stats = record.stats;
    update->Bind(1, lease.hour);
    update->Bind(2, HourStateName(record.state));
    update->Bind(3, stats.lines);
    update->Bind(4, stats.events_stored);
    update->Bind(5, stats.duplicates);
    update->Bind(6, stats.lines_rejected);
    update->Bind(7, stats.lines_repaired);
    update->Bind(8, stats.compressed_bytes);
    update->Bind(9, stats.decompressed_bytes);
    update->Bind(10, stats.seconds);
    update->BindOptional(11, stats.fingerprint);
    update->BindOptional(12, record.source);
    update->BindOptional(13, record.error);
    update->Bind(14, ToMicros(absl::Now()));
    return update->Run();
  });
}

absl::Status SqliteEventStore::ReleaseHour(const Lease& lease) {
  return database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::Status held = CheckLeaseHeld(db, lease);
    if (!held.ok()) return held;
    absl::StatusOr<sqlite::Statement> update = db.Prepare(
        "UPDATE hours SET state = 'pending', lease_owner = NULL, lease_expires_at = 0,"
        " updated_at = ?2 WHERE hour = ?1");
    if (!update.ok()) return update.status();
    update->Bind(1, lease.hour);
    update->Bind(2, ToMicros(absl::Now()));
    return update->Run();
  });
}

absl::StatusOr<std::optional<HourRecord>> SqliteEventStore::GetHour(std::string_view hour) {
  absl::StatusOr<std::optional<HourRecord>> result;
  absl::Status read = database_->WithReadConnection([&](sqlite::Connection& db) {
    result = SelectHour(db, hour);
    return result.status();
  });
  if (!read.ok()) return read;
  return result;
}

absl::StatusOr<UserStats> SqliteEventStore::QueryUser(std::string_view login) {
  UserStats stats;
  absl::Status read = database_->WithReadConnection([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> by_type = db.Prepare(
        "SELECT type, COUNT(*) AS n FROM events WHERE actor_login = ?1"
        " GROUP BY type ORDER BY n DESC, type");
    if (!by_type.ok()) return by_type.status();
    by_type->Bind(1, login);
    while (true) {
      absl::StatusOr<bool> row = by_type->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      stats.events.push_back({std::string(by_type->ColumnText(0)), by_type->ColumnInt64(1)});
    }

    absl::StatusOr<sqlite::Statement> by_month = db.Prepare(
        "SELECT CAST(strftime('%Y', created_at, 'unixepoch') AS INTEGER) AS year,"
        " CAST(strftime('%m', created_at, 'unixepoch') AS INTEGER) AS month,"
        " type, COUNT(*) AS n FROM events WHERE actor_login = ?1"
        " GROUP BY year, month, type ORDER BY year, month, n DESC, type");
    if (!by_month.ok()) return by_month.status();
    by_month->Bind(1, login);
    while (true) {
      absl::StatusOr<bool> row = by_month->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      int year = static_cast<int>(by_month->ColumnInt64(0));
      int month = static_cast<int>(by_month->ColumnInt64(1));
      if (stats.events_by_ym.empty() || stats.events_by_ym.back().year != year ||
          stats.events_by_ym.back().month != month) {
        stats.events_by_ym.push_back({year, month, {}});
      }
      stats.events_by_ym.back().events.push_back(
          {std::string(by_month->ColumnText(2)), by_month->ColumnInt64(3)});
    }

    absl::StatusOr<sqlite::Statement> pushed = db.Prepare(
        "SELECT DISTINCT repo_name FROM events WHERE actor_login = ?1"
        " AND type = 'PushEvent' AND repo_name IS NOT NULL ORDER BY repo_name");
    if (!pushed.ok()) return pushed.status();
    pushed->Bind(1, login);
    while (true) {
      absl::StatusOr<bool> row = pushed->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      stats.pushed_to.emplace_back(pushed->ColumnText(0));
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return stats;
}

}  // namespace ghloader
