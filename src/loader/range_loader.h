// Loads a range of archive hours with a bounded number of parallel workers,
// skipping hours the ledger already has as loaded.
#ifndef GHLOADER_LOADER_RANGE_LOADER_H_
#define GHLOADER_LOADER_RANGE_LOADER_H_

#include <atomic>
#include <string>
#include <vector>

#include "archive/hour.h"
#include "loader/hour_loader.h"

namespace ghloader {

struct RangeLoadOptions {
  HourRange range;
  int jobs = 4;        // Hours loaded at once.
  bool force = false;  // Reload hours the ledger has as loaded.
  std::string owner;   // Lease owner, see MakeLeaseOwner.
  HourLoadOptions hour;
};

struct LoadSummary {
  int64_t hours_total = 0;
  int64_t hours_loaded = 0;
  int64_t hours_skipped = 0;  // Already loaded.
  int64_t hours_missing = 0;
  int64_t hours_failed = 0;   // Includes hours held by another loader.
  int64_t events_stored = 0;
  int64_t duplicates = 0;
  int64_t lines_rejected = 0;
  int64_t lines_repaired = 0;
  int64_t compressed_bytes = 0;
  int64_t decompressed_bytes = 0;
  double seconds = 0;
  std::vector<HourRecord> failures;
  bool cancelled = false;
};

class RangeLoader {
 public:
  RangeLoader(ArchiveSource& source, EventStore& store) : source_(source), store_(store) {}

  LoadSummary Run(const RangeLoadOptions& options, const std::atomic<bool>& cancel,
                  LoadProgress& progress);

 private:
  ArchiveSource& source_;
  EventStore& store_;
};

// Returns a lease owner id unique to this process: "host/pid/random".
std::string MakeLeaseOwner();

}  // namespace ghloader

#endif  // GHLOADER_LOADER_RANGE_LOADER_H_
