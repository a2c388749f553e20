#include "tasks/task_store.h"

namespace ghloader {

std::string_view TaskStateName(TaskState state) {
  switch (state) {
    case TaskState::kPending: return "pending";
    case TaskState::kRunning: return "running";
    case TaskState::kInvalidating: return "invalidating";
    case TaskState::kCompleted: return "completed";
    case TaskState::kFailed: return "failed";
    case TaskState::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<TaskState> ParseTaskState(std::string_view name) {
  for (TaskState state : {TaskState::kPending, TaskState::kRunning, TaskState::kInvalidating,
                          TaskState::kCompleted, TaskState::kFailed, TaskState::kCancelled}) {
    if (TaskStateName(state) == name) return state;
  }
  return std::nullopt;
}

bool IsFinished(TaskState state) {
  return state == TaskState::kCompleted || state == TaskState::kFailed ||
         state == TaskState::kCancelled;
}

}  // namespace ghloader
