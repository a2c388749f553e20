// An archive source that downloads hour files over HTTP(S) with libcurl.
#ifndef GHLOADER_ARCHIVE_HTTP_SOURCE_H_
#define GHLOADER_ARCHIVE_HTTP_SOURCE_H_

#include <string>

#include "archive/source.h"
#include "common/uri.h"

namespace ghloader {

struct HttpSourceOptions {
  long connect_timeout_seconds = 15;
  // A transfer slower than 1 byte/s for this long counts as timed out. A
  // whole-transfer limit would cut off large hours on slow links.
  long stall_timeout_seconds = 60;
};

class HttpSource final : public ArchiveSource {
 public:
  // `base_url` is e.g. "https://data.gharchive.org"; the hour's file name is
  // appended after a '/'.
  explicit HttpSource(std::string base_url, HttpSourceOptions options = {});

  absl::StatusOr<FetchOutcome> Fetch(absl::CivilHour hour, ByteSink& sink,
                                     const std::atomic<bool>& cancel) override;
  std::string Describe() const override { return RedactUriPassword(base_url_); }

 private:
  std::string base_url_;
  HttpSourceOptions options_;
};

}  // namespace ghloader

#endif  // GHLOADER_ARCHIVE_HTTP_SOURCE_H_
