// Live counters of a running load, updated by the workers and read by the
// progress line, the logs and (later) task status.
#ifndef GHLOADER_LOADER_LOAD_PROGRESS_H_
#define GHLOADER_LOADER_LOAD_PROGRESS_H_

#include <atomic>
#include <cstdint>

namespace ghloader {

struct LoadProgress {
  std::atomic<int64_t> hours_total{0};
  std::atomic<int64_t> hours_done{0};  // Loaded, skipped, missing or failed.
  std::atomic<int64_t> events_stored{0};
  std::atomic<int64_t> compressed_bytes{0};
  std::atomic<int64_t> decompressed_bytes{0};
};

}  // namespace ghloader

#endif  // GHLOADER_LOADER_LOAD_PROGRESS_H_
