#include "archive/source.h"

#include <filesystem>

#include "common/strings.h"
#include "archive/directory_source.h"
#include "archive/http_source.h"

namespace ghloader {

absl::StatusOr<std::unique_ptr<ArchiveSource>> OpenArchiveSource(
    std::string_view location) {
  if (location.starts_with("http://") || location.starts_with("https://")) {
    return std::make_unique<HttpSource>(std::string(location));
  }
  if (location.find("://") != std::string_view::npos) {
    return absl::InvalidArgumentError(Concat(
        "unsupported --source '", location,
        "': use an http:// or https:// base URL or a local directory"));
  }
  std::error_code error;
  if (!std::filesystem::is_directory(location, error)) {
    return absl::InvalidArgumentError(Concat(
        "--source '", location,
        "' is not a directory; give a directory of hour files "
        "(YYYY-MM-DD-H.json.gz) or an http(s):// base URL"));
  }
  return std::make_unique<DirectorySource>(std::filesystem::path(location));
}

bool IsTransientFetchError(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

}  // namespace ghloader
