// A store that keeps nothing: every claim succeeds and every event counts as
// stored. `load --dry-run` uses it to decode and parse hours, and the
// benchmark to time that work alone.
#ifndef GHLOADER_STORE_DISCARD_EVENT_STORE_H_
#define GHLOADER_STORE_DISCARD_EVENT_STORE_H_

#include <atomic>

#include "store/event_store.h"

namespace ghloader {

class DiscardEventStore final : public EventStore {
 public:
  absl::StatusOr<BatchWriteResult> WriteBatch(
      std::string_view, const std::vector<BatchEvent>& events) override {
    BatchWriteResult result;
    result.inserted = static_cast<int64_t>(events.size());
    return result;
  }
  absl::Status WriteRejects(const std::vector<RejectedLine>&) override {
    return absl::OkStatus();
  }
  absl::StatusOr<ClaimResult> ClaimHour(std::string_view hour, std::string_view owner,
                                        absl::Duration lease_duration, bool) override {
    ClaimResult result;
    result.lease = Lease{std::string(hour), std::string(owner), ++next_token_,
                         absl::Now() + lease_duration};
    return result;
  }
  absl::Status RenewLease(Lease& lease, absl::Duration lease_duration) override {
    lease.expires_at = absl::Now() + lease_duration;
    return absl::OkStatus();
  }
  absl::Status CompleteHour(const Lease&, const HourRecord&) override {
    return absl::OkStatus();
  }
  absl::Status ReleaseHour(const Lease&) override { return absl::OkStatus(); }
  absl::StatusOr<std::optional<HourRecord>> GetHour(std::string_view) override {
    return std::optional<HourRecord>();
  }
  absl::StatusOr<UserStats> QueryUser(std::string_view) override { return UserStats{}; }
  std::string Describe() const override { return "discard (dry run)"; }

 private:
  std::atomic<int64_t> next_token_{0};
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_DISCARD_EVENT_STORE_H_
