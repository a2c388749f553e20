// Conversions between the service's types and the gRPC API's messages and
// status codes.
#ifndef GHLOADER_API_API_CONVERSIONS_H_
#define GHLOADER_API_API_CONVERSIONS_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "agent.pb.h"
#include "store/user_stats.h"
#include "tasks/task_store.h"

namespace ghloader {

// absl::StatusCode values are gRPC's, so the code carries over unchanged.
grpc::Status ToGrpcStatus(const absl::Status& status);

void ToTaskStatus(const TaskRecord& task, agent::TaskStatusResponse& status);
void ToUserQueryResponse(const UserStats& stats, agent::UserQueryResponse& response);
UserStats FromUserQueryResponse(const agent::UserQueryResponse& response);

}  // namespace ghloader

#endif  // GHLOADER_API_API_CONVERSIONS_H_
