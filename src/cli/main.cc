// ghloader: loads GH Archive hours into a store and serves per-user queries.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "common/logging.h"
#include "store/store_factory.h"

int main(int argc, char** argv) {
  using namespace ghloader;

  CLI::App app{"Loads GH Archive hours into a store and serves per-user queries.", "ghloader"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "Log level: trace, debug, info, warn, error or off")
      ->capture_default_str();

  const char* store_from_environment = std::getenv("GHLOADER_STORE");
  std::string default_store = store_from_environment != nullptr ? store_from_environment
                                                                : std::string(kDefaultStore);
  LoadFlags load_flags;
  load_flags.store = default_store;
  QueryFlags query_flags;
  query_flags.store = default_store;
  ServeFlags serve_flags;
  serve_flags.store = default_store;
  const char* listen_from_environment = std::getenv("GHLOADER_LISTEN");
  if (listen_from_environment != nullptr) serve_flags.listen = listen_from_environment;
  ClientFlags client_flags;
  const char* server_from_environment = std::getenv("GHLOADER_SERVER");
  if (server_from_environment != nullptr) client_flags.server = server_from_environment;

  AddLoadCommand(app, load_flags);
  AddQueryCommand(app, query_flags);
  AddServeCommand(app, serve_flags);
  AddClientCommand(app, client_flags);

  // Options of a command may also follow its subcommand, e.g.
  // `ghloader client query octocat --json`.
  for (CLI::App* command : app.get_subcommands({})) {
    command->fallthrough();
    for (CLI::App* subcommand : command->get_subcommands({})) subcommand->fallthrough();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    std::cerr << "error: " << error.what() << "\n";
    // CLI11 checks required options before unknown arguments, so a mistyped
    // flag or subcommand would otherwise show up only as a missing option.
    std::vector<std::string> unknown = app.remaining(true);
    bool already_listed = dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr;
    if (!unknown.empty() && !already_listed) {
      std::cerr << "error: unrecognized arguments:";
      for (const std::string& argument : unknown) std::cerr << " '" << argument << "'";
      std::cerr << "\n";
    }
    std::cerr << "Run 'ghloader --help' for usage.\n";
    return kExitUsage;
  }

  absl::Status logging = InitLogging(log_level);
  if (!logging.ok()) {
    std::cerr << "error: " << logging.message() << "\n";
    return kExitUsage;
  }

  if (app.got_subcommand("load")) return RunLoad(load_flags);
  if (app.got_subcommand("query")) return RunQuery(query_flags);
  if (app.got_subcommand("serve")) return RunServe(serve_flags);
  if (app.got_subcommand("client")) return RunClient(client_flags);
  return kExitUsage;
}
