// The embedded default event store: events, the hour ledger and rejects in
// one SQLite file, for a single machine without any server.
#ifndef GHLOADER_STORE_SQLITE_SQLITE_EVENT_STORE_H_
#define GHLOADER_STORE_SQLITE_SQLITE_EVENT_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "store/event_store.h"
#include "store/sqlite/sqlite_database.h"

namespace ghloader {

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
