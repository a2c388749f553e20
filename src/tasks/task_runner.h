// Runs load tasks in the background: worker threads take pending hours of
// unfinished tasks, oldest task first, claim each through the hour ledger,
// load it, and record the outcome in the task. When a task has no pending
// hour left, the runner drops the cached results of the logins it touched
// (state "invalidating") and ends it as completed, failed (some hour
// failed) or cancelled.
//
// All task state lives in the TaskStore, so a restarted runner resumes
// where the previous process stopped; hours whose lease a dead process
// still holds are taken over once the lease expires.
#ifndef GHLOADER_TASKS_TASK_RUNNER_H_
#define GHLOADER_TASKS_TASK_RUNNER_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "archive/hour.h"
#include "archive/source.h"
#include "cache/user_stats_cache.h"
#include "loader/hour_loader.h"
#include "store/event_store.h"
#include "tasks/task_store.h"

namespace ghloader {

struct TaskRunnerOptions {
  int workers = 4;     // Hours loaded at once by this process.
  std::string owner;   // Lease owner prefix, see MakeLeaseOwner.
  HourLoadOptions hour;
  // How often idle workers look for new work and held hours are retried.
  absl::Duration poll_interval = absl::Seconds(1);
};

struct TaskRequest {
  HourRange range;
  std::string start_date;  // As the client sent them.
  std::string end_date;
  bool force = false;
};

class TaskRunner {
 public:
  TaskRunner(ArchiveSource& source, EventStore& events, TaskStore& tasks,
             UserStatsCache* cache, TaskRunnerOptions options);
  ~TaskRunner();

  TaskRunner(const TaskRunner&) = delete;
  TaskRunner& operator=(const TaskRunner&) = delete;

  // Starts the workers; unfinished tasks in the store are resumed.
  void Start();

  // Stops taking hours, cancels the hours in flight (their leases are
  // released, their tasks stay unfinished for the next start) and joins the
  // workers.
  void Stop();

  // True once Stop has begun.
  bool stopping();

  // Writes a new task with all its hours and wakes the workers.
  absl::StatusOr<TaskRecord> Submit(const TaskRequest& request);

  // Requests cancellation. NotFound for an unknown task; a finished task is
  // returned unchanged.
  absl::StatusOr<TaskRecord> Cancel(std::string_view task_id);

  // Returns the task once its state or counters differ from `seen` (or at
  // once when `seen` is null), polling the store until `deadline` or until
  // `stop` returns true. DeadlineExceeded or Cancelled then.
  absl::StatusOr<TaskRecord> WaitForChange(std::string_view task_id, const TaskRecord* seen,
                                           absl::Time deadline,
                                           const std::function<bool()>& stop);

 private:
  struct WorkItem {
    std::string task_id;
    std::string hour;
    bool force = false;
  };

  void WorkerLoop(int worker);
  bool TakeWork(WorkItem& item);
  absl::Status RefillQueue();
  void LoadTaskHour(int worker, const WorkItem& item);
  void FinishTask(const TaskRecord& task);
  std::string FailureSummary(const TaskRecord& task);
  void CancelInFlight(std::string_view task_id);
  void WakeWorkers();

  ArchiveSource& source_;
  EventStore& events_;
  TaskStore& tasks_;
  UserStatsCache* cache_;
  TaskRunnerOptions options_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t wake_generation_ = 0;  // Bumped when new work may be there.
  std::deque<WorkItem> queue_;
  std::set<std::string> queued_hours_;
  // Serializes queue refills; completed_during_refill_ contains the hours
  // completed since the running refill read the store, which it must not
  // queue again.
  std::mutex refill_mutex_;
  std::set<std::string> completed_during_refill_;
  // Hours being loaded by this process, with the flag that cancels each.
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> hours_in_flight_;
  std::map<std::string, int> in_flight_per_task_;
  std::map<std::string, std::string> hour_task_;  // Hour in flight -> its task.
  // Hours under another loader's lease, not to be tried again before the time.
  std::map<std::string, absl::Time> held_until_;
  std::set<std::string> tasks_finishing_;
  std::vector<std::thread> workers_;
};

// Returns a new random task id (a UUID version 4).
std::string NewTaskId();

}  // namespace ghloader

#endif  // GHLOADER_TASKS_TASK_RUNNER_H_
