// The task store interface: asynchronous load tasks, the hours each task
// covers, and the logins its events touched. Implemented by each store
// (store/sqlite, store/mongo) next to its EventStore.
//
// A task is written with all its hours before it is acknowledged, so a
// restart finds it and resumes the hours not yet done. Loading an hour goes
// through the EventStore ledger and its leases, so two tasks whose ranges
// overlap load each hour once: the second finds it loaded and records it as
// done with nothing new stored.
//
// Counters are derived from the task's hours when read, never kept as
// running totals, so a crash between two writes cannot make them drift.
#ifndef GHLOADER_TASKS_TASK_STORE_H_
#define GHLOADER_TASKS_TASK_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "store/event_store.h"

namespace ghloader {

// The names are part of the gRPC API: clients poll until "completed" or
// "failed".
enum class TaskState {
  kPending,       // Written, no hour started yet.
  kRunning,       // Hours are being loaded.
  kInvalidating,  // Hours done; cached results of touched users are dropped.
  kCompleted,
  kFailed,
  kCancelled,
};

std::string_view TaskStateName(TaskState state);
std::optional<TaskState> ParseTaskState(std::string_view name);
bool IsFinished(TaskState state);

struct TaskCounters {
  int64_t hours_total = 0;
  int64_t hours_done = 0;  // Hours in an end state: loaded, missing or failed.
  int64_t hours_loaded = 0;
  int64_t hours_missing = 0;
  int64_t hours_failed = 0;
  int64_t events_inserted = 0;
  int64_t duplicates = 0;
  int64_t lines_rejected = 0;
  int64_t users_touched = 0;  // Distinct logins recorded for the task.
};

struct TaskRecord {
  std::string id;
  TaskState state = TaskState::kPending;
  std::string start_date;  // As the client sent them, e.g. "2015-01-01".
  std::string end_date;
  absl::CivilHour first_hour;
  absl::CivilHour last_hour;
  bool force = false;             // Reload hours already loaded.
  bool cancel_requested = false;
  std::string error;              // Why the task failed, if it did.
  absl::Time created_at = absl::InfinitePast();
  absl::Time updated_at = absl::InfinitePast();
  TaskCounters counters;          // Filled in by reads; ignored by writes.
};

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  // Writes the task (state pending) and one pending task hour for every hour
  // from first_hour to last_hour. AlreadyExists if the id is taken.
  virtual absl::Status CreateTask(const TaskRecord& task) = 0;

  // Returns nullopt for an unknown id.
  virtual absl::StatusOr<std::optional<TaskRecord>> GetTask(std::string_view id) = 0;

  // Newest first, at most `limit`.
  virtual absl::StatusOr<std::vector<TaskRecord>> ListTasks(size_t limit) = 0;

  // Tasks in state pending, running or invalidating, oldest first.
  virtual absl::StatusOr<std::vector<TaskRecord>> ListUnfinishedTasks() = 0;

  // Sets the state (and error, for failed). Finished tasks stay finished:
  // FailedPrecondition if the task already ended.
  virtual absl::Status SetTaskState(std::string_view id, TaskState state,
                                    std::string_view error) = 0;

  // Marks the task for cancellation; runners check the flag between hours.
  // NotFound for an unknown id.
  virtual absl::Status RequestCancel(std::string_view id) = 0;

  // Hours of the task not yet done, in order, as file stems.
  virtual absl::StatusOr<std::vector<std::string>> PendingTaskHours(std::string_view id) = 0;

  // The first `limit` of PendingTaskHours. Runners call this often, so a
  // store should override it to read no more than `limit` hours.
  virtual absl::StatusOr<std::vector<std::string>> FirstPendingTaskHours(std::string_view id,
                                                                         size_t limit) {
    absl::StatusOr<std::vector<std::string>> hours = PendingTaskHours(id);
    if (hours.ok() && hours->size() > limit) hours->resize(limit);
    return hours;
  }

  // Records the end state of one of the task's hours with its counts, and
  // the logins its events touched. Recording the same hour again changes
  // nothing, so a runner that crashed after this call may repeat it.
  virtual absl::Status CompleteTaskHour(std::string_view id, const HourRecord& outcome,
                                        const std::vector<std::string>& logins) = 0;

  // Hours of the task whose end state was failed, in order, as file stems.
  virtual absl::StatusOr<std::vector<std::string>> FailedTaskHours(std::string_view id) = 0;

  // The lower-cased logins recorded for the task, sorted.
  virtual absl::StatusOr<std::vector<std::string>> TaskLogins(std::string_view id) = 0;
};

}  // namespace ghloader

#endif  // GHLOADER_TASKS_TASK_STORE_H_
