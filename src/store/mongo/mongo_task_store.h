// The MongoDB task store: tasks, their hours and the logins they touched,
// in the same database as the events.
//
// Collections (names configurable, see mongo_uri.h):
//   tasks       {_id: id, state, start_date, end_date, first_hour, last_hour,
//                force, cancel_requested, error, created_at, updated_at,
//                creation_id}
//   task_hours  {_id: "id/hour", task_id, hour, position, state,
//                events_stored, duplicates, lines_rejected, counts}
//   task_users  {_id: "id/login", task_id, login}
// `counts` repeats the hour's numbers as [{k: name, v: value}] so that one
// pipeline ($unwind, then $group with a single $sum) derives all counters:
// FerretDB 1.24 returns wrong sums for every $group accumulator but the
// first.
//
// Without multi-document transactions, writes are ordered so that a crash
// between two of them leaves nothing a reader could take for finished: a
// task's hours are written before the task, a task hour's logins before its
// end state.
#ifndef GHLOADER_STORE_MONGO_MONGO_TASK_STORE_H_
#define GHLOADER_STORE_MONGO_MONGO_TASK_STORE_H_

#include <memory>

#include "store/mongo/mongo_database.h"
#include "tasks/task_store.h"

namespace ghloader {

class MongoTaskStore final : public TaskStore {
 public:
  explicit MongoTaskStore(std::shared_ptr<MongoDatabase> database)
      : database_(std::move(database)) {}

  absl::Status CreateTask(const TaskRecord& task) override;
  absl::StatusOr<std::optional<TaskRecord>> GetTask(std::string_view id) override;
  absl::StatusOr<std::vector<TaskRecord>> ListTasks(size_t limit) override;
  absl::StatusOr<std::vector<TaskRecord>> ListUnfinishedTasks() override;
  absl::Status SetTaskState(std::string_view id, TaskState state,
                            std::string_view error) override;
  absl::Status RequestCancel(std::string_view id) override;
  absl::StatusOr<std::vector<std::string>> PendingTaskHours(std::string_view id) override;
  absl::Status CompleteTaskHour(std::string_view id, const HourRecord& outcome,
                                const std::vector<std::string>& logins) override;
  absl::StatusOr<std::vector<std::string>> FailedTaskHours(std::string_view id) override;
  absl::StatusOr<std::vector<std::string>> TaskLogins(std::string_view id) override;

 private:
  absl::Status TryCreateTask(const TaskRecord& task, const std::string& creation_id);
  // Tasks matching `filter`, in `sort` order, at most `limit` (0: all),
  // with their counters.
  absl::StatusOr<std::vector<TaskRecord>> FindTasks(const bson_t& filter, const bson_t& sort,
                                                    int64_t limit);
  absl::Status ReadCounters(TaskRecord& task);
  absl::StatusOr<std::vector<std::string>> TaskHoursInState(std::string_view id,
                                                            HourState state);

  std::shared_ptr<MongoDatabase> database_;
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_MONGO_TASK_STORE_H_
