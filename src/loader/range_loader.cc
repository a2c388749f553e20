#include "loader/range_loader.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <mutex>
#include <random>
#include <thread>

#include "common/strings.h"

namespace ghloader {
namespace {

void AddHour(LoadSummary& summary, const HourRecord& record) {
  const HourStats& stats = record.stats;
  summary.events_stored += stats.events_stored;
  summary.duplicates += stats.duplicates;
  summary.lines_rejected += stats.lines_rejected;
  summary.lines_repaired += stats.lines_repaired;
  summary.compressed_bytes += stats.compressed_bytes;
  summary.decompressed_bytes += stats.decompressed_bytes;
  switch (record.state) {
    case HourState::kLoaded: ++summary.hours_loaded; break;
    case HourState::kMissing: ++summary.hours_missing; break;
    default:
      ++summary.hours_failed;
      summary.failures.push_back(record);
      break;
  }
}

}  // namespace

std::string MakeLeaseOwner() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  std::random_device random;
  return fmt::format("{}/{}/{:04x}", host, getpid(), random() & 0xffff);
}

LoadSummary RangeLoader::Run(const RangeLoadOptions& options, const std::atomic<bool>& cancel,
                             LoadProgress& progress) {
  absl::Time started = absl::Now();
  std::vector<absl::CivilHour> hours = options.range.Hours();
  LoadSummary summary;
  summary.hours_total = static_cast<int64_t>(hours.size());
  progress.hours_total = summary.hours_total;

  std::atomic<size_t> next_hour{0};
  std::mutex summary_mutex;

  auto work = [&] {
    HourLoader loader(source_, store_, options.hour, &progress);
    while (!cancel.load()) {
      size_t index = next_hour.fetch_add(1);
      if (index >= hours.size()) break;
      std::string stem = HourFileStem(hours[index]);

      absl::StatusOr<ClaimResult> claim = store_.ClaimHour(
          stem, options.owner, options.hour.lease_duration, options.force);
      HourRecord record;
      record.hour = stem;
      if (!claim.ok()) {
        record.state = HourState::kFailed;
        record.error = Concat("could not claim the hour in the ledger: ",
                                    claim.status().message());
      } else if (claim->outcome == ClaimOutcome::kAlreadyLoaded) {
        spdlog::debug("hour={} skipped: already loaded", stem);
        std::lock_guard<std::mutex> lock(summary_mutex);
        ++summary.hours_skipped;
        ++progress.hours_done;
        continue;
      } else if (claim->outcome == ClaimOutcome::kHeldByOther) {
        record.state = HourState::kFailed;
        record.error = Concat("the hour is being loaded by ", claim->current.lease_owner,
                                    " (lease until ", absl::FormatTime(claim->current.lease_expires_at),
                                    "); run the load again after that");
      } else {
        HourResult result = loader.Load(hours[index], claim->lease, cancel);
        if (result.abandoned) {
          spdlog::warn("hour={} abandoned: {}", stem, result.record.error);
          continue;
        }
        record = std::move(result.record);
      }

      LogHourOutcome(record);
      std::lock_guard<std::mutex> lock(summary_mutex);
      AddHour(summary, record);
      ++progress.hours_done;
    }
  };

  int jobs = std::max(1, std::min<int>(options.jobs, static_cast<int>(hours.size())));
  std::vector<std::thread> workers;
  for (int i = 0; i < jobs; ++i) workers.emplace_back(work);
  for (std::thread& worker : workers) worker.join();

  summary.cancelled = cancel.load();
  summary.seconds = absl::ToDoubleSeconds(absl::Now() - started);
  return summary;
}

}  // namespace ghloader
