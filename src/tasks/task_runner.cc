#include "tasks/task_runner.h"

#include <spdlog/spdlog.h>

#include <random>

#include "common/strings.h"

namespace ghloader {
namespace {

// Queued hours per worker; the queue is refilled from the store when empty.
constexpr size_t kQueuedHoursPerWorker = 4;

bool SameProgress(const TaskRecord& a, const TaskRecord& b) {
  return a.state == b.state && a.cancel_requested == b.cancel_requested &&
         a.counters.hours_done == b.counters.hours_done &&
         a.counters.events_inserted == b.counters.events_inserted &&
         a.counters.users_touched == b.counters.users_touched && a.updated_at == b.updated_at;
}

}  // namespace

std::string NewTaskId() {
  std::random_device random;
  std::mt19937_64 generator((static_cast<uint64_t>(random()) << 32) ^ random());
  uint64_t high = generator();
  uint64_t low = generator();
  high = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // Version 4.
  low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;    // RFC 4122 variant.
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                     high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

TaskRunner::TaskRunner(ArchiveSource& source, EventStore& events, TaskStore& tasks,
                       UserStatsCache* cache, TaskRunnerOptions options)
    : source_(source), events_(events), tasks_(tasks), cache_(cache), options_(options) {}

TaskRunner::~TaskRunner() { Stop(); }

void TaskRunner::Start() {
  int workers = std::max(1, options_.workers);
  for (int i = 0; i < workers; ++i) {
    workers_.emplace_back([this, i] { WorkerLoop(i); });
  }
}

void TaskRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    for (auto& [hour, cancel] : hours_in_flight_) cancel->store(true);
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

bool TaskRunner::stopping() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

absl::StatusOr<TaskRecord> TaskRunner::Submit(const TaskRequest& request) {
  TaskRecord task;
  task.id = NewTaskId();
  task.start_date = request.start_date;
  task.end_date = request.end_date;
  task.first_hour = request.range.first;
  task.last_hour = request.range.last;
  task.force = request.force;
  absl::Status created = tasks_.CreateTask(task);
  if (!created.ok()) return created;

  spdlog::info("task={} submitted: {} to {} ({} hours{})", task.id, HourFileStem(task.first_hour),
               HourFileStem(task.last_hour), request.range.size(), task.force ? ", force" : "");
  WakeWorkers();

  absl::StatusOr<std::optional<TaskRecord>> stored = tasks_.GetTask(task.id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::InternalError(Concat("task ", task.id, " vanished right after it was written"));
  }
  return **stored;
}

absl::StatusOr<TaskRecord> TaskRunner::Cancel(std::string_view task_id) {
  absl::StatusOr<std::optional<TaskRecord>> task = tasks_.GetTask(task_id);
  if (!task.ok()) return task.status();
  if (!task->has_value()) return absl::NotFoundError(Concat("task '", task_id, "' not found"));
  if (IsFinished((*task)->state)) return **task;

  absl::Status requested = tasks_.RequestCancel(task_id);
  if (!requested.ok()) return requested;
  spdlog::info("task={} cancellation requested", task_id);
  CancelInFlight(task_id);
  WakeWorkers();

  task = tasks_.GetTask(task_id);
  if (!task.ok()) return task.status();
  return **task;
}

absl::StatusOr<TaskRecord> TaskRunner::WaitForChange(std::string_view task_id,
                                                     const TaskRecord* seen, absl::Time deadline,
                                                     const std::function<bool()>& stop) {
  while (true) {
    absl::StatusOr<std::optional<TaskRecord>> task = tasks_.GetTask(task_id);
    if (!task.ok()) return task.status();
    if (!task->has_value()) return absl::NotFoundError(Concat("task '", task_id, "' not found"));
    if (seen == nullptr || !SameProgress(**task, *seen) || IsFinished((*task)->state)) {
      return **task;
    }

    if (stop && stop()) return absl::CancelledError("the caller stopped waiting");
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(Concat("task ", task_id, " did not change in time"));
    }
    absl::Duration step = std::min(absl::Milliseconds(200), deadline - absl::Now());
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, absl::ToChronoMilliseconds(step) + std::chrono::milliseconds(1));
  }
}

void TaskRunner::WakeWorkers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++wake_generation_;
  }
  wake_.notify_all();
}

void TaskRunner::WorkerLoop(int worker) {
  while (true) {
    uint64_t generation = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      generation = wake_generation_;
    }

    WorkItem item;
    if (TakeWork(item)) {
      LoadTaskHour(worker, item);
      continue;
    }

    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.poll_interval), [&] {
      return stopping_ || !queue_.empty() || wake_generation_ != generation;
    });
  }
}

// Takes the next queued hour that no worker of this process is loading,
// refilling the queue from the store once when it is empty.
bool TaskRunner::TakeWork(WorkItem& item) {
  for (int round = 0; round < 2; ++round) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      absl::Time now = absl::Now();
      while (!queue_.empty()) {
        item = std::move(queue_.front());
        queue_.pop_front();
        queued_hours_.erase(item.hour);
        if (hours_in_flight_.contains(item.hour)) continue;
        auto held = held_until_.find(item.hour);
        if (held != held_until_.end() && held->second > now) continue;

        hours_in_flight_[item.hour] = std::make_shared<std::atomic<bool>>(false);
        hour_task_[item.hour] = item.task_id;
        ++in_flight_per_task_[item.task_id];
        return true;
      }
    }
    if (round == 0) {
      absl::Status refilled = RefillQueue();
      if (!refilled.ok()) {
        spdlog::error("reading unfinished tasks from the store failed: {}; retrying in {}",
                      refilled.message(), absl::FormatDuration(options_.poll_interval));
        return false;
      }
    }
  }
  return false;
}

absl::Status TaskRunner::RefillQueue() {
  std::lock_guard<std::mutex> refill_lock(refill_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    completed_during_refill_.clear();
  }
  absl::StatusOr<std::vector<TaskRecord>> tasks = tasks_.ListUnfinishedTasks();
  if (!tasks.ok()) return tasks.status();

  size_t queue_limit = kQueuedHoursPerWorker * static_cast<size_t>(std::max(1, options_.workers));
  std::vector<WorkItem> items;
  for (const TaskRecord& task : *tasks) {
    int in_flight = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return absl::OkStatus();
      in_flight = in_flight_per_task_[task.id];
    }

    if (task.cancel_requested) {
      CancelInFlight(task.id);
      if (in_flight == 0) FinishTask(task);
      continue;
    }
    if (task.state == TaskState::kInvalidating) {
      if (in_flight == 0) FinishTask(task);
      continue;
    }

    // Hours held by other loaders are skipped when taken, so read a few more
    // than the queue takes.
    // NOTE: with more than about 16 replicas all loading one task, the hours
    // read here could all be held by others, and this replica would idle.
    absl::StatusOr<std::vector<std::string>> pending =
        tasks_.FirstPendingTaskHours(task.id, 4 * queue_limit);
    if (!pending.ok()) return pending.status();
    if (pending->empty()) {
      if (in_flight == 0) FinishTask(task);
      continue;
    }
    if (task.state == TaskState::kPending) {
      absl::Status running = tasks_.SetTaskState(task.id, TaskState::kRunning, "");
      if (running.ok()) {
        spdlog::info("task={} started: {} hours to load", task.id, task.counters.hours_total);
      }
    }
    for (std::string& hour : *pending) {
      if (items.size() >= queue_limit) break;
      items.push_back(WorkItem{task.id, std::move(hour), task.force});
    }
    if (items.size() >= queue_limit) break;
  }

  std::lock_guard<std::mutex> lock(mutex_);
  for (WorkItem& item : items) {
    if (completed_during_refill_.contains(item.hour) || hours_in_flight_.contains(item.hour) ||
        queued_hours_.contains(item.hour)) {
      continue;
    }
    queued_hours_.insert(item.hour);
    queue_.push_back(std::move(item));
  }
  return absl::OkStatus();
}

void TaskRunner::LoadTaskHour(int worker, const WorkItem& item) {
  std::shared_ptr<std::atomic<bool>> cancel;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cancel = hours_in_flight_[item.hour];
  }
  auto finish = [&] {
    std::lock_guard<std::mutex> lock(mutex_);
    completed_during_refill_.insert(item.hour);
    hours_in_flight_.erase(item.hour);
    hour_task_.erase(item.hour);
    --in_flight_per_task_[item.task_id];
    ++wake_generation_;
    wake_.notify_all();
  };
  auto hold = [&](absl::Time until) {
    std::lock_guard<std::mutex> lock(mutex_);
    held_until_[item.hour] = until;
  };

  std::string owner = fmt::format("{}/w{}", options_.owner, worker);
  absl::StatusOr<ClaimResult> claim =
      events_.ClaimHour(item.hour, owner, options_.hour.lease_duration, item.force);
  if (!claim.ok()) {
    spdlog::error("task={} hour={} claim failed: {}", item.task_id, item.hour,
                  claim.status().message());
    hold(absl::Now() + options_.poll_interval);
    finish();
    return;
  }

  HourRecord outcome;
  std::vector<std::string> logins;
  switch (claim->outcome) {
    case ClaimOutcome::kHeldByOther:
      // Another task, worker or replica is loading it; look again later.
      hold(std::min(claim->current.lease_expires_at, absl::Now() + options_.poll_interval));
      finish();
      return;
    case ClaimOutcome::kAlreadyLoaded:
      outcome.hour = item.hour;
      outcome.state = HourState::kLoaded;
      spdlog::debug("task={} hour={} already loaded", item.task_id, item.hour);
      break;
    case ClaimOutcome::kClaimed: {
      absl::StatusOr<absl::CivilHour> hour = ParseHourFileStem(item.hour);
      HourLoader loader(source_, events_, options_.hour, nullptr);
      HourResult result = loader.Load(hour.value_or(absl::CivilHour()), claim->lease, *cancel,
                                      /*collect_logins=*/true);
      if (result.abandoned) {
        spdlog::warn("task={} hour={} handed back unfinished: {}", item.task_id, item.hour,
                     result.record.error);
        finish();
        return;
      }
      LogHourOutcome(result.record, item.task_id);
      outcome = std::move(result.record);
      logins = std::move(result.logins);
      break;
    }
  }

  absl::Status recorded = tasks_.CompleteTaskHour(item.task_id, outcome, logins);
  if (!recorded.ok()) {
    // The ledger has the hour's end state; the task hour stays pending and
    // the next attempt records it as already loaded.
    spdlog::error("task={} hour={} could not be recorded in the task: {}", item.task_id,
                  item.hour, recorded.message());
  }
  finish();
}

void TaskRunner::FinishTask(const TaskRecord& task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!tasks_finishing_.insert(task.id).second) return;
  }
  auto done = [&] {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_finishing_.erase(task.id);
  };

  if (task.state != TaskState::kInvalidating) {
    absl::Status invalidating = tasks_.SetTaskState(task.id, TaskState::kInvalidating, "");
    if (!invalidating.ok()) {
      done();
      return;  // Finished meanwhile, e.g. by another replica.
    }
  }

  absl::StatusOr<std::vector<std::string>> logins = tasks_.TaskLogins(task.id);
  absl::Status invalidated = logins.status();
  if (logins.ok() && cache_ != nullptr) invalidated = cache_->Invalidate(*logins);
  if (!invalidated.ok()) {
    spdlog::error("task={} invalidating cached QueryUser results failed: {}; retrying at the next refill", task.id,
                  invalidated.message());
    done();
    return;
  }

  absl::StatusOr<std::optional<TaskRecord>> current = tasks_.GetTask(task.id);
  if (!current.ok() || !current->has_value()) {
    done();
    return;
  }
  const TaskRecord& record = **current;
  TaskState final_state = TaskState::kCompleted;
  std::string error;
  if (record.cancel_requested) {
    final_state = TaskState::kCancelled;
    error = "cancelled on request";
  } else if (record.counters.hours_failed > 0) {
    final_state = TaskState::kFailed;
    error = FailureSummary(record);
  }

  absl::Status ended = tasks_.SetTaskState(task.id, final_state, error);
  if (ended.ok()) {
    const TaskCounters& counters = record.counters;
    spdlog::info(
        "task={} {}: {} of {} hours done ({} loaded, {} missing, {} failed), {} events "
        "inserted, {} duplicates, {} lines rejected, {} users touched{}{}",
        task.id, TaskStateName(final_state), counters.hours_done, counters.hours_total,
        counters.hours_loaded, counters.hours_missing, counters.hours_failed,
        counters.events_inserted, counters.duplicates, counters.lines_rejected,
        counters.users_touched, error.empty() ? "" : ": ", error);
  }
  done();
  WakeWorkers();
}

std::string TaskRunner::FailureSummary(const TaskRecord& task) {
  std::string summary = fmt::format("{} of {} hours failed", task.counters.hours_failed,
                                    task.counters.hours_total);
  absl::StatusOr<std::vector<std::string>> failed = tasks_.FailedTaskHours(task.id);
  if (!failed.ok() || failed->empty()) return summary;

  absl::StatusOr<std::optional<HourRecord>> first = events_.GetHour(failed->front());
  if (first.ok() && first->has_value()) {
    summary += Concat("; first: ", failed->front(), ": ", (*first)->error);
  }
  return summary;
}

void TaskRunner::CancelInFlight(std::string_view task_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [hour, task] : hour_task_) {
    if (task == task_id) hours_in_flight_[hour]->store(true);
  }
  std::erase_if(queue_, [&](const WorkItem& item) {
    if (item.task_id != task_id) return false;
    queued_hours_.erase(item.hour);
    return true;
  });
}

}  // namespace ghloader
