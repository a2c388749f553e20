// Archive sources: where hour files come from (the GH Archive web site, a
// mirror, or a local directory) and how their bytes reach the loader.
//
// A source streams one hour file into a ByteSink chunk by chunk, so no file
// is ever held in memory whole. A source makes one attempt per Fetch call;
// retrying transient failures is the caller's policy, because a retry must
// also restart whatever consumed the bytes of the failed attempt.
#ifndef GHLOADER_ARCHIVE_SOURCE_H_
#define GHLOADER_ARCHIVE_SOURCE_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace ghloader {

// What a source found for an hour, passed to the sink before any byte.
struct HourFileInfo {
  std::string location;  // URL or path, for messages.
  bool gzip = true;      // false for a plain `.json` file in a directory.
};

// Receives one hour file. Begin is called once, then Write for each chunk in
// order. An error returned by the sink aborts the fetch with that error.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual absl::Status Begin(const HourFileInfo& info) = 0;
  virtual absl::Status Write(std::string_view bytes) = 0;
};

enum class FetchOutcome {
  kFetched,   // The whole file went to the sink.
  kNotFound,  // The archive has no file for this hour (HTTP 404, no file).
};

// Errors from Fetch use these codes:
//   Unavailable / DeadlineExceeded: transient (connection, timeout, HTTP 5xx);
//     retrying later may succeed.
//   Cancelled: `cancel` became true.
//   any other code: permanent for this hour, or the sink's own error.
class ArchiveSource {
 public:
  virtual ~ArchiveSource() = default;

  virtual absl::StatusOr<FetchOutcome> Fetch(absl::CivilHour hour,
                                             ByteSink& sink,
                                             const std::atomic<bool>& cancel) = 0;

  // A short description for logs, e.g. the base URL.
  virtual std::string Describe() const = 0;
};

// Opens a source from a `--source` value: an http:// or https:// base URL,
// or a local directory. Errors name the value and say what is accepted.
absl::StatusOr<std::unique_ptr<ArchiveSource>> OpenArchiveSource(
    std::string_view location);

// Returns true for errors worth retrying (see the codes above).
bool IsTransientFetchError(const absl::Status& status);

}  // namespace ghloader

#endif  // GHLOADER_ARCHIVE_SOURCE_H_
