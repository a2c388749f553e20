// The event store interface: where events, the ledger of loaded hours, and
// rejected lines live, and where per-user aggregations are computed. The
// loader core uses only this interface; store/sqlite and store/mongo
// implement it.
//
// The ledger records one entry per archive hour (a job). An hour is loaded
// under a lease: ClaimHour hands out a lease with a fencing token that
// grows on every claim, and only the holder of the newest token can
// complete the hour. A loader that dies leaves its lease to expire, and the
// next claim takes the hour over, so an hour is never marked loaded unless
// all its events were written.
#ifndef GHLOADER_STORE_EVENT_STORE_H_
#define GHLOADER_STORE_EVENT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "events/event.h"
#include "store/user_stats.h"

namespace ghloader {

enum class HourState { kPending, kLoading, kLoaded, kMissing, kFailed };

std::string_view HourStateName(HourState state);
std::optional<HourState> ParseHourState(std::string_view name);

// What loading one hour found; kept in the ledger.
struct HourStats {
  int64_t lines = 0;
  int64_t events_stored = 0;    // Events newly written by this load.
  int64_t duplicates = 0;       // Events whose key was already stored.
  int64_t lines_rejected = 0;   // Lines kept in the rejects table instead.
  int64_t lines_repaired = 0;   // Lines whose invalid UTF-8 was replaced.
  int64_t compressed_bytes = 0;
  int64_t decompressed_bytes = 0;
  double seconds = 0;
  std::string fingerprint;      // XXH3-128 of the file's bytes, hex.
};

struct HourRecord {
  std::string hour;  // File stem, e.g. "2015-01-01-15".
  HourState state = HourState::kPending;
  HourStats stats;
  std::string source;  // URL or path the hour was read from.
  std::string error;   // Why the hour failed; empty otherwise.
  std::string lease_owner;
  absl::Time lease_expires_at = absl::InfinitePast();
  int64_t fencing_token = 0;
  absl::Time updated_at = absl::InfinitePast();
};

struct Lease {
  std::string hour;
  std::string owner;
  int64_t fencing_token = 0;
  absl::Time expires_at;
  // Events that earlier attempts stored under leases that ended unfinished
  // (a crash, or a release on shutdown), so that the hour's final count
  // includes them. Zero when the hour was never started or had ended
  // (loaded, missing, failed). A store that cannot track it keeps it zero.
  int64_t events_stored_before = 0;
};

enum class ClaimOutcome {
  kClaimed,        // `lease` is valid; the caller loads the hour.
  kAlreadyLoaded,  // The ledger marks it loaded and force was not set.
  kHeldByOther,    // Another owner has an unexpired lease (`current`).
};

struct ClaimResult {
  ClaimOutcome outcome = ClaimOutcome::kClaimed;
  Lease lease;
  HourRecord current;  // The ledger entry before the claim, if any.
};

// An event with the line it came from, for rejects.
struct BatchEvent {
  Event event;
  int64_t line_number = 0;
};

struct RejectedLine {
  std::string hour;
  int64_t line_number = 0;
  std::string reason;
  std::string text;  // The line, cut at kMaxRejectedTextBytes.
};

inline constexpr size_t kMaxRejectedTextBytes = 1 << 20;

struct BatchWriteResult {
  int64_t inserted = 0;
  int64_t duplicates = 0;
  // Events the store would not take (e.g. over a size limit); the store has
  // already recorded them as rejects.
  int64_t rejected = 0;
};

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Writes events, skipping those whose key is already stored. The result is
  // returned only after the store acknowledged every event. `hour` names the
  // hour file for rejects; where the store can, it also adds the number
  // inserted to the hour's ledger entry in the same transaction, which is
  // where Lease::events_stored_before comes from after a crash.
  // NOTE: that running count is not fenced. A loader whose lease was taken
  // over still adds to it, and the new holder's CompleteHour overwrites it
  // with its own total, so events the old loader inserted after the takeover
  // are stored once but counted in no hour's events_stored.
  virtual absl::StatusOr<BatchWriteResult> WriteBatch(
      std::string_view hour, const std::vector<BatchEvent>& events) = 0;

  // Records lines that could not be parsed. Writing the same hour and line
  // again replaces the earlier entry.
  virtual absl::Status WriteRejects(const std::vector<RejectedLine>& rejects) = 0;

  virtual absl::StatusOr<ClaimResult> ClaimHour(std::string_view hour,
                                                std::string_view owner,
                                                absl::Duration lease_duration,
                                                bool force) = 0;

  // Extends a lease. FailedPrecondition when the lease was taken over.
  virtual absl::Status RenewLease(Lease& lease, absl::Duration lease_duration) = 0;

  // Writes the end state of a claimed hour (loaded, missing or failed) and
  // ends the lease. FailedPrecondition when the lease was taken over; the
  // record is then not written.
  virtual absl::Status CompleteHour(const Lease& lease, const HourRecord& record) = 0;

  // Gives a claimed hour back unfinished (state pending), e.g. on shutdown.
  virtual absl::Status ReleaseHour(const Lease& lease) = 0;

  virtual absl::StatusOr<std::optional<HourRecord>> GetHour(std::string_view hour) = 0;

  // Aggregates everything stored for `login`, compared case-insensitively.
  virtual absl::StatusOr<UserStats> QueryUser(std::string_view login) = 0;

  // A short description for logs, without credentials.
  virtual std::string Describe() const = 0;
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_EVENT_STORE_H_
