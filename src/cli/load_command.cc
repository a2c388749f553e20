// `ghloader load`: loads a range of hours and prints a summary.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "archive/hour.h"
#include "archive/source.h"
#include "cli/commands.h"
#include "cli/progress_reporter.h"
#include "loader/range_loader.h"
#include "store/discard_event_store.h"
#include "store/store_factory.h"

namespace ghloader {
namespace {

constexpr int kMaxJobs = 64;

void OnStopSignal(int) {
  if (StopRequested().exchange(true)) std::_Exit(kExitInterrupted);
}

std::string SummaryText(const LoadSummary& summary, bool dry_run) {
  std::string out = dry_run ? "dry run: nothing was stored; \"loaded\" and \"stored\" count what a load "
                              "would write\n"
                            : "";
  out += fmt::format(
      "hours:  {} total, {} loaded, {} skipped (already loaded), {} missing, {} failed\n"
      "events: {} stored, {} duplicates ignored, {} lines rejected, {} lines repaired\n"
      "bytes:  {:.1f} MB compressed, {:.1f} MB decompressed\n"
      "time:   {:.2f} s\n",
      summary.hours_total, summary.hours_loaded, summary.hours_skipped, summary.hours_missing,
      summary.hours_failed, summary.events_stored, summary.duplicates, summary.lines_rejected,
      summary.lines_repaired, summary.compressed_bytes / 1e6, summary.decompressed_bytes / 1e6,
      summary.seconds);
  if (!summary.failures.empty()) {
    out += "failed hours:\n";
    for (const HourRecord& failure : summary.failures) {
      out += Concat("  ", failure.hour, ": ", failure.error, "\n");
    }
  }
  if (summary.cancelled) {
    out += "interrupted: hours not yet loaded were left for the next run\n";
  }
  return out;
}

std::string SummaryJson(const LoadSummary& summary, bool dry_run) {
  nlohmann::json failures = nlohmann::json::array();
  for (const HourRecord& failure : summary.failures) {
    failures.push_back({{"hour", failure.hour}, {"error", failure.error}});
  }
  nlohmann::json root = {
      {"hours_total", summary.hours_total},     {"hours_loaded", summary.hours_loaded},
      {"hours_skipped", summary.hours_skipped}, {"hours_missing", summary.hours_missing},
      {"hours_failed", summary.hours_failed},   {"events_stored", summary.events_stored},
      {"duplicates", summary.duplicates},       {"lines_rejected", summary.lines_rejected},
      {"lines_repaired", summary.lines_repaired},
      {"compressed_bytes", summary.compressed_bytes},
      {"decompressed_bytes", summary.decompressed_bytes},
      {"seconds", summary.seconds},             {"failures", failures},
      {"cancelled", summary.cancelled},         {"dry_run", dry_run}};
  return root.dump();
}

bool ShowProgressLine(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  return isatty(STDERR_FILENO) == 1;
}

}  // namespace

std::atomic<bool>& StopRequested() {
  static std::atomic<bool> stop{false};
  return stop;
}

void InstallStopSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void AddLoadCommand(CLI::App& app, LoadFlags& flags) {
  CLI::App* load = app.add_subcommand("load", "Load a range of GH Archive hours into the store");
  load->add_option("--from", flags.from,
                   "First hour: YYYY-MM-DD (from 00:00) or YYYY-MM-DDTHH, as in archive file "
                   "names (UTC from 2015, US Pacific before)")
      ->required();
  load->add_option("--to", flags.to,
                   "Last hour, inclusive: YYYY-MM-DD (to 23:00) or YYYY-MM-DDTHH")
      ->required();
  load->add_option("--source", flags.source,
                   "Archive base URL (http or https) or a local directory of hour files")
      ->capture_default_str();
  load->add_option("--store", flags.store,
                   "Where events go: sqlite:PATH or mongodb://HOST/DATABASE (default from $GHLOADER_STORE, else "
                   "sqlite:ghloader.db)")
      ->capture_default_str();
  load->add_option("--jobs", flags.jobs, "Hours loaded in parallel, 1-64")->capture_default_str();
  load->add_flag("--force", flags.force, "Reload hours that the ledger has as loaded");
  load->add_flag("--dry-run", flags.dry_run,
                 "Download, decompress and parse, but store nothing and leave the ledger alone");
  load->add_flag("--json", flags.json, "Print the summary as JSON");
  load->add_option("--lease-seconds", flags.lease_seconds,
                   "How long a claimed hour stays reserved for this process without renewal; "
                   "after a crash, the next run waits at most this long for the hours in flight")
      ->capture_default_str();
  load->add_option("--progress", flags.progress,
                   "Progress display: auto (a line on a terminal, else log lines), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

int RunLoad(const LoadFlags& flags) {
  absl::StatusOr<HourRange> range =
      ParseHourRange(flags.from, flags.to, absl::Now(), {"--from", "--to"});
  if (!range.ok()) {
    std::cerr << "error: " << range.status().message() << "\n";
    return kExitUsage;
  }
  if (flags.jobs < 1 || flags.jobs > kMaxJobs) {
    std::cerr << "error: invalid --jobs " << flags.jobs << ": use a number from 1 to "
              << kMaxJobs << "\n";
    return kExitUsage;
  }
  if (flags.lease_seconds < 5) {
    std::cerr << "error: invalid --lease-seconds " << flags.lease_seconds
              << ": use 5 seconds or more\n";
    return kExitUsage;
  }

  absl::StatusOr<std::unique_ptr<ArchiveSource>> source = OpenArchiveSource(flags.source);
  if (!source.ok()) {
    std::cerr << "error: " << source.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<EventStore>> store =
      flags.dry_run ? std::make_unique<DiscardEventStore>() : OpenEventStore(flags.store);
  if (!store.ok()) {
    std::cerr << "error: " << store.status().message() << "\n";
    return ExitCodeForStoreError(store.status());
  }

  RangeLoadOptions options;
  options.range = *range;
  options.jobs = flags.jobs;
  options.force = flags.force;
  options.owner = MakeLeaseOwner();
  options.hour.lease_duration = absl::Seconds(flags.lease_seconds);

  spdlog::info("load of {} hours ({} to {}) from {} into {} with {} jobs, lease owner {}",
               range->size(), HourFileStem(range->first), HourFileStem(range->last),
               (*source)->Describe(), (*store)->Describe(), flags.jobs, options.owner);

  InstallStopSignalHandlers();
  LoadProgress progress;
  RangeLoader loader(**source, **store);
  LoadSummary summary;
  {
    ProgressReporter reporter(progress, ShowProgressLine(flags.progress));
    summary = loader.Run(options, StopRequested(), progress);
  }

  std::cout << (flags.json ? SummaryJson(summary, flags.dry_run) + "\n"
                         : SummaryText(summary, flags.dry_run));
  std::cout.flush();
  if (summary.cancelled) return kExitInterrupted;
  return summary.hours_failed > 0 ? kExitFailed : kExitOk;
}

}  // namespace ghloader
