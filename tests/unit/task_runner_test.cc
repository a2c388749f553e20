// TaskRunner over a real SQLite store and hour files in a temporary
// directory: completion, counters, overlapping tasks, cancellation,
// resumption, failed hours and cache invalidation.
#include "tasks/task_runner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "archive/directory_source.h"
#include "cache/in_process_cache.h"
#include "common/strings.h"
#include "store/sqlite/sqlite_event_store.h"
#include "store/sqlite/sqlite_task_store.h"

namespace ghloader {
namespace {

namespace fs = std::filesystem;

std::string EventLine(int id, std::string_view login, std::string_view created_at) {
  return fmt::format(
      R"({{"id":"{}","type":"PushEvent","actor":{{"login":"{}"}},"repo":{{"name":"{}/repo"}},"created_at":"{}"}})",
      id, login, login, created_at);
}

class TaskRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 fmt::format("task_runner_test_{}_{}", getpid(), counter_++);
    fs::create_directories(directory_ / "archive");
    database_ = *SqliteDatabase::Open((directory_ / "store.db").string());
    events_ = std::make_unique<SqliteEventStore>(database_);
    tasks_ = std::make_unique<SqliteTaskStore>(database_);
    source_ = std::make_unique<DirectorySource>(directory_ / "archive");
  }

  void TearDown() override {
    runner_.reset();
    fs::remove_all(directory_);
  }

  // Writes hour 2015-01-01-H with `count` events of `login`, ids from `first_id`.
  void WriteHour(int hour, int first_id, int count, std::string_view login) {
    std::ofstream file(directory_ / "archive" / fmt::format("2015-01-01-{}.json", hour));
    for (int i = 0; i < count; ++i) {
      file << EventLine(first_id + i, login, fmt::format("2015-01-01T{:02d}:00:{:02d}Z", hour, i % 60))
           << "\n";
    }
  }

  void StartRunner(int workers = 2) {
    TaskRunnerOptions options;
    options.workers = workers;
    options.owner = "test";
    options.poll_interval = absl::Milliseconds(50);
    options.hour.first_backoff = absl::Milliseconds(10);
    runner_ = std::make_unique<TaskRunner>(*source_, *events_, *tasks_, &cache_, options);
    runner_->Start();
  }

  TaskRecord Submit(int first_hour, int last_hour, bool force = false) {
    TaskRequest request;
    request.range = {absl::CivilHour(2015, 1, 1, first_hour), absl::CivilHour(2015, 1, 1, last_hour)};
    request.start_date = fmt::format("2015-01-01T{:02d}", first_hour);
    request.end_date = fmt::format("2015-01-01T{:02d}", last_hour);
    request.force = force;
    absl::StatusOr<TaskRecord> task = runner_->Submit(request);
    EXPECT_TRUE(task.ok()) << task.status();
    return *task;
  }

  TaskRecord WaitUntilFinished(const std::string& id) {
    TaskRecord current;
    absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      current = **tasks_->GetTask(id);
      if (IsFinished(current.state)) return current;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "task " << id << " did not finish; state " << TaskStateName(current.state);
    return current;
  }

  static inline int counter_ = 0;
  fs::path directory_;
  std::shared_ptr<SqliteDatabase> database_;
  std::unique_ptr<SqliteEventStore> events_;
  std::unique_ptr<SqliteTaskStore> tasks_;
  std::unique_ptr<DirectorySource> source_;
  InProcessCache cache_{absl::Minutes(5), 100};
  std::unique_ptr<TaskRunner> runner_;
};

TEST_F(TaskRunnerTest, TaskCompletesWithCounters) {
  WriteHour(0, 1000, 5, "alice");
  WriteHour(1, 2000, 3, "Bob");
  StartRunner();

  TaskRecord task = WaitUntilFinished(Submit(0, 2).id);

  EXPECT_EQ(task.state, TaskState::kCompleted);
  EXPECT_EQ(task.counters.hours_total, 3);
  EXPECT_EQ(task.counters.hours_done, 3);
  EXPECT_EQ(task.counters.hours_loaded, 2);
  EXPECT_EQ(task.counters.hours_missing, 1);
  EXPECT_EQ(task.counters.events_inserted, 8);
  EXPECT_EQ(task.counters.users_touched, 2);
  EXPECT_EQ(*tasks_->TaskLogins(task.id), (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(TaskRunnerTest, CompletionInvalidatesTouchedUsers) {
  WriteHour(0, 1000, 2, "alice");
  cache_.Put("alice", UserStats{}, cache_.InvalidationCount());
  cache_.Put("carol", UserStats{}, cache_.InvalidationCount());
  StartRunner();

  WaitUntilFinished(Submit(0, 0).id);

  EXPECT_FALSE(cache_.Get("alice").has_value());
  EXPECT_TRUE(cache_.Get("carol").has_value());
}

TEST_F(TaskRunnerTest, OverlappingTasksLoadEachHourOnce) {
  for (int hour = 0; hour < 6; ++hour) WriteHour(hour, 1000 * (hour + 1), 20, "alice");
  StartRunner(3);

  TaskRecord first = Submit(0, 3);
  TaskRecord second = Submit(2, 5);
  first = WaitUntilFinished(first.id);
  second = WaitUntilFinished(second.id);

  EXPECT_EQ(first.state, TaskState::kCompleted);
  EXPECT_EQ(second.state, TaskState::kCompleted);
  EXPECT_EQ(first.counters.events_inserted + second.counters.events_inserted, 120);
  for (int hour = 0; hour < 6; ++hour) {
    std::optional<HourRecord> record = *events_->GetHour(fmt::format("2015-01-01-{}", hour));
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, HourState::kLoaded);
    EXPECT_EQ(record->fencing_token, 1) << "hour " << hour << " was claimed more than once";
  }
}

TEST_F(TaskRunnerTest, FailedHourFailsTask) {
  WriteHour(0, 1000, 2, "alice");
  std::ofstream(directory_ / "archive" / "2015-01-01-1.json.gz") << "not gzip at all";
  StartRunner();

  TaskRecord task = WaitUntilFinished(Submit(0, 1).id);

  EXPECT_EQ(task.state, TaskState::kFailed);
  EXPECT_EQ(task.counters.hours_failed, 1);
  EXPECT_EQ(task.counters.events_inserted, 2);
  EXPECT_NE(task.error.find("2015-01-01-1"), std::string::npos) << task.error;
  EXPECT_NE(task.error.find("not a gzip file"), std::string::npos) << task.error;
}

TEST_F(TaskRunnerTest, ResumesTaskWrittenBeforeStart) {
  WriteHour(0, 1000, 4, "alice");
  TaskRecord task;
  task.id = "written-before-start";
  task.start_date = "2015-01-01T00";
  task.end_date = "2015-01-01T00";
  task.first_hour = absl::CivilHour(2015, 1, 1, 0);
  task.last_hour = task.first_hour;
  ASSERT_TRUE(tasks_->CreateTask(task).ok());

  StartRunner();
  TaskRecord finished = WaitUntilFinished(task.id);

  EXPECT_EQ(finished.state, TaskState::kCompleted);
  EXPECT_EQ(finished.counters.events_inserted, 4);
}

TEST_F(TaskRunnerTest, CancelEndsTaskCancelled) {
  for (int hour = 0; hour < 24; ++hour) WriteHour(hour, 1000 * (hour + 1), 50, "alice");
  StartRunner(1);

  TaskRecord task = Submit(0, 23);
  absl::StatusOr<TaskRecord> cancelled = runner_->Cancel(task.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  TaskRecord finished = WaitUntilFinished(task.id);

  EXPECT_EQ(finished.state, TaskState::kCancelled);
  EXPECT_LT(finished.counters.hours_done, 24);
}

TEST_F(TaskRunnerTest, CancelUnknownTaskIsNotFound) {
  StartRunner();
  EXPECT_TRUE(absl::IsNotFound(runner_->Cancel("no-such-task").status()));
}

TEST_F(TaskRunnerTest, StopLeavesTaskUnfinished) {
  for (int hour = 0; hour < 24; ++hour) WriteHour(hour, 1000 * (hour + 1), 50, "alice");
  StartRunner(1);
  TaskRecord task = Submit(0, 23);
  runner_->Stop();

  TaskRecord stopped = **tasks_->GetTask(task.id);
  EXPECT_FALSE(IsFinished(stopped.state));

  StartRunner(2);
  TaskRecord finished = WaitUntilFinished(task.id);
  EXPECT_EQ(finished.state, TaskState::kCompleted);
  EXPECT_EQ(finished.counters.events_inserted, 24 * 50);
}

TEST(NewTaskIdTest, IsUuidVersion4) {
  std::string id = NewTaskId();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(NewTaskId(), id);
}

TEST(InProcessCacheTest, ExpiresAfterTtl) {
  InProcessCache cache(absl::Milliseconds(50), 10);
  cache.Put("alice", UserStats{{{"PushEvent", 1}}, {}, {}}, cache.InvalidationCount());
  EXPECT_TRUE(cache.Get("alice").has_value());
  absl::SleepFor(absl::Milliseconds(80));
  EXPECT_FALSE(cache.Get("alice").has_value());
}

TEST(InProcessCacheTest, EvictsLeastRecentlyUsed) {
  InProcessCache cache(absl::Minutes(1), 2);
  cache.Put("a", UserStats{}, 0);
  cache.Put("b", UserStats{}, 0);
  EXPECT_TRUE(cache.Get("a").has_value());
  cache.Put("c", UserStats{}, 0);
  EXPECT_TRUE(cache.Get("a").has_value());
  EXPECT_FALSE(cache.Get("b").has_value());
  EXPECT_TRUE(cache.Get("c").has_value());
}

TEST(InProcessCacheTest, SkipsAnswerReadBeforeInvalidation) {
  InProcessCache cache(absl::Minutes(1), 10);
  uint64_t before_read = cache.InvalidationCount();
  ASSERT_TRUE(cache.Invalidate({"alice"}).ok());
  cache.Put("alice", UserStats{}, before_read);
  EXPECT_FALSE(cache.Get("alice").has_value());
}

TEST(InProcessCacheTest, ZeroTtlCachesNothing) {
  InProcessCache cache(absl::ZeroDuration(), 10);
  cache.Put("alice", UserStats{}, cache.InvalidationCount());
  EXPECT_FALSE(cache.Get("alice").has_value());
}

}  // namespace
}  // namespace ghloader
