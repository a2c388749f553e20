// Loads one archive hour: fetch, gunzip, split lines, parse events, write
// them in batches, and record the outcome in the ledger. This is the loader
// core; it uses the archive and the store only through their interfaces.
#ifndef GHLOADER_LOADER_HOUR_LOADER_H_
#define GHLOADER_LOADER_HOUR_LOADER_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "archive/source.h"
#include "loader/load_progress.h"
#include "store/event_store.h"

namespace ghloader {

struct HourLoadOptions {
  size_t batch_events = 1000;
  size_t batch_bytes = 8 << 20;
  // How long a claim lasts without renewal; renewed after each batch once a
  // third of it has passed.
  absl::Duration lease_duration = absl::Seconds(30);
  // Attempts at fetching an hour when the archive fails transiently.
  int fetch_attempts = 5;
  absl::Duration first_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Seconds(30);
  // How long a batch write is retried while the store is unavailable.
  absl::Duration store_retry_budget = absl::Minutes(10);
};

struct HourResult {
  HourRecord record;
  // Lower-cased logins of the hour's events, for cache invalidation.
  std::vector<std::string> logins;
  // True when the lease was lost or the load cancelled: the ledger was not
  // written and the hour is left to the next lease holder.
  bool abandoned = false;
};

class HourLoader {
 public:
  HourLoader(ArchiveSource& source, EventStore& store, HourLoadOptions options,
             LoadProgress* progress)
      : source_(source), store_(store), options_(options), progress_(progress) {}

  // Loads `hour` under `lease` (from EventStore::ClaimHour) and writes the
  // ledger entry: loaded, missing (the archive has no such file) or failed.
  // With `collect_logins`, fills HourResult::logins.
  HourResult Load(absl::CivilHour hour, Lease& lease, const std::atomic<bool>& cancel,
                  bool collect_logins = false);

 private:
  ArchiveSource& source_;
  EventStore& store_;
  HourLoadOptions options_;
  LoadProgress* progress_;
};

// Logs an hour's end state: info for loaded, warning for missing, error for
// failed. `task_id` is added to the line when not empty.
void LogHourOutcome(const HourRecord& record, std::string_view task_id = "");

// Sleeps for `duration` unless `cancel` becomes true first; returns false
// when cancelled.
bool SleepUnlessCancelled(absl::Duration duration, const std::atomic<bool>& cancel);

}  // namespace ghloader

#endif  // GHLOADER_LOADER_HOUR_LOADER_H_
