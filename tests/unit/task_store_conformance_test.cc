// Conformance tests of the TaskStore interface, run over every backend in
// store_test_support.h. They cover tasks with their hours, derived
// counters, logins, state transitions and cancellation. The MongoDB cases
// are skipped when GHLOADER_TEST_MONGODB_URI is not set. The task state
// names are tested here too.
#include "tasks/task_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/store_factory.h"
#include "store_test_support.h"

namespace ghloader {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TaskRecord MakeTask(std::string id, absl::CivilHour first, absl::CivilHour last) {
  TaskRecord task;
  task.id = std::move(id);
  task.start_date = "2015-01-01T22";
  task.end_date = "2015-01-02T01";
  task.first_hour = first;
  task.last_hour = last;
  return task;
}

HourRecord Outcome(std::string hour, HourState state, int64_t stored, int64_t duplicates,
                   int64_t rejected) {
  HourRecord record;
  record.hour = std::move(hour);
  record.state = state;
  record.stats.events_stored = stored;
  record.stats.duplicates = duplicates;
  record.stats.lines_rejected = rejected;
  return record;
}

class TaskStoreConformanceTest : public StoreBackendTest {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    absl::StatusOr<Stores> stores = OpenStores(location_->Uri());
    ASSERT_TRUE(stores.ok()) << stores.status();
    stores_ = std::move(*stores);
    tasks_ = stores_.tasks.get();
  }

  TaskRecord Get(std::string_view id) {
    absl::StatusOr<std::optional<TaskRecord>> task = tasks_->GetTask(id);
    EXPECT_TRUE(task.ok()) << task.status();
    if (!task.ok()) return TaskRecord{};
    EXPECT_TRUE(task->has_value()) << "task " << id << " not found";
    return task->value_or(TaskRecord{});
  }

  std::vector<std::string> Pending(std::string_view id) {
    absl::StatusOr<std::vector<std::string>> hours = tasks_->PendingTaskHours(id);
    EXPECT_TRUE(hours.ok()) << hours.status();
    return hours.ok() ? *hours : std::vector<std::string>{};
  }

  Stores stores_;
  TaskStore* tasks_ = nullptr;
};

TEST_P(TaskStoreConformanceTest, CreateWritesEveryHourOfTheRange) {
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("t1", absl::CivilHour(2015, 1, 1, 22),
                                          absl::CivilHour(2015, 1, 2, 1)))
                  .ok());
  TaskRecord task = Get("t1");
  EXPECT_EQ(task.id, "t1");
  EXPECT_EQ(task.state, TaskState::kPending);
  EXPECT_EQ(task.start_date, "2015-01-01T22");
  EXPECT_EQ(task.end_date, "2015-01-02T01");
  EXPECT_EQ(task.first_hour, absl::CivilHour(2015, 1, 1, 22));
  EXPECT_EQ(task.last_hour, absl::CivilHour(2015, 1, 2, 1));
  EXPECT_FALSE(task.force);
  EXPECT_FALSE(task.cancel_requested);
  EXPECT_GT(task.created_at, absl::Now() - absl::Minutes(1));
  EXPECT_EQ(task.counters.hours_total, 4);
  EXPECT_EQ(task.counters.hours_done, 0);

  EXPECT_THAT(Pending("t1"),
              ElementsAre("2015-01-01-22", "2015-01-01-23", "2015-01-02-0", "2015-01-02-1"));
}

TEST_P(TaskStoreConformanceTest, CreateKeepsForce) {
  TaskRecord task = MakeTask("forced", absl::CivilHour(2015, 1, 1, 0), absl::CivilHour(2015, 1, 1, 0));
  task.force = true;
  ASSERT_TRUE(tasks_->CreateTask(task).ok());
  EXPECT_TRUE(Get("forced").force);
}

TEST_P(TaskStoreConformanceTest, DuplicateIdIsAlreadyExists) {
  TaskRecord task = MakeTask("t1", absl::CivilHour(2015, 1, 1, 0), absl::CivilHour(2015, 1, 1, 1));
  ASSERT_TRUE(tasks_->CreateTask(task).ok());
  task.last_hour = absl::CivilHour(2015, 1, 1, 5);
  absl::Status again = tasks_->CreateTask(task);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(Message(again), HasSubstr("t1"));
  // The first task's hours are untouched.
  EXPECT_EQ(Get("t1").counters.hours_total, 2);
}

TEST_P(TaskStoreConformanceTest, UnknownTaskIsNullopt) {
  absl::StatusOr<std::optional<TaskRecord>> task = tasks_->GetTask("nope");
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_FALSE(task->has_value());
  EXPECT_THAT(Pending("nope"), IsEmpty());
}

TEST_P(TaskStoreConformanceTest, CompleteTaskHourDerivesCounters) {
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("t1", absl::CivilHour(2015, 1, 1, 0),
                                          absl::CivilHour(2015, 1, 1, 3)))
                  .ok());
  ASSERT_TRUE(tasks_->CompleteTaskHour("t1", Outcome("2015-01-01-0", HourState::kLoaded, 100, 5, 2),
                                       {"alice", "bob"})
                  .ok());
  ASSERT_TRUE(tasks_->CompleteTaskHour("t1", Outcome("2015-01-01-1", HourState::kMissing, 0, 0, 0),
                                       {})
                  .ok());
  ASSERT_TRUE(tasks_->CompleteTaskHour("t1", Outcome("2015-01-01-2", HourState::kLoaded, 40, 1, 0),
                                       {"bob", "carol"})
                  .ok());

  TaskRecord task = Get("t1");
  EXPECT_EQ(task.counters.hours_total, 4);
  EXPECT_EQ(task.counters.hours_done, 3);
  EXPECT_EQ(task.counters.hours_loaded, 2);
  EXPECT_EQ(task.counters.hours_missing, 1);
  EXPECT_EQ(task.counters.hours_failed, 0);
  EXPECT_EQ(task.counters.events_inserted, 140);
  EXPECT_EQ(task.counters.duplicates, 6);
  EXPECT_EQ(task.counters.lines_rejected, 2);
  EXPECT_EQ(task.counters.users_touched, 3);
  EXPECT_THAT(Pending("t1"), ElementsAre("2015-01-01-3"));

  absl::StatusOr<std::vector<std::string>> logins = tasks_->TaskLogins("t1");
  ASSERT_TRUE(logins.ok()) << logins.status();
  EXPECT_THAT(*logins, ElementsAre("alice", "bob", "carol"));
}

TEST_P(TaskStoreConformanceTest, CompleteTaskHourIsIdempotent) {
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("t1", absl::CivilHour(2015, 1, 1, 0),
                                          absl::CivilHour(2015, 1, 1, 1)))
                  .ok());
  HourRecord outcome = Outcome("2015-01-01-0", HourState::kLoaded, 100, 5, 2);
  ASSERT_TRUE(tasks_->CompleteTaskHour("t1", outcome, {"alice"}).ok());

  // A runner that crashed after the first call repeats it, maybe with other
  // counts because the second load found everything stored. Nothing changes.
  HourRecord repeat = Outcome("2015-01-01-0", HourState::kLoaded, 0, 105, 2);
  ASSERT_TRUE(tasks_->CompleteTaskHour("t1", repeat, {"zed"}).ok());
  ASSERT_TRUE(tasks_->CompleteTaskHour("t1", repeat, {"zed"}).ok());

  TaskRecord task = Get("t1");
  EXPECT_EQ(task.counters.hours_done, 1);
  EXPECT_EQ(task.counters.events_inserted, 100);
  EXPECT_EQ(task.counters.duplicates, 5);
  EXPECT_EQ(task.counters.users_touched, 1);
  absl::StatusOr<std::vector<std::string>> logins = tasks_->TaskLogins("t1");
  ASSERT_TRUE(logins.ok()) << logins.status();
  EXPECT_THAT(*logins, ElementsAre("alice"));
}

TEST_P(TaskStoreConformanceTest, FailedHoursAreListedInOrder) {
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("t1", absl::CivilHour(2015, 1, 1, 0),
                                          absl::CivilHour(2015, 1, 1, 3)))
                  .ok());
  ASSERT_TRUE(
      tasks_->CompleteTaskHour("t1", Outcome("2015-01-01-3", HourState::kFailed, 0, 0, 0), {}).ok());
  ASSERT_TRUE(
      tasks_->CompleteTaskHour("t1", Outcome("2015-01-01-1", HourState::kFailed, 0, 0, 0), {}).ok());
  ASSERT_TRUE(
      tasks_->CompleteTaskHour("t1", Outcome("2015-01-01-0", HourState::kLoaded, 1, 0, 0), {}).ok());

  absl::StatusOr<std::vector<std::string>> failed = tasks_->FailedTaskHours("t1");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_THAT(*failed, ElementsAre("2015-01-01-1", "2015-01-01-3"));
  EXPECT_EQ(Get("t1").counters.hours_failed, 2);
}

TEST_P(TaskStoreConformanceTest, HoursOfAnotherTaskAreSeparate) {
  absl::CivilHour hour(2015, 1, 1, 0);
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("a", hour, hour)).ok());
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("b", hour, hour)).ok());
  ASSERT_TRUE(
      tasks_->CompleteTaskHour("a", Outcome("2015-01-01-0", HourState::kLoaded, 9, 0, 0), {"x"}).ok());
  EXPECT_EQ(Get("a").counters.hours_done, 1);
  EXPECT_EQ(Get("b").counters.hours_done, 0);
  EXPECT_THAT(Pending("b"), ElementsAre("2015-01-01-0"));
}

TEST_P(TaskStoreConformanceTest, StateTransitionsUntilFinished) {
  absl::CivilHour hour(2015, 1, 1, 0);
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("t1", hour, hour)).ok());
  for (TaskState state : {TaskState::kRunning, TaskState::kInvalidating, TaskState::kCompleted}) {
    ASSERT_TRUE(tasks_->SetTaskState("t1", state, "").ok()) << TaskStateName(state);
    EXPECT_EQ(Get("t1").state, state);
  }

  // Finished tasks stay finished.
  absl::Status reopened = tasks_->SetTaskState("t1", TaskState::kRunning, "");
  EXPECT_EQ(reopened.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(reopened), HasSubstr("t1"));
  EXPECT_EQ(Get("t1").state, TaskState::kCompleted);
}

TEST_P(TaskStoreConformanceTest, FailedStateKeepsTheError) {
  absl::CivilHour hour(2015, 1, 1, 0);
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("t1", hour, hour)).ok());
  ASSERT_TRUE(tasks_->SetTaskState("t1", TaskState::kFailed, "2 hours failed").ok());
  TaskRecord task = Get("t1");
  EXPECT_EQ(task.state, TaskState::kFailed);
  EXPECT_EQ(task.error, "2 hours failed");
  EXPECT_EQ(tasks_->SetTaskState("t1", TaskState::kCancelled, "").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(TaskStoreConformanceTest, SetStateOfUnknownTaskFails) {
  EXPECT_FALSE(tasks_->SetTaskState("nope", TaskState::kRunning, "").ok());
}

TEST_P(TaskStoreConformanceTest, CancelOfUnknownTaskIsNotFound) {
  absl::Status cancelled = tasks_->RequestCancel("no-such-task");
  EXPECT_EQ(cancelled.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(cancelled), HasSubstr("no-such-task"));
}

TEST_P(TaskStoreConformanceTest, CancelSetsTheFlag) {
  absl::CivilHour hour(2015, 1, 1, 0);
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("t1", hour, hour)).ok());
  ASSERT_TRUE(tasks_->RequestCancel("t1").ok());
  TaskRecord task = Get("t1");
  EXPECT_TRUE(task.cancel_requested);
  EXPECT_EQ(task.state, TaskState::kPending);
  EXPECT_TRUE(tasks_->SetTaskState("t1", TaskState::kCancelled, "").ok());
  EXPECT_EQ(Get("t1").state, TaskState::kCancelled);
}

TEST_P(TaskStoreConformanceTest, ListsNewestFirstAndUnfinishedOldestFirst) {
  absl::CivilHour hour(2015, 1, 1, 0);
  for (std::string id : {"first", "second", "third"}) {
    ASSERT_TRUE(tasks_->CreateTask(MakeTask(id, hour, hour)).ok());
    // created_at has millisecond resolution in MongoDB (microsecond in
    // SQLite), so a pause keeps the order unambiguous.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(tasks_->SetTaskState("second", TaskState::kCompleted, "").ok());

  absl::StatusOr<std::vector<TaskRecord>> listed = tasks_->ListTasks(2);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "third");
  EXPECT_EQ((*listed)[1].id, "second");

  absl::StatusOr<std::vector<TaskRecord>> unfinished = tasks_->ListUnfinishedTasks();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status();
  ASSERT_EQ(unfinished->size(), 2u);
  EXPECT_EQ((*unfinished)[0].id, "first");
  EXPECT_EQ((*unfinished)[1].id, "third");
  EXPECT_EQ((*unfinished)[0].counters.hours_total, 1);
}

// Hour names do not sort as text ("2015-01-01-10" < "2015-01-01-2"), so the
// order must come from the hours themselves.
TEST_P(TaskStoreConformanceTest, LargeRangeKeepsEveryHourInOrder) {
  absl::CivilHour first(2015, 1, 1, 0);
  absl::CivilHour last = first + 24 * 31 - 1;
  ASSERT_TRUE(tasks_->CreateTask(MakeTask("month", first, last)).ok());
  std::vector<std::string> pending = Pending("month");
  ASSERT_EQ(pending.size(), 24u * 31);
  EXPECT_EQ(pending.front(), "2015-01-01-0");
  EXPECT_EQ(pending[1], "2015-01-01-1");
  EXPECT_EQ(pending.back(), "2015-01-31-23");
  EXPECT_EQ(Get("month").counters.hours_total, 24 * 31);
}

INSTANTIATE_TEST_SUITE_P(Backends, TaskStoreConformanceTest,
                         ::testing::ValuesIn(StoreBackends()), StoreBackendName);

TEST(TaskStateTest, NamesRoundTrip) {
  for (TaskState state : {TaskState::kPending, TaskState::kRunning, TaskState::kInvalidating,
                          TaskState::kCompleted, TaskState::kFailed, TaskState::kCancelled}) {
    std::optional<TaskState> parsed = ParseTaskState(TaskStateName(state));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, state);
  }
  EXPECT_FALSE(ParseTaskState("done").has_value());
  EXPECT_TRUE(IsFinished(TaskState::kCompleted));
  EXPECT_TRUE(IsFinished(TaskState::kFailed));
  EXPECT_TRUE(IsFinished(TaskState::kCancelled));
  EXPECT_FALSE(IsFinished(TaskState::kInvalidating));
  EXPECT_EQ(TaskStateName(TaskState::kCompleted), "completed");
}

}  // namespace
}  // namespace ghloader
