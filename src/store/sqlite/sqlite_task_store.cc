#include "store/sqlite/sqlite_task_store.h"

#include "archive/hour.h"
#include "common/strings.h"

namespace ghloader {
namespace {

// Counters are summed from task_hours and task_users at read time.
constexpr std::string_view kSelectTasks = R"sql(
SELECT t.id, t.state, t.start_date, t.end_date, t.first_hour, t.last_hour, t.force,
       t.cancel_requested, t.error, t.created_at, t.updated_at,
       (SELECT COUNT(*) FROM task_hours h WHERE h.task_id = t.id),
       (SELECT COUNT(*) FROM task_hours h WHERE h.task_id = t.id AND h.state <> 'pending'),
       (SELECT COUNT(*) FROM task_hours h WHERE h.task_id = t.id AND h.state = 'loaded'),
       (SELECT COUNT(*) FROM task_hours h WHERE h.task_id = t.id AND h.state = 'missing'),
       (SELECT COUNT(*) FROM task_hours h WHERE h.task_id = t.id AND h.state = 'failed'),
       (SELECT COALESCE(SUM(events_stored), 0) FROM task_hours h WHERE h.task_id = t.id),
       (SELECT COALESCE(SUM(duplicates), 0) FROM task_hours h WHERE h.task_id = t.id),
       (SELECT COALESCE(SUM(lines_rejected), 0) FROM task_hours h WHERE h.task_id = t.id),
       (SELECT COUNT(*) FROM task_users u WHERE u.task_id = t.id)
FROM tasks t )sql";

TaskRecord ReadTaskRow(const sqlite::Statement& row) {
  TaskRecord task;
  task.id = row.ColumnText(0);
  task.state = ParseTaskState(row.ColumnText(1)).value_or(TaskState::kFailed);
  task.start_date = row.ColumnText(2);
  task.end_date = row.ColumnText(3);
  task.first_hour = ParseHourFileStem(row.ColumnText(4)).value_or(absl::CivilHour());
  task.last_hour = ParseHourFileStem(row.ColumnText(5)).value_or(absl::CivilHour());
  task.force = row.ColumnInt64(6) != 0;
  task.cancel_requested = row.ColumnInt64(7) != 0;
  task.error = row.ColumnText(8);
  task.created_at = FromMicros(row.ColumnInt64(9));
  task.updated_at = FromMicros(row.ColumnInt64(10));
  TaskCounters& counters = task.counters;
  counters.hours_total = row.ColumnInt64(11);
  counters.hours_done = row.ColumnInt64(12);
  counters.hours_loaded = row.ColumnInt64(13);
  counters.hours_missing = row.ColumnInt64(14);
  counters.hours_failed = row.ColumnInt64(15);
  counters.events_inserted = row.ColumnInt64(16);
  counters.duplicates = row.ColumnInt64(17);
  counters.lines_rejected = row.ColumnInt64(18);
  counters.users_touched = row.ColumnInt64(19);
  return task;
}

absl::StatusOr<std::vector<std::string>> ReadStrings(sqlite::Statement& statement) {
  std::vector<std::string> values;
  while (true) {
    absl::StatusOr<bool> row = statement.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    values.emplace_back(statement.ColumnText(0));
  }
  return values;
}

}  // namespace

absl::Status SqliteTaskStore::CreateTask(const TaskRecord& task) {
  return database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> insert = db.Prepare(
        "INSERT INTO tasks (id, state, start_date, end_date, first_hour, last_hour, force,"
        " created_at, updated_at) VALUES (?1, 'pending', ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
        " ON CONFLICT (id) DO NOTHING");
    if (!insert.ok()) return insert.status();
    insert->Bind(1, task.id);
    insert->Bind(2, task.start_date);
    insert->Bind(3, task.end_date);
    insert->Bind(4, HourFileStem(task.first_hour));
    insert->Bind(5, HourFileStem(task.last_hour));
    insert->Bind(6, static_cast<int64_t>(task.force ? 1 : 0));
    insert->Bind(7, ToMicros(absl::Now()));
    absl::Status inserted = insert->Run();
    if (!inserted.ok()) return inserted;
    if (db.Changes() == 0) {
      return absl::AlreadyExistsError(Concat("task ", task.id, " already exists"));
    }

    absl::StatusOr<sqlite::Statement> insert_hour = db.Prepare(
        "INSERT INTO task_hours (task_id, hour, position) VALUES (?1, ?2, ?3)");
    if (!insert_hour.ok()) return insert_hour.status();
    int64_t position = 0;
    for (absl::CivilHour hour = task.first_hour; hour <= task.last_hour; ++hour) {
      insert_hour->Bind(1, task.id);
      insert_hour->Bind(2, HourFileStem(hour));
      insert_hour->Bind(3, position++);
      absl::Status ran = insert_hour->Run();
      if (!ran.ok()) return ran;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<TaskRecord>> SqliteTaskStore::SelectTasks(
    std::string_view where_and_order, std::string_view id, int64_t limit) {
  std::vector<TaskRecord> tasks;
  absl::Status read = database_->WithReadConnection([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> select = db.Prepare(Concat(kSelectTasks, where_and_order));
    if (!select.ok()) return select.status();
    if (!id.empty()) select->Bind(1, id);
    if (limit > 0) select->Bind(1, limit);
    while (true) {
      absl::StatusOr<bool> row = select->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      tasks.push_back(ReadTaskRow(*select));
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return tasks;
}

absl::StatusOr<std::optional<TaskRecord>> SqliteTaskStore::GetTask(std::string_view id) {
  absl::StatusOr<std::vector<TaskRecord>> tasks = SelectTasks("WHERE t.id = ?1", id, 0);
  if (!tasks.ok()) return tasks.status();
  if (tasks->empty()) return std::optional<TaskRecord>();
  return std::optional<TaskRecord>(std::move(tasks->front()));
}

absl::StatusOr<std::vector<TaskRecord>> SqliteTaskStore::ListTasks(size_t limit) {
  return SelectTasks("ORDER BY t.created_at DESC, t.id LIMIT ?1", "",
                     static_cast<int64_t>(limit));
}

absl::StatusOr<std::vector<TaskRecord>> SqliteTaskStore::ListUnfinishedTasks() {
  return SelectTasks(
      "WHERE t.state IN ('pending', 'running', 'invalidating') ORDER BY t.created_at, t.id", "",
      0);
}

absl::Status SqliteTaskStore::SetTaskState(std::string_view id, TaskState state,
                                           std::string_view error) {
  return database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> update = db.Prepare(
        "UPDATE tasks SET state = ?2, error = ?3, updated_at = ?4"
        " WHERE id = ?1 AND state NOT IN ('completed', 'failed', 'cancelled')");
    if (!update.ok()) return update.status();
    update->Bind(1, id);
    update->Bind(2, TaskStateName(state));
    update->BindOptional(3, error);
    update->Bind(4, ToMicros(absl::Now()));
    absl::Status ran = update->Run();
    if (!ran.ok()) return ran;
    if (db.Changes() == 0) {
      return absl::FailedPreconditionError(
          Concat("task ", id, " is unknown or already finished; its state stays as it is"));
    }
    return absl::OkStatus();
  });
}

absl::Status SqliteTaskStore::RequestCancel(std::string_view id) {
  return database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> update = db.Prepare(
        "UPDATE tasks SET cancel_requested = 1, updated_at = ?2 WHERE id = ?1");
    if (!update.ok()) return update.status();
    update->Bind(1, id);
    update->Bind(2, ToMicros(absl::Now()));
    absl::Status ran = update->Run();
    if (!ran.ok()) return ran;
    if (db.Changes() == 0) return absl::NotFoundError(Concat("task '", id, "' not found"));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<std::string>> SqliteTaskStore::SelectTaskHours(
    std::string_view id, std::string_view state, size_t limit) {
  absl::StatusOr<std::vector<std::string>> hours;
  absl::Status read = database_->WithReadConnection([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> select = db.Prepare(
        "SELECT hour FROM task_hours WHERE task_id = ?1 AND state = ?2 ORDER BY position"
        " LIMIT ?3");
    if (!select.ok()) return select.status();
    select->Bind(1, id);
    select->Bind(2, state);
    select->Bind(3, limit == 0 ? int64_t{-1} : static_cast<int64_t>(limit));
    hours = ReadStrings(*select);
    return hours.status();
  });
  if (!read.ok()) return read;
  return hours;
}

absl::StatusOr<std::vector<std::string>> SqliteTaskStore::PendingTaskHours(std::string_view id) {
  return SelectTaskHours(id, HourStateName(HourState::kPending));
}

absl::StatusOr<std::vector<std::string>> SqliteTaskStore::FirstPendingTaskHours(
    std::string_view id, size_t limit) {
  return SelectTaskHours(id, HourStateName(HourState::kPending), limit);
}

absl::StatusOr<std::vector<std::string>> SqliteTaskStore::FailedTaskHours(std::string_view id) {
  return SelectTaskHours(id, HourStateName(HourState::kFailed));
}

absl::Status SqliteTaskStore::CompleteTaskHour(std::string_view id, const HourRecord& outcome,
                                               const std::vector<std::string>& logins) {
  return database_->WithWriteTransaction([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> update = db.Prepare(
        "UPDATE task_hours SET state = ?3, events_stored = ?4, duplicates = ?5,"
        " lines_rejected = ?6 WHERE task_id = ?1 AND hour = ?2 AND state = 'pending'");
    if (!update.ok()) return update.status();
    update->Bind(1, id);
    update->Bind(2, outcome.hour);
    update->Bind(3, HourStateName(outcome.state));
    update->Bind(4, outcome.stats.events_stored);
    update->Bind(5, outcome.stats.duplicates);
    update->Bind(6, outcome.stats.lines_rejected);
    absl::Status ran = update->Run();
    if (!ran.ok()) return ran;
    if (db.Changes() == 0) return absl::OkStatus();  // Recorded before.

    absl::StatusOr<sqlite::Statement> insert_login = db.Prepare(
        "INSERT OR IGNORE INTO task_users (task_id, login) VALUES (?1, ?2)");
    if (!insert_login.ok()) return insert_login.status();
    for (const std::string& login : logins) {
      insert_login->Bind(1, id);
      insert_login->Bind(2, login);
      absl::Status inserted = insert_login->Run();
      if (!inserted.ok()) return inserted;
    }

    absl::StatusOr<sqlite::Statement> touch =
        db.Prepare("UPDATE tasks SET updated_at = ?2 WHERE id = ?1");
    if (!touch.ok()) return touch.status();
    touch->Bind(1, id);
    touch->Bind(2, ToMicros(absl::Now()));
    return touch->Run();
  });
}

absl::StatusOr<std::vector<std::string>> SqliteTaskStore::TaskLogins(std::string_view id) {
  absl::StatusOr<std::vector<std::string>> logins;
  absl::Status read = database_->WithReadConnection([&](sqlite::Connection& db) {
    absl::StatusOr<sqlite::Statement> select =
        db.Prepare("SELECT login FROM task_users WHERE task_id = ?1 ORDER BY login");
    if (!select.ok()) return select.status();
    select->Bind(1, id);
    logins = ReadStrings(*select);
    return logins.status();
  });
  if (!read.ok()) return read;
  return logins;
}

}  // namespace ghloader
