// `ghloader client`: calls a running `ghloader serve` over gRPC.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "agent.grpc.pb.h"
#include "api/api_conversions.h"
#include "cli/commands.h"
#include "cli/user_stats_output.h"
#include "common/strings.h"

namespace ghloader {
namespace {

constexpr int kProgressBarWidth = 30;

std::string TimestampText(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(timestamp.seconds()),
                          absl::UTCTimeZone());
}

nlohmann::json TaskJson(const agent::TaskStatusResponse& task) {
  return {{"task_id", task.task_id()},
          {"status", task.status()},
          {"urls_total", task.urls_total()},
          {"urls_done", task.urls_done()},
          {"inserted", task.inserted()},
          {"error", task.error()},
          {"start_date", TimestampText(task.start_date())},
          {"end_date", TimestampText(task.end_date())},
          {"created_at", TimestampText(task.created_at())},
          {"updated_at", TimestampText(task.updated_at())},
          {"hours_loaded", task.hours_loaded()},
          {"hours_missing", task.hours_missing()},
          {"hours_failed", task.hours_failed()},
          {"lines_rejected", task.lines_rejected()},
          {"duplicates", task.duplicates()},
          {"users_touched", task.users_touched()}};
}

std::string TaskText(const agent::TaskStatusResponse& task) {
  std::string text = fmt::format(
      "task {}: {}\n  hours: {} of {} done ({} loaded, {} missing, {} failed)\n"
      "  events: {} inserted, {} duplicates, {} lines rejected, {} users touched\n"
      "  range: {} to {}; created {}, updated {}\n",
      task.task_id(), task.status(), task.urls_done(), task.urls_total(), task.hours_loaded(),
      task.hours_missing(), task.hours_failed(), task.inserted(), task.duplicates(),
      task.lines_rejected(), task.users_touched(), TimestampText(task.start_date()),
      TimestampText(task.end_date()), TimestampText(task.created_at()),
      TimestampText(task.updated_at()));
  if (!task.error().empty()) text += Concat("  error: ", task.error(), "\n");
  return text;
}

std::string ProgressBar(const agent::TaskStatusResponse& task) {
  int64_t total = std::max<int64_t>(task.urls_total(), 1);
  int filled = static_cast<int>(kProgressBarWidth * task.urls_done() / total);
  return fmt::format("[{}{}] {}/{} hours  {} inserted  {}", std::string(filled, '#'),
                     std::string(kProgressBarWidth - filled, '.'), task.urls_done(),
                     task.urls_total(), task.inserted(), task.status());
}

class Client {
 public:
  explicit Client(const ClientFlags& flags)
      : flags_(flags),
        stub_(agent::MongoLoader::NewStub(
            grpc::CreateChannel(flags.server, grpc::InsecureChannelCredentials()))) {}

  int Run() {
    const std::string& action = flags_.action;
    if (action == "load") return Load();
    if (action == "async-load") return AsyncLoad();
    if (action == "status") return Status();
    if (action == "watch") return Watch();
    if (action == "tasks") return Tasks();
    if (action == "cancel") return Cancel();
    if (action == "query") return Query();
    if (action == "health") return Health();
    std::cerr << "error: unknown client command '" << action << "'\n";
    return kExitUsage;
  }

 private:
  std::unique_ptr<grpc::ClientContext> NewContext() {
    auto context = std::make_unique<grpc::ClientContext>();
    if (flags_.timeout_seconds > 0) {
      context->set_deadline(absl::ToChronoTime(absl::Now() +
                                               absl::Seconds(flags_.timeout_seconds)));
    }
    return context;
  }

  int Fail(const grpc::Status& status) {
    std::string hint;
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      hint = Concat(" (is `ghloader serve` running at ", flags_.server, "? set --server)");
    }
    std::cerr << "error: " << StatusCodeName(status.error_code()) << ": "
              << status.error_message() << hint << "\n";
    return status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ? kExitUsage : kExitFailed;
  }

  static std::string_view StatusCodeName(grpc::StatusCode code) {
    static constexpr std::string_view kNames[] = {
        "OK",           "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED", "NOT_FOUND",     "ALREADY_EXISTS",    "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",    "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL",          "UNAVAILABLE",       "DATA_LOSS",
        "UNAUTHENTICATED"};
    size_t index = static_cast<size_t>(code);
    return index < std::size(kNames) ? kNames[index] : "UNKNOWN";
  }

  void PrintTask(const agent::TaskStatusResponse& task) {
    std::cout << (flags_.json ? TaskJson(task).dump() + "\n" : TaskText(task));
  }

  agent::LoadRequest LoadRequest() const {
    agent::LoadRequest request;
    request.set_start_date(flags_.from);
    request.set_end_date(flags_.to);
    request.set_force(flags_.force);
    return request;
  }

  int Load() {
    agent::LoadResponse response;
    auto context = NewContext();
    grpc::Status status = stub_->LoadRange(context.get(), LoadRequest(), &response);
    if (!status.ok()) {
      if (response.has_status()) PrintTask(response.status());
      if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
          status.error_code() == grpc::StatusCode::CANCELLED) {
        std::cerr << "note: the server cancels the load's task when the call ends early; "
                     "`ghloader client tasks` lists it\n";
      }
      return Fail(status);
    }
    if (flags_.json) {
      nlohmann::json out = {{"inserted_count", response.inserted_count()},
                            {"task_id", response.task_id()},
                            {"status", TaskJson(response.status())}};
      std::cout << out.dump() << "\n";
    } else {
      std::cout << "inserted " << response.inserted_count() << " events\n"
                << TaskText(response.status());
    }
    return kExitOk;
  }

  int AsyncLoad() {
    agent::AsyncLoadResponse response;
    auto context = NewContext();
    grpc::Status status = stub_->AsyncLoadRange(context.get(), LoadRequest(), &response);
    if (!status.ok()) return Fail(status);
    if (flags_.json) {
      nlohmann::json out = {{"task_id", response.task_id()},
                            {"leader_address", response.leader_address()}};
      std::cout << out.dump() << "\n";
    } else {
      std::cout << response.task_id() << "\n";
    }
    return kExitOk;
  }

  int Status() {
    agent::TaskStatusRequest request;
    request.set_task_id(flags_.task_id);
    agent::TaskStatusResponse response;
    auto context = NewContext();
    grpc::Status status = stub_->GetTaskStatus(context.get(), request, &response);
    if (!status.ok()) return Fail(status);
    PrintTask(response);
    return kExitOk;
  }

  int Watch() {
    agent::TaskStatusRequest request;
    request.set_task_id(flags_.task_id);
    auto context = NewContext();
    std::unique_ptr<grpc::ClientReader<agent::TaskStatusResponse>> reader =
        stub_->WatchTask(context.get(), request);
    bool bar = !flags_.json && isatty(STDOUT_FILENO) == 1;

    agent::TaskStatusResponse update;
    agent::TaskStatusResponse last;
    while (reader->Read(&update)) {
      last = update;
      if (flags_.json) {
        std::cout << TaskJson(update).dump() << std::endl;
      } else if (bar) {
        std::cout << "\r\033[K" << ProgressBar(update) << std::flush;
      } else {
        std::cout << ProgressBar(update) << std::endl;
      }
    }
    if (bar) std::cout << "\n";
    grpc::Status status = reader->Finish();
    if (!status.ok()) return Fail(status);
    if (!flags_.json) std::cout << TaskText(last);
    return last.status() == "completed" ? kExitOk : kExitFailed;
  }

  int Tasks() {
    agent::ListTasksRequest request;
    request.set_limit(flags_.limit);
    agent::ListTasksResponse response;
    auto context = NewContext();
    grpc::Status status = stub_->ListTasks(context.get(), request, &response);
    if (!status.ok()) return Fail(status);
    if (flags_.json) {
      nlohmann::json tasks = nlohmann::json::array();
      for (const agent::TaskStatusResponse& task : response.tasks()) tasks.push_back(TaskJson(task));
      std::cout << tasks.dump() << "\n";
      return kExitOk;
    }
    for (const agent::TaskStatusResponse& task : response.tasks()) {
      std::cout << fmt::format("{}  {:<12} {:>5}/{:<5} hours  {:>10} inserted  {} to {}\n",
                               task.task_id(), task.status(), task.urls_done(), task.urls_total(),
                               task.inserted(), TimestampText(task.start_date()),
                               TimestampText(task.end_date()));
    }
    return kExitOk;
  }

  int Cancel() {
    agent::CancelTaskRequest request;
    request.set_task_id(flags_.task_id);
    agent::TaskStatusResponse response;
    auto context = NewContext();
    grpc::Status status = stub_->CancelTask(context.get(), request, &response);
    if (!status.ok()) return Fail(status);
    if (!flags_.json && (response.status() == "pending" || response.status() == "running")) {
      std::cout << "cancel requested; hours in flight finish or are handed back first\n";
    }
    PrintTask(response);
    return kExitOk;
  }

  int Query() {
    agent::UserQuery request;
    request.set_username(flags_.login);
    agent::UserQueryResponse response;
    auto context = NewContext();
    grpc::Status status = stub_->QueryUser(context.get(), request, &response);
    if (!status.ok()) return Fail(status);
    UserStats stats = FromUserQueryResponse(response);
    std::cout << (flags_.json ? UserStatsToJson(stats) + "\n" : UserStatsToText(flags_.login, stats));
    return kExitOk;
  }

  // Calls the standard grpc.health.v1.Health/Check for the whole server.
  // NOTE: the health messages are encoded by hand because Debian's gRPC
  // ships no generated C++ code for health.proto, and two tiny messages do
  // not justify vendoring it: the request is empty (service ""), and the
  // response is field 1, a varint ServingStatus (1 = SERVING).
  int Health() {
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel(flags_.server, grpc::InsecureChannelCredentials());
    grpc::GenericStub stub(channel);
    grpc::CompletionQueue queue;
    auto context = NewContext();
    if (flags_.timeout_seconds <= 0) {
      context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    }

    grpc::Slice empty_message("");
    grpc::ByteBuffer request(&empty_message, 1);
    grpc::ByteBuffer response;
    grpc::Status status;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
        stub.PrepareUnaryCall(context.get(), "/grpc.health.v1.Health/Check", request, &queue);
    call->StartCall();
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    queue.Next(&tag, &ok);
    if (!status.ok()) return Fail(status);

    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (response.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    int serving_status = bytes.size() >= 2 && bytes[0] == '\x08' ? bytes[1] : 0;
    std::string_view name = serving_status == 1 ? "SERVING"
                            : serving_status == 2 ? "NOT_SERVING"
                                                  : "UNKNOWN";
    if (flags_.json) {
      std::cout << nlohmann::json({{"status", name}}).dump() << "\n";
    } else {
      std::cout << name << "\n";
    }
    return serving_status == 1 ? kExitOk : kExitFailed;
  }

  const ClientFlags& flags_;
  std::unique_ptr<agent::MongoLoader::Stub> stub_;
};

}  // namespace

void AddClientCommand(CLI::App& app, ClientFlags& flags) {
  CLI::App* client = app.add_subcommand("client", "Call a running `ghloader serve` over gRPC");
  client->require_subcommand(1);
  client->add_option("--server", flags.server,
                     "Server address HOST:PORT (default from $GHLOADER_SERVER, else "
                     "127.0.0.1:1234)")
      ->capture_default_str();
  client->add_flag("--json", flags.json, "Print JSON instead of text");
  client->add_option("--timeout", flags.timeout_seconds,
                     "Deadline for the call in seconds; 0 waits as long as it takes")
      ->capture_default_str();

  auto add_range = [&flags](CLI::App* command) {
    command->add_option("FROM", flags.from, "YYYY-MM-DD or YYYY-MM-DDTHH")->required();
    command->add_option("TO", flags.to, "YYYY-MM-DD or YYYY-MM-DDTHH, inclusive")->required();
    command->add_flag("--force", flags.force, "Reload hours already loaded");
  };
  auto set_action = [&flags](const char* name) {
    return [&flags, name] { flags.action = name; };
  };

  CLI::App* load = client->add_subcommand("load", "Load a range and wait for it (LoadRange)");
  add_range(load);
  load->callback(set_action("load"));
  CLI::App* async_load = client->add_subcommand(
      "async-load", "Start a background task for a range and print its id (AsyncLoadRange)");
  add_range(async_load);
  async_load->callback(set_action("async-load"));

  for (auto [name, help] : {std::pair{"status", "Print a task's status (GetTaskStatus)"},
                            std::pair{"watch", "Follow a task until it ends (WatchTask)"},
                            std::pair{"cancel", "Cancel a task (CancelTask)"}}) {
    CLI::App* command = client->add_subcommand(name, help);
    command->add_option("TASK_ID", flags.task_id, "Task id from async-load")->required();
    command->callback(set_action(name));
  }

  CLI::App* tasks = client->add_subcommand("tasks", "List the newest tasks (ListTasks)");
  tasks->add_option("--limit", flags.limit, "How many tasks, 1-1000")->capture_default_str();
  tasks->callback(set_action("tasks"));

  CLI::App* query = client->add_subcommand("query", "Print a user's aggregations (QueryUser)");
  query->add_option("LOGIN", flags.login, "GitHub login, matched case-insensitively")->required();
  query->callback(set_action("query"));

  CLI::App* health = client->add_subcommand(
      "health", "Check the server with the standard gRPC health service; exit 0 when SERVING");
  health->callback(set_action("health"));
}

int RunClient(const ClientFlags& flags) {
  // Checked before any channel exists, so a bad value never becomes a name
  // lookup.
  size_t colon = flags.server.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == flags.server.size() ||
      flags.server.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
    std::cerr << "error: invalid --server '" << flags.server
              << "': expected HOST:PORT, e.g. 127.0.0.1:1234\n";
    return kExitUsage;
  }
  if (flags.timeout_seconds < 0) {
    std::cerr << "error: invalid --timeout " << flags.timeout_seconds
              << ": use 0 (no deadline) or a number of seconds\n";
    return kExitUsage;
  }

  Client client(flags);
  return client.Run();
}

}  // namespace ghloader
