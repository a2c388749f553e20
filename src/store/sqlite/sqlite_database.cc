#include "store/sqlite/sqlite_database.h"

#include "common/strings.h"

namespace ghloader {
namespace {

constexpr size_t kMaxIdleReaders = 8;

// Recorded in PRAGMA user_version; bumped when the schema changes.
constexpr int kSchemaVersion = 1;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events (
  key         TEXT NOT NULL UNIQUE,
  event_id    TEXT,
  type        TEXT NOT NULL,
  actor_login TEXT COLLATE NOCASE,
  repo_name   TEXT,
  created_at  INTEGER NOT NULL,
  json        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_actor ON events (actor_login)
  WHERE actor_login IS NOT NULL;

CREATE TABLE IF NOT EXISTS hours (
  hour               TEXT PRIMARY KEY,
  state              TEXT NOT NULL,
  lines              INTEGER NOT NULL DEFAULT 0,
  events_stored      INTEGER NOT NULL DEFAULT 0,
  duplicates         INTEGER NOT NULL DEFAULT 0,
  lines_rejected     INTEGER NOT NULL DEFAULT 0,
  lines_repaired     INTEGER NOT NULL DEFAULT 0,
  compressed_bytes   INTEGER NOT NULL DEFAULT 0,
  decompressed_bytes INTEGER NOT NULL DEFAULT 0,
  seconds            REAL NOT NULL DEFAULT 0,
  fingerprint        TEXT,
  source             TEXT,
  error              TEXT,
  lease_owner        TEXT,
  lease_expires_at   INTEGER NOT NULL DEFAULT 0,
  fencing_token      INTEGER NOT NULL DEFAULT 0,
  updated_at         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS tasks (
  id               TEXT PRIMARY KEY,
  state            TEXT NOT NULL,
  start_date       TEXT NOT NULL,
  end_date         TEXT NOT NULL,
  first_hour       TEXT NOT NULL,
  last_hour        TEXT NOT NULL,
  force            INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  error            TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS task_hours (
  task_id        TEXT NOT NULL REFERENCES tasks (id),
  hour           TEXT NOT NULL,
  position       INTEGER NOT NULL,
  state          TEXT NOT NULL DEFAULT 'pending',
  events_stored  INTEGER NOT NULL DEFAULT 0,
  duplicates     INTEGER NOT NULL DEFAULT 0,
  lines_rejected INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (task_id, hour)
);

CREATE TABLE IF NOT EXISTS task_users (
  task_id TEXT NOT NULL,
  login   TEXT NOT NULL,
  PRIMARY KEY (task_id, login)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rejects (
  hour   TEXT NOT NULL,
  line   INTEGER NOT NULL,
  reason TEXT NOT NULL,
  text   TEXT,
  PRIMARY KEY (hour, line)
);
)sql";

}  // namespace

int64_t ToMicros(absl::Time time) {
  if (time == absl::InfinitePast()) return 0;
  return absl::ToUnixMicros(time);
}

absl::Time FromMicros(int64_t micros) {
  return micros == 0 ? absl::InfinitePast() : absl::FromUnixMicros(micros);
}

absl::StatusOr<std::shared_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path,
                                                                     int busy_timeout_ms) {
  std::shared_ptr<SqliteDatabase> database(new SqliteDatabase(path, busy_timeout_ms));
  absl::StatusOr<std::unique_ptr<sqlite::Connection>> writer =
      sqlite::Connection::Open(path, busy_timeout_ms);
  if (!writer.ok()) return writer.status();
  database->writer_ = std::move(*writer);
  absl::Status schema = database->CreateSchema();
  if (!schema.ok()) return schema;
  return database;
}

absl::Status SqliteDatabase::CreateSchema() {
  std::lock_guard<std::mutex> lock(write_mutex_);
  absl::Status created = writer_->Execute(kSchema);
  if (!created.ok()) return created;
  return writer_->Execute(Concat("PRAGMA user_version = ", kSchemaVersion));
}

absl::Status SqliteDatabase::WithWriteTransaction(
    const std::function<absl::Status(sqlite::Connection&)>& work) {
  std::lock_guard<std::mutex> lock(write_mutex_);
  // IMMEDIATE takes the write lock up front, so another process writing the
  // same file makes us wait (busy timeout) instead of failing mid-way.
  absl::Status begun = writer_->Execute("BEGIN IMMEDIATE");
  if (!begun.ok()) return begun;

  absl::Status result = work(*writer_);
  if (!result.ok()) {
    writer_->Execute("ROLLBACK").IgnoreError();
    return result;
  }
  absl::Status committed = writer_->Execute("COMMIT");
  if (!committed.ok()) writer_->Execute("ROLLBACK").IgnoreError();
  return committed;
}

absl::Status SqliteDatabase::WithReadConnection(
    const std::function<absl::Status(sqlite::Connection&)>& work) {
  std::unique_ptr<sqlite::Connection> reader;
  {
    std::lock_guard<std::mutex> lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  if (reader == nullptr) {
    absl::StatusOr<std::unique_ptr<sqlite::Connection>> opened = sqlite::Connection::Open(path_, busy_timeout_ms_);
    if (!opened.ok()) return opened.status();
    reader = std::move(*opened);
  }

  absl::Status result = work(*reader);

  std::lock_guard<std::mutex> lock(readers_mutex_);
  if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(reader));
  return result;
}

}  // namespace ghloader
