// `ghloader query`: prints one user's aggregations from the store.
#include <iostream>

#include "common/strings.h"
#include "cli/commands.h"
#include "cli/user_stats_output.h"
#include "store/store_factory.h"

namespace ghloader {

void AddQueryCommand(CLI::App& app, QueryFlags& flags) {
  CLI::App* query = app.add_subcommand(
      "query", "Print a user's event counts by type and by month, and the repositories pushed to");
  query->add_option("LOGIN", flags.login, "GitHub login, matched case-insensitively")->required();
  query->add_option("--store", flags.store, "Store to read: sqlite:PATH or mongodb://HOST/DATABASE")->capture_default_str();
  query->add_flag("--json", flags.json,
                  "Print JSON: {\"events\":[...],\"events_by_ym\":[...],\"pushed_to\":[...]}");
}

int RunQuery(const QueryFlags& flags) {
  std::string_view login = TrimAsciiWhitespace(flags.login);
  if (login.empty()) {
    std::cerr << "error: LOGIN is empty; give a GitHub login such as octocat\n";
    return kExitUsage;
  }

  absl::StatusOr<std::unique_ptr<EventStore>> store =
      OpenEventStore(flags.store, {.create_if_missing = false});
  if (!store.ok()) {
    std::cerr << "error: " << store.status().message() << "\n";
    return ExitCodeForStoreError(store.status());
  }

  absl::StatusOr<UserStats> stats = (*store)->QueryUser(login);
  if (!stats.ok()) {
    std::cerr << "error: query of '" << login << "' in " << (*store)->Describe()
              << " failed: " << stats.status().message() << "\n";
    return kExitFailed;
  }
  std::cout << (flags.json ? UserStatsToJson(*stats) + "\n" : UserStatsToText(login, *stats));
  return kExitOk;
}

}  // namespace ghloader
