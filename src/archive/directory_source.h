// An archive source that reads hour files from a local directory laid out
// like the archive: DIR/YYYY-MM-DD-H.json.gz, or DIR/YYYY-MM-DD-H.json for an
// uncompressed copy.
#ifndef GHLOADER_ARCHIVE_DIRECTORY_SOURCE_H_
#define GHLOADER_ARCHIVE_DIRECTORY_SOURCE_H_

#include <filesystem>
#include <string>

#include "archive/source.h"

namespace ghloader {

class DirectorySource final : public ArchiveSource {
 public:
  explicit DirectorySource(std::filesystem::path directory);

  absl::StatusOr<FetchOutcome> Fetch(absl::CivilHour hour, ByteSink& sink,
                                     const std::atomic<bool>& cancel) override;
  std::string Describe() const override { return directory_.string(); }

 private:
  std::filesystem::path directory_;
};

}  // namespace ghloader

#endif  // GHLOADER_ARCHIVE_DIRECTORY_SOURCE_H_
