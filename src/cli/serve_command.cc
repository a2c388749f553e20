// `ghloader serve`: the gRPC service with background load tasks.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "api/grpc_server.h"
#include "api/loader_service.h"
#include "archive/source.h"
#include "cache/in_process_cache.h"
#include "cli/commands.h"
#include "common/strings.h"
#include "loader/range_loader.h"
#include "common/uri.h"
#include "store/store_factory.h"
#include "tasks/task_runner.h"

namespace ghloader {
namespace {

constexpr absl::Duration kShutdownGrace = absl::Seconds(5);
constexpr absl::Duration kMaxStoreBackoff = absl::Seconds(30);

// Opens the stores, waiting out a store that is not up yet.
absl::StatusOr<Stores> OpenStoresWithRetry(const std::string& uri) {
  absl::Duration backoff = absl::Seconds(1);
  while (true) {
    absl::StatusOr<Stores> stores = OpenStores(uri);
    if (stores.ok() || !absl::IsUnavailable(stores.status())) return stores;
    spdlog::warn("store {} is unavailable: {}; retrying in {}", RedactUriPassword(uri),
                 stores.status().message(),
                 absl::FormatDuration(backoff));
    if (!SleepUnlessCancelled(backoff, StopRequested())) {
      return absl::CancelledError("stopped while waiting for the store");
    }
    backoff = std::min(backoff * 2, kMaxStoreBackoff);
  }
}

// "0.0.0.0:1234" is not an address other hosts can dial; use the host name.
std::string AdvertisedAddress(const std::string& listen, const std::string& advertise) {
  if (!advertise.empty()) return advertise;
  size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host == "0.0.0.0" || host == "[::]" || host.empty()) {
    char name[256] = {};
    gethostname(name, sizeof(name) - 1);
    return Concat(name, listen.substr(colon));
  }
  return listen;
}

}  // namespace

void AddServeCommand(CLI::App& app, ServeFlags& flags) {
  CLI::App* serve = app.add_subcommand("serve", "Run the gRPC service (MongoLoader)");
  serve->add_option("--listen", flags.listen,
                    "Address to listen on, HOST:PORT (default from $GHLOADER_LISTEN, else "
                    "0.0.0.0:1234)")
      ->capture_default_str();
  serve->add_option("--source", flags.source,
                    "Archive base URL (http or https) or a local directory of hour files")
      ->capture_default_str();
  serve->add_option("--store", flags.store, "Where events and tasks go: sqlite:PATH or mongodb://HOST/DATABASE")
      ->capture_default_str();
  serve->add_option("--jobs", flags.jobs, "Hours loaded in parallel by this process, 1-64")
      ->capture_default_str();
  serve->add_option("--lease-seconds", flags.lease_seconds,
                    "How long a claimed hour stays reserved without renewal; after a crash, "
                    "the restarted service takes its hours over after this long")
      ->capture_default_str();
  serve->add_option("--advertise-address", flags.advertise_address,
                    "Address other replicas and clients use to reach this one (default: "
                    "--listen, with the host name for 0.0.0.0)");
  serve->add_option("--cache-ttl-seconds", flags.cache_ttl_seconds,
                    "How long a QueryUser answer is cached; 0 turns the cache off")
      ->capture_default_str();
  serve->add_option("--cache-max-entries", flags.cache_max_entries,
                    "Maximum cached QueryUser answers")
      ->capture_default_str();
}

int RunServe(const ServeFlags& flags) {
  if (flags.jobs < 1 || flags.jobs > 64) {
    std::cerr << "error: invalid --jobs " << flags.jobs << ": use a number from 1 to 64\n";
    return kExitUsage;
  }
  if (flags.lease_seconds < 5) {
    std::cerr << "error: invalid --lease-seconds " << flags.lease_seconds
              << ": use 5 seconds or more\n";
    return kExitUsage;
  }
  if (flags.cache_ttl_seconds < 0 || flags.cache_max_entries < 0) {
    std::cerr << "error: --cache-ttl-seconds and --cache-max-entries must be 0 or more\n";
    return kExitUsage;
  }
  if (flags.listen.rfind(':') == std::string::npos) {
    std::cerr << "error: invalid --listen '" << flags.listen
              << "': expected HOST:PORT, e.g. 127.0.0.1:1234\n";
    return kExitUsage;
  }

  absl::StatusOr<std::unique_ptr<ArchiveSource>> source = OpenArchiveSource(flags.source);
  if (!source.ok()) {
    std::cerr << "error: " << source.status().message() << "\n";
    return kExitUsage;
  }
  InstallStopSignalHandlers();
  absl::StatusOr<Stores> stores = OpenStoresWithRetry(flags.store);
  if (!stores.ok()) {
    std::cerr << "error: " << stores.status().message() << "\n";
    return absl::IsCancelled(stores.status()) ? kExitInterrupted
                                               : ExitCodeForStoreError(stores.status());
  }

  InProcessCache cache(absl::Seconds(flags.cache_ttl_seconds),
                       static_cast<size_t>(flags.cache_max_entries));
  TaskRunnerOptions runner_options;
  runner_options.workers = flags.jobs;
  runner_options.owner = MakeLeaseOwner();
  runner_options.hour.lease_duration = absl::Seconds(flags.lease_seconds);
  TaskRunner runner(**source, *stores->events, *stores->tasks, &cache, runner_options);

  std::string advertised = AdvertisedAddress(flags.listen, flags.advertise_address);
  LoaderService service(runner, *stores->events, *stores->tasks, &cache, {advertised});
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(flags.listen, service);
  if (!server.ok()) {
    std::cerr << "error: " << server.status().message() << "\n";
    return kExitUsage;
  }

  spdlog::info("serving MongoLoader on {} (advertised as {}); source {}; store {}; {} jobs; "
               "lease {} s; replica {}; cache ttl {} s, {} entries",
               flags.listen, advertised, (*source)->Describe(), stores->events->Describe(),
               flags.jobs, flags.lease_seconds, runner_options.owner, flags.cache_ttl_seconds,
               flags.cache_max_entries);
  runner.Start();

  std::thread stopper([&] {
    while (!StopRequested().load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    spdlog::info("stopping: no new hours; hours in flight are handed back");
    runner.Stop();
    (*server)->Shutdown(kShutdownGrace);
  });
  (*server)->Wait();
  stopper.join();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace ghloader
