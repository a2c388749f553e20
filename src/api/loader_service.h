// The MongoLoader gRPC service: loads, tasks and user queries over the task
// runner, the stores and the cache. Transport only: every decision about
// loading lives in the task runner and the loader core.
#ifndef GHLOADER_API_LOADER_SERVICE_H_
#define GHLOADER_API_LOADER_SERVICE_H_

#include <string>

#include "agent.grpc.pb.h"
#include "cache/user_stats_cache.h"
#include "store/event_store.h"
#include "tasks/task_runner.h"
#include "tasks/task_store.h"

namespace ghloader {

struct LoaderServiceOptions {
  // Sent in AsyncLoadResponse.leader_address.
  std::string leader_address;
};

class LoaderService final : public agent::MongoLoader::Service {
 public:
  LoaderService(TaskRunner& runner, EventStore& events, TaskStore& tasks, UserStatsCache* cache,
                LoaderServiceOptions options)
      : runner_(runner), events_(events), tasks_(tasks), cache_(cache), options_(options) {}

  grpc::Status LoadRange(grpc::ServerContext* context, const agent::LoadRequest* request,
                         agent::LoadResponse* response) override;
  grpc::Status AsyncLoadRange(grpc::ServerContext* context, const agent::LoadRequest* request,
                              agent::AsyncLoadResponse* response) override;
  grpc::Status GetTaskStatus(grpc::ServerContext* context,
                             const agent::TaskStatusRequest* request,
                             agent::TaskStatusResponse* response) override;
  grpc::Status QueryUser(grpc::ServerContext* context, const agent::UserQuery* request,
                         agent::UserQueryResponse* response) override;
  grpc::Status ListTasks(grpc::ServerContext* context, const agent::ListTasksRequest* request,
                         agent::ListTasksResponse* response) override;
  grpc::Status CancelTask(grpc::ServerContext* context, const agent::CancelTaskRequest* request,
                          agent::TaskStatusResponse* response) override;
  grpc::Status WatchTask(grpc::ServerContext* context, const agent::TaskStatusRequest* request,
                         grpc::ServerWriter<agent::TaskStatusResponse>* writer) override;

 private:
  absl::StatusOr<TaskRecord> SubmitRequest(const agent::LoadRequest& request);
  absl::StatusOr<TaskRecord> FindTask(const std::string& task_id);

  TaskRunner& runner_;
  EventStore& events_;
  TaskStore& tasks_;
  UserStatsCache* cache_;
  LoaderServiceOptions options_;
};

}  // namespace ghloader

#endif  // GHLOADER_API_LOADER_SERVICE_H_
