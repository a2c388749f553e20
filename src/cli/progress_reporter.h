// Shows how a load is going: on a terminal, one progress line redrawn in
// place (hours done of total, events, MB/s, ETA); otherwise a log line at a
// fixed interval.
#ifndef GHLOADER_CLI_PROGRESS_REPORTER_H_
#define GHLOADER_CLI_PROGRESS_REPORTER_H_

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "loader/load_progress.h"

namespace ghloader {

class ProgressReporter {
 public:
  // Starts reporting `progress` until Stop or destruction.
  ProgressReporter(const LoadProgress& progress, bool terminal,
                   absl::Duration log_interval = absl::Seconds(10));
  ~ProgressReporter();

  void Stop();

  // Formats the current state, e.g.
  // "12/48 hours  1,234,567 events  85.3 MB/s  ETA 0:02:31".
  static std::string FormatLine(int64_t hours_done, int64_t hours_total, int64_t events,
                                double megabytes_per_second, absl::Duration eta);

 private:
  void Run();
  std::string CurrentLine() const;
  void Draw();
  void Clear();

  const LoadProgress& progress_;
  bool terminal_;
  absl::Duration interval_;
  absl::Time started_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ghloader

#endif  // GHLOADER_CLI_PROGRESS_REPORTER_H_
