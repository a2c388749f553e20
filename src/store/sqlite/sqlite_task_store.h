// The embedded default task store: tasks, their hours and touched logins in
// the same SQLite file as the events.
#ifndef GHLOADER_STORE_SQLITE_SQLITE_TASK_STORE_H_
#define GHLOADER_STORE_SQLITE_SQLITE_TASK_STORE_H_

#include <memory>

#include "store/sqlite/sqlite_database.h"
#include "tasks/task_store.h"

namespace ghloader {

class SqliteTaskStore final : public TaskStore {
 public:
  explicit SqliteTaskStore(std::shared_ptr<SqliteDatabase> database)
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
  absl::StatusOr<std::vector<std::string>> FirstPendingTaskHours(std::string_view id,
                                                                 size_t limit) override;
  absl::StatusOr<std::vector<std::string>> FailedTaskHours(std::string_view id) override;
  absl::StatusOr<std::vector<std::string>> TaskLogins(std::string_view id) override;

 private:
  absl::StatusOr<std::vector<TaskRecord>> SelectTasks(std::string_view where_and_order,
                                                      std::string_view id, int64_t limit);
  // Hours of the task in `state`, in order; all of them when `limit` is 0.
  absl::StatusOr<std::vector<std::string>> SelectTaskHours(std::string_view id,
                                                           std::string_view state,
                                                           size_t limit = 0);

  std::shared_ptr<SqliteDatabase> database_;
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_SQLITE_SQLITE_TASK_STORE_H_
