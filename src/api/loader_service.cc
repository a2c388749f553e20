#include "api/loader_service.h"

#include <spdlog/spdlog.h>

#include "api/api_conversions.h"
#include "archive/hour.h"
#include "common/strings.h"

namespace ghloader {
namespace {

constexpr int kDefaultTaskListLimit = 100;
constexpr int kMaxTaskListLimit = 1000;

absl::Time Deadline(const grpc::ServerContext& context) {
  auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

grpc::Status LogAndConvert(std::string_view rpc, const absl::Status& status) {
  if (absl::IsInvalidArgument(status) || absl::IsNotFound(status)) {
    spdlog::info("{} rejected: {}", rpc, status.message());
  } else {
    spdlog::error("{} failed: {}", rpc, status.message());
  }
  return ToGrpcStatus(status);
}

}  // namespace

absl::StatusOr<TaskRecord> LoaderService::SubmitRequest(const agent::LoadRequest& request) {
  absl::StatusOr<HourRange> range = ParseHourRange(request.start_date(), request.end_date(),
                                                   absl::Now(), {"start_date", "end_date"});
  if (!range.ok()) return range.status();
  return runner_.Submit(
      TaskRequest{*range, request.start_date(), request.end_date(), request.force()});
}

absl::StatusOr<TaskRecord> LoaderService::FindTask(const std::string& task_id) {
  if (task_id.empty()) {
    return absl::InvalidArgumentError("task_id is empty; pass the id that AsyncLoadRange returned");
  }
  absl::StatusOr<std::optional<TaskRecord>> task = tasks_.GetTask(task_id);
  if (!task.ok()) return task.status();
  if (!task->has_value()) {
    return absl::NotFoundError(Concat("task '", task_id, "' not found; ListTasks shows known tasks"));
  }
  return **task;
}

grpc::Status LoaderService::LoadRange(grpc::ServerContext* context,
                                      const agent::LoadRequest* request,
                                      agent::LoadResponse* response) {
  absl::StatusOr<TaskRecord> task = SubmitRequest(*request);
  if (!task.ok()) return LogAndConvert("LoadRange", task.status());

  absl::Time deadline = Deadline(*context);
  TaskRecord current = *task;
  while (!IsFinished(current.state)) {
    absl::StatusOr<TaskRecord> changed =
        runner_.WaitForChange(current.id, &current, deadline,
                              [&] { return context->IsCancelled() || runner_.stopping(); });
    if (changed.ok()) {
      current = *changed;
      continue;
    }
    if (runner_.stopping()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          Concat("the server is shutting down; task ", current.id,
                                 " stays unfinished and resumes when the server starts again"));
    }
    if (absl::IsDeadlineExceeded(changed.status()) || absl::IsCancelled(changed.status())) {
      runner_.Cancel(current.id).IgnoreError();
      bool expired = absl::Now() >= deadline;
      spdlog::info("task={} cancelled: the LoadRange client {}", current.id,
                   expired ? "deadline passed" : "cancelled the call");
      return grpc::Status(
          expired ? grpc::StatusCode::DEADLINE_EXCEEDED : grpc::StatusCode::CANCELLED,
          Concat("load of ", request->start_date(), "..", request->end_date(),
                 " stopped because the client ", expired ? "deadline passed" : "cancelled",
                 "; task ", current.id, " was cancelled"));
    }
    return LogAndConvert("LoadRange", changed.status());
  }

  response->set_inserted_count(current.counters.events_inserted);
  response->set_task_id(current.id);
  ToTaskStatus(current, *response->mutable_status());
  if (current.state == TaskState::kFailed) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        Concat("load of ", request->start_date(), "..", request->end_date(),
                               " failed: ", current.error, " (task ", current.id, ")"));
  }
  if (current.state == TaskState::kCancelled) {
    return grpc::Status(grpc::StatusCode::CANCELLED,
                        Concat("task ", current.id, " was cancelled by CancelTask"));
  }
  return grpc::Status::OK;
}

grpc::Status LoaderService::AsyncLoadRange(grpc::ServerContext*,
                                           const agent::LoadRequest* request,
                                           agent::AsyncLoadResponse* response) {
  absl::StatusOr<TaskRecord> task = SubmitRequest(*request);
  if (!task.ok()) return LogAndConvert("AsyncLoadRange", task.status());
  response->set_task_id(task->id);
  response->set_leader_address(options_.leader_address);
  return grpc::Status::OK;
}

grpc::Status LoaderService::GetTaskStatus(grpc::ServerContext*,
                                          const agent::TaskStatusRequest* request,
                                          agent::TaskStatusResponse* response) {
  absl::StatusOr<TaskRecord> task = FindTask(request->task_id());
  if (!task.ok()) return LogAndConvert("GetTaskStatus", task.status());
  ToTaskStatus(*task, *response);
  return grpc::Status::OK;
}

grpc::Status LoaderService::QueryUser(grpc::ServerContext*, const agent::UserQuery* request,
                                      agent::UserQueryResponse* response) {
  std::string_view username = TrimAsciiWhitespace(request->username());
  if (username.empty()) {
    return LogAndConvert("QueryUser", absl::InvalidArgumentError(
                                          "username is empty; pass a GitHub login such as octocat"));
  }

  std::string login = AsciiToLower(username);
  if (cache_ != nullptr) {
    std::optional<UserStats> cached = cache_->Get(login);
    if (cached.has_value()) {
      ToUserQueryResponse(*cached, *response);
      return grpc::Status::OK;
    }
  }

  uint64_t invalidation_count = cache_ != nullptr ? cache_->InvalidationCount() : 0;
  absl::StatusOr<UserStats> stats = events_.QueryUser(login);
  if (!stats.ok()) return LogAndConvert("QueryUser", stats.status());
  if (cache_ != nullptr) cache_->Put(login, *stats, invalidation_count);
  ToUserQueryResponse(*stats, *response);
  return grpc::Status::OK;
}

grpc::Status LoaderService::ListTasks(grpc::ServerContext*, const agent::ListTasksRequest* request,
                                      agent::ListTasksResponse* response) {
  int limit = request->limit() == 0 ? kDefaultTaskListLimit : request->limit();
  if (limit < 0 || limit > kMaxTaskListLimit) {
    return LogAndConvert("ListTasks",
                         absl::InvalidArgumentError(Concat("limit ", request->limit(),
                                                           " is out of range; use 0 (for ",
                                                           kDefaultTaskListLimit, ") to ",
                                                           kMaxTaskListLimit)));
  }
  absl::StatusOr<std::vector<TaskRecord>> tasks = tasks_.ListTasks(static_cast<size_t>(limit));
  if (!tasks.ok()) return LogAndConvert("ListTasks", tasks.status());
  for (const TaskRecord& task : *tasks) ToTaskStatus(task, *response->add_tasks());
  return grpc::Status::OK;
}

grpc::Status LoaderService::CancelTask(grpc::ServerContext*,
                                       const agent::CancelTaskRequest* request,
                                       agent::TaskStatusResponse* response) {
  absl::StatusOr<TaskRecord> found = FindTask(request->task_id());
  if (!found.ok()) return LogAndConvert("CancelTask", found.status());
  absl::StatusOr<TaskRecord> task = runner_.Cancel(request->task_id());
  if (!task.ok()) return LogAndConvert("CancelTask", task.status());
  ToTaskStatus(*task, *response);
  return grpc::Status::OK;
}

grpc::Status LoaderService::WatchTask(grpc::ServerContext* context,
                                      const agent::TaskStatusRequest* request,
                                      grpc::ServerWriter<agent::TaskStatusResponse>* writer) {
  absl::StatusOr<TaskRecord> task = FindTask(request->task_id());
  if (!task.ok()) return LogAndConvert("WatchTask", task.status());

  TaskRecord current = *task;
  while (true) {
    agent::TaskStatusResponse status;
    ToTaskStatus(current, status);
    if (!writer->Write(status)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client closed the stream");
    }
    if (IsFinished(current.state)) return grpc::Status::OK;

    absl::StatusOr<TaskRecord> changed = runner_.WaitForChange(
        current.id, &current, Deadline(*context), [context] { return context->IsCancelled(); });
    if (!changed.ok()) {
      if (absl::IsCancelled(changed.status())) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled the watch");
      }
      return LogAndConvert("WatchTask", changed.status());
    }
    current = *changed;
  }
}

}  // namespace ghloader
