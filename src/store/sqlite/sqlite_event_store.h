// The embedded default store: events, the hour ledger and rejects in one
// SQLite file, for a single machine without any server.
//
// One write connection behind a mutex takes all writes; queries use a small
// pool of read connections, which WAL mode lets run during a load.
#ifndef GHLOADER_STORE_SQLITE_SQLITE_EVENT_STORE_H_
#define GHLOADER_STORE_SQLITE_SQLITE_EVENT_STORE_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/event_store.h"
#include "store/sqlite/sqlite_connection.h"

namespace ghloader {

// The connections to one SQLite file, shared by the stores built on it.
class SqliteDatabase {
 public:
  // Opens or creates the file and its schema.
  static absl::StatusOr<std::shared_ptr<SqliteDatabase>> Open(const std::string& path);

  const std::string& path() const { return path_; }

  // Runs `work` on the write connection inside one transaction, serialized
  // with all other writers of this process.
  absl::Status WithWriteTransaction(
      const std::function<absl::Status(sqlite::Connection&)>& work);

  // Runs `work` on a read connection from the pool.
  absl::Status WithReadConnection(
      const std::function<absl::Status(sqlite::Connection&)>& work);

 private:
  explicit SqliteDatabase(std::string path) : path_(std::move(path)) {}
  absl::Status CreateSchema();

  std::string path_;
  std::mutex write_mutex_;
  std::unique_ptr<sqlite::Connection> writer_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<sqlite::Connection>> idle_readers_;
};

class SqliteEventStore final : public EventStore {
 public:
  explicit SqliteEventStore(std::shared_ptr<SqliteDatabase> database)
      : database_(std::move(database)) {}

  absl::StatusOr<BatchWriteResult> WriteBatch(
      std::string_view hour, const std::vector<BatchEvent>& events) override;
  absl::Status WriteRejects(const std::vector<RejectedLine>& rejects) override;
  absl::StatusOr<ClaimResult> ClaimHour(std::string_view hour, std::string_view owner,
                                        absl::Duration lease_duration, bool force) override;
  absl::Status RenewLease(Lease& lease, absl::Duration lease_duration) override;
  absl::Status CompleteHour(const Lease& lease, const HourRecord& record) override;
  absl::Status ReleaseHour(const Lease& lease) override;
  absl::StatusOr<std::optional<HourRecord>> GetHour(std::string_view hour) override;
  absl::StatusOr<UserStats> QueryUser(std::string_view login) override;
  std::string Describe() const override { return "sqlite:" + database_->path(); }

 private:
  std::shared_ptr<SqliteDatabase> database_;
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_SQLITE_SQLITE_EVENT_STORE_H_
