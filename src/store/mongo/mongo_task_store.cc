#include "store/mongo/mongo_task_store.h"

#include <map>
#include <random>

#include "archive/hour.h"
#include "common/strings.h"
#include "store/mongo/bson_document.h"
#include "store/mongo/mongo_bulk.h"
#include "store/mongo/mongo_errors.h"

namespace ghloader {
namespace {

std::string TaskChildId(std::string_view id, std::string_view hour) {
  return Concat(id, "/", hour);
}

std::string NewCreationId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", random(), random());
}

// Appends `counts: [{k: name, v: value}, ...]`; see the header.
void AppendCounts(bson_t* document, const std::vector<std::pair<std::string, int64_t>>& counts) {
  bson_t array;
  bson_append_array_begin(document, "counts", -1, &array);
  for (size_t i = 0; i < counts.size(); ++i) {
    std::string key = std::to_string(i);
    bson_t item;
    bson_append_document_begin(&array, key.c_str(), static_cast<int>(key.size()), &item);
    AppendString(&item, "k", counts[i].first);
    AppendInt64(&item, "v", counts[i].second);
    bson_append_document_end(&array, &item);
  }
  bson_append_array_end(document, &array);
}

TaskRecord ReadTask(const bson_t& document) {
  TaskRecord task;
  task.id = GetString(document, "_id");
  task.state = ParseTaskState(GetString(document, "state")).value_or(TaskState::kFailed);
  task.start_date = GetString(document, "start_date");
  task.end_date = GetString(document, "end_date");
  task.first_hour = ParseHourFileStem(GetString(document, "first_hour")).value_or(absl::CivilHour());
  task.last_hour = ParseHourFileStem(GetString(document, "last_hour")).value_or(absl::CivilHour());
  task.force = GetBool(document, "force");
  task.cancel_requested = GetBool(document, "cancel_requested");
  task.error = GetString(document, "error");
  task.created_at = GetTime(document, "created_at");
  task.updated_at = GetTime(document, "updated_at");
  return task;
}

BsonPtr IdFilter(std::string_view id) {
  BsonPtr filter = NewBson();
  AppendString(filter.get(), "_id", id);
  return filter;
}

BsonPtr TaskIdFilter(std::string_view id) {
  BsonPtr filter = NewBson();
  AppendString(filter.get(), "task_id", id);
  return filter;
}

// Reads `field` of every document found, in order.
absl::StatusOr<std::vector<std::string>> FindStrings(const MongoDatabase& database,
                                                     std::string_view collection,
                                                     const bson_t& filter, const char* field,
                                                     const char* sort_field) {
  BsonPtr options = BCON_NEW("sort", "{", sort_field, BCON_INT32(1), "}", "projection", "{",
                             field, BCON_INT32(1), "}");
  absl::StatusOr<std::vector<BsonPtr>> found =
      database.Find(collection, filter, options.get(), database.primary());
  if (!found.ok()) return found.status();
  std::vector<std::string> values;
  for (const BsonPtr& document : *found) values.push_back(GetString(*document, field));
  return values;
}

}  // namespace

absl::Status MongoTaskStore::CreateTask(const TaskRecord& task) {
  // A retry compares the creation id to learn whether the attempt before
  // it, whose reply was lost, created the task after all.
  std::string creation_id = NewCreationId();
  return database_->RetryWhileUnavailable(Concat("creating task ", task.id),
                                          [&] { return TryCreateTask(task, creation_id); });
}

absl::Status MongoTaskStore::TryCreateTask(const TaskRecord& task,
                                           const std::string& creation_id) {
  const MongoCollectionNames& names = database_->collections();
  BsonPtr id_filter = IdFilter(task.id);
  absl::StatusOr<std::vector<BsonPtr>> existing =
      database_->Find(names.tasks, *id_filter, nullptr, database_->primary());
  if (!existing.ok()) return existing.status();
  if (!existing->empty()) {
    if (GetString(*existing->front(), "creation_id") == creation_id) return absl::OkStatus();
    return absl::AlreadyExistsError(Concat("task ", task.id, " already exists"));
  }

  // The hours first: a task document is never without its hours.
  std::unique_ptr<PooledClient> client = database_->Client();
  BulkWrite hours(client->Collection(names.task_hours), database_->Namespace(names.task_hours));
  size_t count = 0;
  for (absl::CivilHour hour = task.first_hour; hour <= task.last_hour; ++hour) {
    std::string stem = HourFileStem(hour);
    BsonPtr document = NewBson();
    AppendString(document.get(), "_id", TaskChildId(task.id, stem));
    AppendString(document.get(), "task_id", task.id);
    AppendString(document.get(), "hour", stem);
    AppendInt64(document.get(), "position", static_cast<int64_t>(count++));
    AppendString(document.get(), "state", HourStateName(HourState::kPending));
    AppendInt64(document.get(), "events_stored", 0);
    AppendInt64(document.get(), "duplicates", 0);
    AppendInt64(document.get(), "lines_rejected", 0);
    AppendCounts(document.get(), {{"hours", 1}, {"pending", 1}});
    absl::Status added = hours.Insert(document.get());
    if (!added.ok()) return added;
  }
  absl::StatusOr<BulkWriteOutcome> written = hours.Execute(count);
  if (!written.ok()) return written.status();
  // Hours a lost attempt of this call had written are already there.
  std::erase_if(written->errors,
                [](const BulkWriteError& error) { return error.code == kDuplicateKeyCode; });
  absl::Status hours_status =
      written->FirstErrorStatus("writing the hours of task " + task.id);
  if (!hours_status.ok()) return hours_status;

  absl::Time now = absl::Now();
  BsonPtr document = NewBson();
  AppendString(document.get(), "_id", task.id);
  AppendString(document.get(), "state", TaskStateName(TaskState::kPending));
  AppendString(document.get(), "start_date", task.start_date);
  AppendString(document.get(), "end_date", task.end_date);
  AppendString(document.get(), "first_hour", HourFileStem(task.first_hour));
  AppendString(document.get(), "last_hour", HourFileStem(task.last_hour));
  AppendBool(document.get(), "force", task.force);
  AppendBool(document.get(), "cancel_requested", false);
  AppendString(document.get(), "error", "");
  AppendTime(document.get(), "created_at", now);
  AppendTime(document.get(), "updated_at", now);
  AppendString(document.get(), "creation_id", creation_id);
  absl::Status inserted = database_->InsertOne(names.tasks, *document);
  if (absl::IsAlreadyExists(inserted)) {
    return absl::AlreadyExistsError(Concat("task ", task.id, " already exists"));
  }
  return inserted;
}

absl::StatusOr<std::vector<TaskRecord>> MongoTaskStore::FindTasks(const bson_t& filter,
                                                                  const bson_t& sort,
                                                                  int64_t limit) {
  std::vector<TaskRecord> tasks;
  absl::Status read = database_->RetryWhileUnavailable("reading tasks", [&]() -> absl::Status {
    tasks.clear();
    BsonPtr options = NewBson();
    bson_append_document(options.get(), "sort", -1, &sort);
    if (limit > 0) AppendInt64(options.get(), "limit", limit);
    absl::StatusOr<std::vector<BsonPtr>> found = database_->Find(
        database_->collections().tasks, filter, options.get(), database_->primary());
    if (!found.ok()) return found.status();
    for (const BsonPtr& document : *found) {
      tasks.push_back(ReadTask(*document));
      absl::Status counted = ReadCounters(tasks.back());
      if (!counted.ok()) return counted;
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return tasks;
}

absl::Status MongoTaskStore::ReadCounters(TaskRecord& task) {
  const MongoCollectionNames& names = database_->collections();
  BsonPtr pipeline =
      BCON_NEW("0", "{", "$match", "{", "task_id", BCON_UTF8(task.id.c_str()), "}", "}",  //
               "1", "{", "$unwind", BCON_UTF8("$counts"), "}",                             //
               "2", "{", "$group", "{", "_id", BCON_UTF8("$counts.k"), "v", "{", "$sum",
               BCON_UTF8("$counts.v"), "}", "}", "}");
  absl::StatusOr<std::vector<BsonPtr>> rows =
      database_->Aggregate(names.task_hours, *pipeline, database_->primary());
  if (!rows.ok()) return rows.status();
  std::map<std::string, int64_t> sums;
  for (const BsonPtr& row : *rows) sums[GetString(*row, "_id")] = GetInt64(*row, "v");

  TaskCounters& counters = task.counters;
  counters.hours_total = sums["hours"];
  counters.hours_done = sums["hours"] - sums[std::string(HourStateName(HourState::kPending))];
  counters.hours_loaded = sums[std::string(HourStateName(HourState::kLoaded))];
  counters.hours_missing = sums[std::string(HourStateName(HourState::kMissing))];
  counters.hours_failed = sums[std::string(HourStateName(HourState::kFailed))];
  counters.events_inserted = sums["events_stored"];
  counters.duplicates = sums["duplicates"];
  counters.lines_rejected = sums["lines_rejected"];

  BsonPtr users = TaskIdFilter(task.id);
  absl::StatusOr<int64_t> users_touched = database_->CountDocuments(names.task_users, *users);
  if (!users_touched.ok()) return users_touched.status();
  counters.users_touched = *users_touched;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<TaskRecord>> MongoTaskStore::GetTask(std::string_view id) {
  BsonPtr filter = IdFilter(id);
  BsonPtr sort = NewBson();
  absl::StatusOr<std::vector<TaskRecord>> tasks = FindTasks(*filter, *sort, 1);
  if (!tasks.ok()) return tasks.status();
  if (tasks->empty()) return std::optional<TaskRecord>();
  return std::optional<TaskRecord>(std::move(tasks->front()));
}

absl::StatusOr<std::vector<TaskRecord>> MongoTaskStore::ListTasks(size_t limit) {
  if (limit == 0) return std::vector<TaskRecord>();
  BsonPtr filter = NewBson();
  BsonPtr sort = BCON_NEW("created_at", BCON_INT32(-1), "_id", BCON_INT32(1));
  return FindTasks(*filter, *sort, static_cast<int64_t>(limit));
}

absl::StatusOr<std::vector<TaskRecord>> MongoTaskStore::ListUnfinishedTasks() {
  BsonPtr filter = BCON_NEW("state", "{", "$in", "[",
                    BCON_UTF8(std::string(TaskStateName(TaskState::kPending)).c_str()),
                    BCON_UTF8(std::string(TaskStateName(TaskState::kRunning)).c_str()),
                    BCON_UTF8(std::string(TaskStateName(TaskState::kInvalidating)).c_str()),
                    "]", "}");
  BsonPtr sort = BCON_NEW("created_at", BCON_INT32(1), "_id", BCON_INT32(1));
  return FindTasks(*filter, *sort, 0);
}

absl::Status MongoTaskStore::SetTaskState(std::string_view id, TaskState state,
                                          std::string_view error) {
  BsonPtr selector = IdFilter(id);
  BsonPtr finished = BCON_NEW("$nin", "[",
                              BCON_UTF8(std::string(TaskStateName(TaskState::kCompleted)).c_str()),
                              BCON_UTF8(std::string(TaskStateName(TaskState::kFailed)).c_str()),
                              BCON_UTF8(std::string(TaskStateName(TaskState::kCancelled)).c_str()),
                              "]");
  bson_append_document(selector.get(), "state", -1, finished.get());
  BsonPtr update = NewBson();
  bson_t set;
  bson_append_document_begin(update.get(), "$set", -1, &set);
  AppendString(&set, "state", TaskStateName(state));
  AppendString(&set, "error", error);
  AppendTime(&set, "updated_at", absl::Now());
  bson_append_document_end(update.get(), &set);

  int attempt = 0;
  return database_->RetryWhileUnavailable(Concat("setting the state of task ", id),
                                          [&]() -> absl::Status {
    ++attempt;
    absl::StatusOr<int64_t> matched =
        database_->UpdateOne(database_->collections().tasks, *selector, *update);
    if (!matched.ok()) return matched.status();
    if (*matched == 1) return absl::OkStatus();
    // A retry finds the state an earlier attempt of this call had set.
    if (attempt > 1) {
      absl::StatusOr<std::optional<TaskRecord>> task = GetTask(id);
      if (task.ok() && task->has_value() && (*task)->state == state) return absl::OkStatus();
    }
    return absl::FailedPreconditionError(
        Concat("task ", id, " is unknown or already finished; its state stays as it is"));
  });
}

absl::Status MongoTaskStore::RequestCancel(std::string_view id) {
  BsonPtr selector = IdFilter(id);
  BsonPtr update = NewBson();
  bson_t set;
  bson_append_document_begin(update.get(), "$set", -1, &set);
  AppendBool(&set, "cancel_requested", true);
  AppendTime(&set, "updated_at", absl::Now());
  bson_append_document_end(update.get(), &set);
  return database_->RetryWhileUnavailable(Concat("cancelling task ", id), [&]() -> absl::Status {
    absl::StatusOr<int64_t> matched =
        database_->UpdateOne(database_->collections().tasks, *selector, *update);
    if (!matched.ok()) return matched.status();
    if (*matched == 0) return absl::NotFoundError(Concat("task '", id, "' not found"));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<std::string>> MongoTaskStore::TaskHoursInState(std::string_view id,
                                                                          HourState state) {
  BsonPtr filter = TaskIdFilter(id);
  AppendString(filter.get(), "state", HourStateName(state));
  absl::StatusOr<std::vector<std::string>> hours;
  absl::Status read = database_->RetryWhileUnavailable(Concat("reading hours of task ", id), [&] {
    hours = FindStrings(*database_, database_->collections().task_hours, *filter, "hour",
                        "position");
    return hours.status();
  });
  if (!read.ok()) return read;
  return hours;
}

absl::StatusOr<std::vector<std::string>> MongoTaskStore::PendingTaskHours(std::string_view id) {
  return TaskHoursInState(id, HourState::kPending);
}

absl::StatusOr<std::vector<std::string>> MongoTaskStore::FailedTaskHours(std::string_view id) {
  return TaskHoursInState(id, HourState::kFailed);
}

absl::Status MongoTaskStore::CompleteTaskHour(std::string_view id, const HourRecord& outcome,
                                              const std::vector<std::string>& logins) {
  const MongoCollectionNames& names = database_->collections();
  return database_->RetryWhileUnavailable(
      Concat("recording hour ", outcome.hour, " of task ", id), [&]() -> absl::Status {
        // A repeated call for an hour no longer pending changes nothing.
        BsonPtr hour_filter = IdFilter(TaskChildId(id, outcome.hour));
        absl::StatusOr<std::vector<BsonPtr>> current = database_->Find(
            names.task_hours, *hour_filter, nullptr, database_->primary());
        if (!current.ok()) return current.status();
        if (current->empty() ||
            GetString(*current->front(), "state") != HourStateName(HourState::kPending)) {
          return absl::OkStatus();
        }

        // The logins before the hour's end state, so that a crash between
        // the two leaves the hour pending and the repeat writes both.
        if (!logins.empty()) {
          std::unique_ptr<PooledClient> client = database_->Client();
          BulkWrite users(client->Collection(names.task_users),
                          database_->Namespace(names.task_users));
          for (const std::string& login : logins) {
            BsonPtr document = NewBson();
            AppendString(document.get(), "_id", TaskChildId(id, login));
            AppendString(document.get(), "task_id", id);
            AppendString(document.get(), "login", login);
            absl::Status added = users.Insert(document.get());
            if (!added.ok()) return added;
          }
          absl::StatusOr<BulkWriteOutcome> written = users.Execute(logins.size());
          if (!written.ok()) return written.status();
          std::erase_if(written->errors, [](const BulkWriteError& error) {
            return error.code == kDuplicateKeyCode;
          });
          absl::Status users_status =
              written->FirstErrorStatus(Concat("recording the logins of task ", id));
          if (!users_status.ok()) return users_status;
        }

        BsonPtr selector = IdFilter(TaskChildId(id, outcome.hour));
        AppendString(selector.get(), "state", HourStateName(HourState::kPending));
        BsonPtr update = NewBson();
        bson_t set;
        bson_append_document_begin(update.get(), "$set", -1, &set);
        AppendString(&set, "state", HourStateName(outcome.state));
        AppendInt64(&set, "events_stored", outcome.stats.events_stored);
        AppendInt64(&set, "duplicates", outcome.stats.duplicates);
        AppendInt64(&set, "lines_rejected", outcome.stats.lines_rejected);
        AppendCounts(&set, {{"hours", 1},
                            {std::string(HourStateName(outcome.state)), 1},
                            {"events_stored", outcome.stats.events_stored},
                            {"duplicates", outcome.stats.duplicates},
                            {"lines_rejected", outcome.stats.lines_rejected}});
        bson_append_document_end(update.get(), &set);
        absl::StatusOr<int64_t> matched = database_->UpdateOne(names.task_hours, *selector, *update);
        if (!matched.ok()) return matched.status();
        if (*matched == 0) return absl::OkStatus();  // Recorded before.

        BsonPtr task_selector = IdFilter(id);
        BsonPtr touch = NewBson();
        bson_t touch_set;
        bson_append_document_begin(touch.get(), "$set", -1, &touch_set);
        AppendTime(&touch_set, "updated_at", absl::Now());
        bson_append_document_end(touch.get(), &touch_set);
        absl::StatusOr<int64_t> touched = database_->UpdateOne(names.tasks, *task_selector, *touch);
        return touched.status();
      });
}

absl::StatusOr<std::vector<std::string>> MongoTaskStore::TaskLogins(std::string_view id) {
  BsonPtr filter = TaskIdFilter(id);
  absl::StatusOr<std::vector<std::string>> logins;
  absl::Status read = database_->RetryWhileUnavailable(Concat("reading logins of task ", id), [&] {
    logins = FindStrings(*database_, database_->collections().task_users, *filter, "login",
                         "login");
    return logins.status();
  });
  if (!read.ok()) return read;
  return logins;
}

}  // namespace ghloader
