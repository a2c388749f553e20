#include "loader/hour_loader.h"

#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "common/strings.h"
#include "archive/hour.h"
#include "archive/line_decoder.h"
#include "events/event_parser.h"

namespace ghloader {
namespace {

// Counts of one attempt at reading the hour file.
struct AttemptCounts {
  int64_t inserted = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  int64_t repaired = 0;
};

// Receives the hour file's bytes (fingerprinting them and passing them to
// the line decoder) and its lines (parsing them into batches for the store).
class HourPipeline final : public ByteSink, public LineHandler {
 public:
  HourPipeline(std::string hour, EventStore& store, Lease& lease,
               const HourLoadOptions& options, LoadProgress* progress,
               const std::atomic<bool>& cancel, bool collect_logins)
      : hour_(std::move(hour)),
        store_(store),
        lease_(lease),
        options_(options),
        progress_(progress),
        cancel_(cancel),
        collect_logins_(collect_logins),
        decoder_(*this),
        inserted_all_attempts_(lease.events_stored_before),
        last_renewal_(absl::Now()) {
    batch_.reserve(options_.batch_events);
  }

  // ByteSink: each Begin starts a new attempt at the whole file.
  absl::Status Begin(const HourFileInfo& info) override {
    location_ = info.location;
    counts_ = AttemptCounts{};
    batch_.clear();
    batch_bytes_ = 0;
    rejects_.clear();
    XXH3_128bits_reset(hash_state_);
    return decoder_.Begin(info);
  }

  absl::Status Write(std::string_view bytes) override {
    XXH3_128bits_update(hash_state_, bytes.data(), bytes.size());
    int64_t decompressed_before = decoder_.decompressed_bytes();
    absl::Status written = decoder_.Write(bytes);
    if (progress_ != nullptr) {
      progress_->compressed_bytes += static_cast<int64_t>(bytes.size());
      progress_->decompressed_bytes += decoder_.decompressed_bytes() - decompressed_before;
    }
    return written;
  }

  // LineHandler.
  absl::Status OnLine(std::string_view line, int64_t line_number) override {
    if (line.empty()) return Reject(line, line_number, "empty line");

    BatchEvent& item = NextBatchSlot();
    absl::StatusOr<LineParseResult> parsed = parser_.Parse(line, item.event, true);
    if (!parsed.ok()) {
      batch_.pop_back();
      return Reject(line, line_number, ToStdView(parsed.status().message()));
    }
    item.line_number = line_number;
    if (parsed->repaired_utf8) ++counts_.repaired;
    if (collect_logins_ && !item.event.actor_login.empty()) {
      logins_.insert(AsciiToLower(item.event.actor_login));
    }

    batch_bytes_ += item.event.json.size();
    if (batch_.size() >= options_.batch_events || batch_bytes_ >= options_.batch_bytes) {
      return Flush();
    }
    return absl::OkStatus();
  }

  absl::Status OnOversizedLine(std::string_view prefix, int64_t line_number) override {
    return Reject(prefix, line_number,
                  "line longer than the maximum line size; only its start is kept");
  }

  // Ends the attempt: checks the file's end and writes what is left.
  absl::Status Finish() {
    absl::Status finished = decoder_.Finish();
    absl::Status flushed = Flush();
    return finished.ok() ? flushed : finished;
  }

  absl::Status Flush() {
    absl::Status rejected = WriteWithRetry("rejects", [&] { return store_.WriteRejects(rejects_); });
    if (!rejected.ok()) return rejected;
    rejects_.clear();
    if (batch_.empty()) return absl::OkStatus();

    BatchWriteResult result;
    absl::Status written = WriteWithRetry("batch", [&] {
      absl::StatusOr<BatchWriteResult> attempt = store_.WriteBatch(hour_, batch_);
      if (attempt.ok()) result = *attempt;
      return attempt.status();
    });
    if (!written.ok()) return written;

    counts_.inserted += result.inserted;
    counts_.duplicates += result.duplicates;
    counts_.rejected += result.rejected;
    inserted_all_attempts_ += result.inserted;
    if (progress_ != nullptr) progress_->events_stored += result.inserted;
    batch_.clear();
    batch_bytes_ = 0;
    return RenewLeaseIfDue();
  }

  std::string Fingerprint() const {
    XXH128_hash_t hash = XXH3_128bits_digest(hash_state_);
    return fmt::format("{:016x}{:016x}", hash.high64, hash.low64);
  }

  const AttemptCounts& counts() const { return counts_; }
  int64_t inserted_all_attempts() const { return inserted_all_attempts_; }
  const LineDecoder& decoder() const { return decoder_; }
  const std::string& location() const { return location_; }
  // The store or the lease failed, as opposed to the archive.
  const absl::Status& store_failure() const { return store_failure_; }

  std::vector<std::string> TakeLogins() {
    std::vector<std::string> logins(logins_.begin(), logins_.end());
    std::sort(logins.begin(), logins.end());
    return logins;
  }

  ~HourPipeline() override { XXH3_freeState(hash_state_); }

 private:
  BatchEvent& NextBatchSlot() {
    batch_.emplace_back();
    return batch_.back();
  }

  absl::Status Reject(std::string_view line, int64_t line_number, std::string_view reason) {
    ++counts_.rejected;
    RejectedLine reject;
    reject.hour = hour_;
    reject.line_number = line_number;
    reject.reason = std::string(reason);
    reject.text = std::string(line.substr(0, kMaxRejectedTextBytes));
    rejects_.push_back(std::move(reject));
    spdlog::debug("hour={} line={} rejected: {}", hour_, line_number, reason);
    return absl::OkStatus();
  }

  // Retries a store write while the store is unavailable, with backoff, for
  // at most the store retry budget. Writes are idempotent, so a retry after
  // an unacknowledged attempt cannot duplicate.
  absl::Status WriteWithRetry(std::string_view what, const std::function<absl::Status()>& write) {
    absl::Time deadline = absl::Now() + options_.store_retry_budget;
    absl::Duration backoff = options_.first_backoff;
    for (int attempt = 1;; ++attempt) {
      absl::Status status = write();
      if (status.ok()) return status;
      bool retryable = absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
                       absl::IsAborted(status);
      if (!retryable || absl::Now() + backoff > deadline) {
        store_failure_ = status;
        return status;
      }
      spdlog::warn("hour={} store write of {} failed (attempt {}): {}; retrying in {}", hour_,
                   what, attempt, status.message(), absl::FormatDuration(backoff));
      if (!SleepUnlessCancelled(backoff, cancel_)) {
        store_failure_ = absl::CancelledError("load cancelled while waiting for the store");
        return store_failure_;
      }
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }

  absl::Status RenewLeaseIfDue() {
    if (absl::Now() - last_renewal_ < options_.lease_duration / 3) return absl::OkStatus();
    absl::Status renewed = store_.RenewLease(lease_, options_.lease_duration);
    if (!renewed.ok()) {
      store_failure_ = renewed;
      return renewed;
    }
    last_renewal_ = absl::Now();
    return absl::OkStatus();
  }

  std::string hour_;
  EventStore& store_;
  Lease& lease_;
  const HourLoadOptions& options_;
  LoadProgress* progress_;
  const std::atomic<bool>& cancel_;
  bool collect_logins_;

  LineDecoder decoder_;
  EventParser parser_;
  XXH3_state_t* hash_state_ = XXH3_createState();
  std::string location_;

  std::vector<BatchEvent> batch_;
  size_t batch_bytes_ = 0;
  std::vector<RejectedLine> rejects_;
  AttemptCounts counts_;
  // Starts at what attempts under earlier leases stored (see Lease).
  int64_t inserted_all_attempts_;
  absl::flat_hash_set<std::string> logins_;
  absl::Time last_renewal_;
  absl::Status store_failure_;
};

}  // namespace

void LogHourOutcome(const HourRecord& record, std::string_view task_id) {
  std::string prefix = task_id.empty() ? "" : Concat("task=", task_id, " ");
  const HourStats& stats = record.stats;
  switch (record.state) {
    case HourState::kLoaded:
      spdlog::info("{}hour={} loaded: {} lines, {} events stored, {} duplicates, {} rejected, "
                   "{} repaired, {:.1f} MB in {:.2f} s",
                   prefix, record.hour, stats.lines, stats.events_stored, stats.duplicates,
                   stats.lines_rejected, stats.lines_repaired,
                   stats.decompressed_bytes / 1e6, stats.seconds);
      break;
    case HourState::kMissing:
      spdlog::warn("{}hour={} missing: the archive has no file for it ({})", prefix, record.hour,
                   record.source);
      break;
    default:
      spdlog::error("{}hour={} failed: {}", prefix, record.hour, record.error);
      break;
  }
}

bool SleepUnlessCancelled(absl::Duration duration, const std::atomic<bool>& cancel) {
  absl::Time until = absl::Now() + duration;
  while (absl::Now() < until) {
    if (cancel.load()) return false;
    absl::Duration step = std::min(until - absl::Now(), absl::Milliseconds(100));
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(step) + std::chrono::milliseconds(1));
  }
  return !cancel.load();
}

HourResult HourLoader::Load(absl::CivilHour hour, Lease& lease, const std::atomic<bool>& cancel,
                            bool collect_logins) {
  std::string stem = HourFileStem(hour);
  absl::Time started = absl::Now();
  HourPipeline pipeline(stem, store_, lease, options_, progress_, cancel, collect_logins);

  absl::Status status;
  FetchOutcome outcome = FetchOutcome::kFetched;
  absl::Duration backoff = options_.first_backoff;
  for (int attempt = 1; attempt <= options_.fetch_attempts; ++attempt) {
    absl::StatusOr<FetchOutcome> fetched = source_.Fetch(hour, pipeline, cancel);
    status = fetched.status();
    if (fetched.ok()) {
      outcome = *fetched;
      if (outcome == FetchOutcome::kFetched) status = pipeline.Finish();
    }
    bool retry = !status.ok() && pipeline.store_failure().ok() && IsTransientFetchError(status) &&
                 attempt < options_.fetch_attempts;
    if (!retry) break;
    spdlog::warn("hour={} fetch attempt {} of {} failed: {}; retrying in {}", stem, attempt,
                 options_.fetch_attempts, status.message(), absl::FormatDuration(backoff));
    if (!SleepUnlessCancelled(backoff, cancel)) {
      status = absl::CancelledError("load cancelled");
      break;
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }

  HourResult result;
  result.logins = pipeline.TakeLogins();
  HourRecord& record = result.record;
  record.hour = stem;
  record.source = pipeline.location().empty() ? source_.Describe() : pipeline.location();
  record.fencing_token = lease.fencing_token;

  bool lease_lost = absl::IsFailedPrecondition(pipeline.store_failure());
  if (absl::IsCancelled(status) || lease_lost) {
    result.abandoned = true;
    record.state = HourState::kPending;
    record.error = std::string(status.message());
    if (!lease_lost) {
      // Hand the hour back now rather than let the next run wait for the lease.
      absl::Status released = store_.ReleaseHour(lease);
      if (!released.ok()) {
        spdlog::warn("hour={} could not be released: {}", stem, released.message());
      }
    }
    return result;
  }

  const AttemptCounts& counts = pipeline.counts();
  HourStats& stats = record.stats;
  stats.lines = pipeline.decoder().lines();
  stats.events_stored = pipeline.inserted_all_attempts();
  // Events that an earlier attempt stored (a failed fetch in this process,
  // or a crashed process before it) show up as duplicates in the last one;
  // they were new to the store, so they count as stored.
  int64_t stored_by_earlier_attempts = pipeline.inserted_all_attempts() - counts.inserted;
  stats.duplicates = std::max<int64_t>(0, counts.duplicates - stored_by_earlier_attempts);
  stats.lines_rejected = counts.rejected;
  stats.lines_repaired = counts.repaired;
  stats.compressed_bytes = pipeline.decoder().compressed_bytes();
  stats.decompressed_bytes = pipeline.decoder().decompressed_bytes();
  stats.seconds = absl::ToDoubleSeconds(absl::Now() - started);

  if (!status.ok()) {
    record.state = HourState::kFailed;
    record.error = std::string(status.message());
  } else if (outcome == FetchOutcome::kNotFound) {
    record.state = HourState::kMissing;
    stats = HourStats{};
    stats.seconds = absl::ToDoubleSeconds(absl::Now() - started);
  } else {
    record.state = HourState::kLoaded;
    stats.fingerprint = pipeline.Fingerprint();
  }

  absl::Status completed = store_.CompleteHour(lease, record);
  if (!completed.ok()) {
    spdlog::error("hour={} could not record its end state '{}' in the ledger: {}", stem,
                  HourStateName(record.state), completed.message());
    result.abandoned = absl::IsFailedPrecondition(completed);
    if (!result.abandoned) {
      record.state = HourState::kFailed;
      record.error = Concat("ledger update failed: ", completed.message());
    }
  }
  return result;
}

}  // namespace ghloader
