#include "api/api_conversions.h"


#include "common/strings.h"

namespace ghloader {
namespace {

void ToTimestamp(absl::Time time, google::protobuf::Timestamp& timestamp) {
  if (time == absl::InfinitePast() || time == absl::InfiniteFuture()) return;
  int64_t micros = absl::ToUnixMicros(time);
  timestamp.set_seconds(micros / 1000000);
  timestamp.set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(ToStdView(status.message())));
}

void ToTaskStatus(const TaskRecord& task, agent::TaskStatusResponse& status) {
  const TaskCounters& counters = task.counters;
  status.set_task_id(task.id);
  status.set_status(std::string(TaskStateName(task.state)));
  status.set_urls_total(counters.hours_total);
  status.set_urls_done(counters.hours_done);
  status.set_inserted(counters.events_inserted);
  status.set_error(task.error);
  ToTimestamp(absl::FromCivil(task.first_hour, absl::UTCTimeZone()), *status.mutable_start_date());
  ToTimestamp(absl::FromCivil(task.last_hour, absl::UTCTimeZone()), *status.mutable_end_date());
  ToTimestamp(task.created_at, *status.mutable_created_at());
  ToTimestamp(task.updated_at, *status.mutable_updated_at());
  status.set_hours_missing(counters.hours_missing);
  status.set_hours_failed(counters.hours_failed);
  status.set_hours_loaded(counters.hours_loaded);
  status.set_lines_rejected(counters.lines_rejected);
  status.set_duplicates(counters.duplicates);
  status.set_users_touched(counters.users_touched);
}

void ToUserQueryResponse(const UserStats& stats, agent::UserQueryResponse& response) {
  for (const EventCount& count : stats.events) {
    agent::EventCount* event = response.add_events();
    event->set_name(count.name);
    event->set_count(count.count);
  }
  for (const YearMonthEvents& month : stats.events_by_ym) {
    agent::YearMonthEvents* entry = response.add_events_by_ym();
    entry->set_year(month.year);
    entry->set_month(month.month);
    for (const EventCount& count : month.events) {
      agent::EventCount* event = entry->add_events();
      event->set_name(count.name);
      event->set_count(count.count);
    }
  }
  for (const std::string& repo : stats.pushed_to) response.add_pushed_to(repo);
}

UserStats FromUserQueryResponse(const agent::UserQueryResponse& response) {
  UserStats stats;
  for (const agent::EventCount& event : response.events()) {
    stats.events.push_back({event.name(), event.count()});
  }
  for (const agent::YearMonthEvents& entry : response.events_by_ym()) {
    YearMonthEvents month{entry.year(), entry.month(), {}};
    for (const agent::EventCount& event : entry.events()) {
      month.events.push_back({event.name(), event.count()});
    }
    stats.events_by_ym.push_back(std::move(month));
  }
  stats.pushed_to.assign(response.pushed_to().begin(), response.pushed_to().end());
  return stats;
}

}  // namespace ghloader
