// The `ghloader` command line: one function per subcommand, each returning
// the process exit code.
//
// Exit codes: 0 success; 1 the work ran but part of it failed (e.g. an hour
// that could not be loaded) or the store is down; 2 invalid arguments or an
// unusable --store or --source value; 130 interrupted.
#ifndef GHLOADER_CLI_COMMANDS_H_
#define GHLOADER_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

#include <atomic>
#include <string>

#include "absl/status/status.h"

namespace ghloader {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

// Returns the exit code for a store that could not be opened. A wrong
// --store value is kExitUsage. A store that is down or failed is kExitFailed,
// because a later retry may succeed.
inline int ExitCodeForStoreError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kFailedPrecondition:
      return kExitUsage;
    default:
      return kExitFailed;
  }
}

inline constexpr char kDefaultSource[] = "https://data.gharchive.org";

struct LoadFlags {
  std::string from;
  std::string to;
  std::string source = kDefaultSource;
  std::string store;
  int jobs = 4;
  bool force = false;
  bool dry_run = false;
  bool json = false;
  int lease_seconds = 30;
  std::string progress = "auto";
};

struct QueryFlags {
  std::string login;
  std::string store;
  bool json = false;
};

inline constexpr char kDefaultListen[] = "0.0.0.0:1234";
inline constexpr char kDefaultServer[] = "127.0.0.1:1234";

struct ServeFlags {
  std::string listen = kDefaultListen;
  std::string source = kDefaultSource;
  std::string store;
  int jobs = 4;
  int lease_seconds = 30;
  std::string advertise_address;
  int cache_ttl_seconds = 300;
  int cache_max_entries = 10000;
};

struct ClientFlags {
  std::string server = kDefaultServer;
  bool json = false;
  double timeout_seconds = 0;  // 0: no deadline.
  std::string action;          // The client subcommand that was given.
  std::string from;
  std::string to;
  bool force = false;
  std::string task_id;
  std::string login;
  int limit = 20;
};

void AddLoadCommand(CLI::App& app, LoadFlags& flags);
void AddQueryCommand(CLI::App& app, QueryFlags& flags);
void AddServeCommand(CLI::App& app, ServeFlags& flags);
void AddClientCommand(CLI::App& app, ClientFlags& flags);

int RunLoad(const LoadFlags& flags);
int RunQuery(const QueryFlags& flags);
int RunServe(const ServeFlags& flags);
int RunClient(const ClientFlags& flags);

// Set by SIGINT and SIGTERM; long-running commands stop when it turns true.
std::atomic<bool>& StopRequested();
void InstallStopSignalHandlers();

}  // namespace ghloader

#endif  // GHLOADER_CLI_COMMANDS_H_
