// Archive hours and hour ranges: how GH Archive names its files and which
// hours a user-supplied range covers.
//
// GH Archive publishes one file per hour, named `YYYY-MM-DD-H.json.gz` with
// the hour not zero-padded. Files before 2015 are named by the US Pacific
// hour, later ones by the UTC hour; ranges address files by these names and
// do no time-zone conversion. Events keep their own `created_at`, which the
// event parser converts to UTC.
//
//   absl::StatusOr<HourRange> range =
//       ParseHourRange("2015-01-01", "2015-01-02T03", absl::Now());
//   for (absl::CivilHour hour : range->Hours()) FetchHour(HourFileStem(hour));
#ifndef GHLOADER_ARCHIVE_HOUR_H_
#define GHLOADER_ARCHIVE_HOUR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace ghloader {

// The first hour GH Archive has data for.
inline constexpr absl::CivilHour kFirstArchiveHour{2011, 2, 12, 0};

// An inclusive range of archive hours, first <= last.
struct HourRange {
  absl::CivilHour first;
  absl::CivilHour last;

  int64_t size() const { return (last - first) + 1; }
  std::vector<absl::CivilHour> Hours() const;
};

// Returns the file name stem of an hour, e.g. "2015-01-01-5".
std::string HourFileStem(absl::CivilHour hour);

// Parses a stem such as "2015-01-01-5" (also accepts a zero-padded hour).
absl::StatusOr<absl::CivilHour> ParseHourFileStem(std::string_view stem);

// Parses one end of a range: `YYYY-MM-DD` (a whole day) or `YYYY-MM-DDTHH`
// (one hour). `is_end` selects the last hour of a day instead of the first.
// `flag` names the value in error messages, e.g. "--from".
absl::StatusOr<absl::CivilHour> ParseRangeEnd(std::string_view value,
                                              bool is_end,
                                              std::string_view flag);

// How the two ends of a range are called where the user typed them, e.g.
// "--from"/"--to" on the command line or "start_date"/"end_date" over gRPC.
struct RangeEndNames {
  std::string_view from = "FROM";
  std::string_view to = "TO";
};

// Parses and validates FROM and TO. Rejects malformed values, FROM after TO,
// ranges before kFirstArchiveHour and ranges whose last hour has not ended
// at `now`. Errors are InvalidArgument with a message naming the value.
absl::StatusOr<HourRange> ParseHourRange(std::string_view from,
                                         std::string_view to, absl::Time now,
                                         RangeEndNames names = {});

}  // namespace ghloader

#endif  // GHLOADER_ARCHIVE_HOUR_H_
