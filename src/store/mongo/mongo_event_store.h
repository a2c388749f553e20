// The MongoDB event store: each event as its original JSON object (same
// fields, order and value types) with `_id` set to its idempotency key, the
// ledger of archive hours (jobs), rejects, and per-user aggregations that
// run on the server as pipelines.
//
// Collections (names configurable, see mongo_uri.h):
//   events   {_id: key, ...the event's fields}
//   jobs     {_id: hour, state, fencing_token, version, lease_owner,
//             lease_expires_at, claim_id, fresh, in_flight_keys, lines,
//             events_stored, ...}
//   rejects  {_id: "hour:line", hour, line, reason, text}
//   actors   see mongo_actors.h
// The ledger uses single-document updates guarded by filters (no
// multi-document transactions, which FerretDB lacks): a claim is a
// compare-and-set on the entry's `version`, and renewals and completions
// match the lease's fencing token.
#ifndef GHLOADER_STORE_MONGO_MONGO_EVENT_STORE_H_
#define GHLOADER_STORE_MONGO_MONGO_EVENT_STORE_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "store/event_store.h"
#include "store/mongo/mongo_actors.h"
#include "store/mongo/mongo_database.h"

namespace ghloader {

class MongoEventStore final : public EventStore {
 public:
  explicit MongoEventStore(std::shared_ptr<MongoDatabase> database)
      : database_(std::move(database)) {}

  // Converts the events to BSON and inserts them in one unordered bulk
  // write. A duplicate key counts as a duplicate; any other document the
  // driver or server refuses (over the maximum size, a key it rejects, a
  // key BSON cannot store) is recorded in rejects and counted as rejected.
  // Unavailable when the server could not be reached or did not acknowledge
  // the write; the loader then retries the batch.
  // NOTE: when the connection drops during the insert, the server may have
  // stored part of the batch (FerretDB commits 100 documents at a time).
  // The retry counts those events as duplicates, so the hour's events_stored
  // can be lower than what it stored; the stored events themselves are
  // exact.
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
  std::string Describe() const override { return database_->config().description; }

 private:
  // The actor documents a batch needs (see mongo_actors.h), leaving out
  // those this process already wrote.
  std::vector<ActorKey> NewActorKeys(const std::vector<BatchEvent>& events,
                                     const std::vector<std::string>& time_formats);
  absl::Status WriteActorKeys(const std::vector<ActorKey>& keys);
  void RememberActorKeys(const std::vector<ActorKey>& keys);
  // Records in the hour's ledger entry the keys of the batch about to be
  // sent, so that the next claim after a crash can count what it stored.
  absl::Status MarkInFlight(std::string_view hour, const std::vector<std::string>& keys);
  // Adds `inserted` to the hour's events_stored while it is being loaded,
  // and clears the batch's in-flight keys.
  void CountInserted(std::string_view hour, int64_t inserted);

  absl::StatusOr<std::optional<HourRecord>> ReadHour(std::string_view hour);
  absl::StatusOr<ClaimResult> TryClaimHour(std::string_view hour, std::string_view owner,
                                           absl::Duration lease_duration, bool force,
                                           const std::string& claim_id);
  absl::Status UpdateLeasedHour(const Lease& lease, bson_t* update,
                                std::string_view action);

  std::shared_ptr<MongoDatabase> database_;

  // Ids of the actor documents known to be written. Bounded: cleared when
  // it reaches kMaxKnownActorKeys.
  static constexpr size_t kMaxKnownActorKeys = 1 << 20;
  std::mutex known_actor_keys_mutex_;
  absl::flat_hash_set<std::string> known_actor_keys_;
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_MONGO_EVENT_STORE_H_
