#include "archive/directory_source.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "common/strings.h"
#include "archive/hour.h"

namespace ghloader {
namespace {

constexpr size_t kReadChunkBytes = 1 << 20;

}  // namespace

DirectorySource::DirectorySource(std::filesystem::path directory)
    : directory_(std::move(directory)) {}

absl::StatusOr<FetchOutcome> DirectorySource::Fetch(
    absl::CivilHour hour, ByteSink& sink, const std::atomic<bool>& cancel) {
  std::string stem = HourFileStem(hour);
  std::filesystem::path path = directory_ / (stem + ".json.gz");
  bool gzip = true;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    path = directory_ / (stem + ".json");
    gzip = false;
    if (!std::filesystem::exists(path, error)) return FetchOutcome::kNotFound;
  }

  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::PermissionDeniedError(Concat(
        "cannot open ", path.string(), ": ", std::strerror(errno)));
  }
  absl::Status began = sink.Begin({path.string(), gzip});
  if (!began.ok()) return began;

  std::vector<char> chunk(kReadChunkBytes);
  while (file) {
    if (cancel.load(std::memory_order_relaxed)) {
      return absl::CancelledError(Concat("read of ", path.string(), " cancelled"));
    }
    file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    std::streamsize count = file.gcount();
    if (count <= 0) break;
    absl::Status written = sink.Write(std::string_view(chunk.data(), static_cast<size_t>(count)));
    if (!written.ok()) return written;
  }
  if (file.bad()) {
    return absl::DataLossError(Concat("read of ", path.string(), " failed: ",
                                            std::strerror(errno)));
  }
  return FetchOutcome::kFetched;
}

}  // namespace ghloader
