#include "archive/hour.h"

#include <charconv>

#include "absl/status/status.h"
#include "common/strings.h"

namespace ghloader {
namespace {

constexpr std::string_view kRangeFormatHint =
    "expected YYYY-MM-DD (a whole UTC day) or YYYY-MM-DDTHH (one hour, 00-23)";

// Reads exactly `text.size()` decimal digits; no sign, no spaces.
bool ReadDigits(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc();
}

std::string FormatHour(absl::CivilHour hour) {
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}", hour.year(), hour.month(),
                     hour.day(), hour.hour());
}

// Checks that year, month and day name a real calendar day (absl::CivilDay
// silently normalizes 2015-02-30 to 2015-03-02, which we must not accept).
absl::Status CheckCalendarDay(int year, int month, int day,
                              std::string_view value, std::string_view flag) {
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(Concat(
        "invalid ", flag, " value '", value, "': month must be 01-12; ",
        kRangeFormatHint));
  }
  absl::CivilDay civil(year, month, day);
  if (day < 1 || civil.day() != day || civil.month() != month) {
    return absl::InvalidArgumentError(
        Concat("invalid ", flag, " value '", value, "': ", year, "-",
                     fmt::format("{:02d}", month), " has no day ", day,
                     "; ", kRangeFormatHint));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<absl::CivilHour> HourRange::Hours() const {
  std::vector<absl::CivilHour> hours;
  hours.reserve(static_cast<size_t>(size()));
  for (absl::CivilHour hour = first; hour <= last; ++hour) hours.push_back(hour);
  return hours;
}

std::string HourFileStem(absl::CivilHour hour) {
  return fmt::format("{:04d}-{:02d}-{:02d}-{}", hour.year(), hour.month(),
                     hour.day(), hour.hour());
}

absl::StatusOr<absl::CivilHour> ParseHourFileStem(std::string_view stem) {
  // "YYYY-MM-DD-H" or "YYYY-MM-DD-HH".
  int year = 0, month = 0, day = 0, hour = 0;
  bool shape_ok = (stem.size() == 12 || stem.size() == 13) &&
                  stem[4] == '-' && stem[7] == '-' && stem[10] == '-' &&
                  ReadDigits(stem.substr(0, 4), year) &&
                  ReadDigits(stem.substr(5, 2), month) &&
                  ReadDigits(stem.substr(8, 2), day) &&
                  ReadDigits(stem.substr(11), hour);
  if (!shape_ok || hour > 23) {
    return absl::InvalidArgumentError(Concat(
        "invalid hour file name '", stem, "': expected YYYY-MM-DD-H"));
  }
  absl::Status day_status = CheckCalendarDay(year, month, day, stem, "hour file");
  if (!day_status.ok()) return day_status;
  return absl::CivilHour(year, month, day, hour);
}

absl::StatusOr<absl::CivilHour> ParseRangeEnd(std::string_view value,
                                              bool is_end,
                                              std::string_view flag) {
  int year = 0, month = 0, day = 0, hour = 0;
  bool has_hour = value.size() == 13;
  bool shape_ok = (value.size() == 10 || has_hour) && value[4] == '-' &&
                  value[7] == '-' && ReadDigits(value.substr(0, 4), year) &&
                  ReadDigits(value.substr(5, 2), month) &&
                  ReadDigits(value.substr(8, 2), day);
  if (shape_ok && has_hour) {
    shape_ok = value[10] == 'T' && ReadDigits(value.substr(11, 2), hour);
  }
  if (!shape_ok) {
    return absl::InvalidArgumentError(Concat(
        "invalid ", flag, " value '", value, "': ", kRangeFormatHint));
  }

  absl::Status day_status = CheckCalendarDay(year, month, day, value, flag);
  if (!day_status.ok()) return day_status;
  if (hour > 23) {
    return absl::InvalidArgumentError(Concat(
        "invalid ", flag, " value '", value, "': hour must be 00-23; ",
        kRangeFormatHint));
  }

  if (!has_hour && is_end) hour = 23;
  return absl::CivilHour(year, month, day, hour);
}

absl::StatusOr<HourRange> ParseHourRange(std::string_view from,
                                         std::string_view to, absl::Time now,
                                         RangeEndNames names) {
  absl::StatusOr<absl::CivilHour> first = ParseRangeEnd(from, false, names.from);
  if (!first.ok()) return first.status();
  absl::StatusOr<absl::CivilHour> last = ParseRangeEnd(to, true, names.to);
  if (!last.ok()) return last.status();

  if (*first > *last) {
    return absl::InvalidArgumentError(
        Concat(names.from, " ", from, " is after ", names.to, " ", to,
                     "; swap them or pick an end at or after the start"));
  }
  if (*first < kFirstArchiveHour) {
    return absl::InvalidArgumentError(Concat(
        names.from, " ", from, " is before ", FormatHour(kFirstArchiveHour),
        ", the first hour GH Archive has; start at 2011-02-12 or later"));
  }

  // GH Archive publishes an hour's file after the hour ends, so the current
  // hour cannot be loaded yet either.
  absl::CivilHour current_hour = absl::ToCivilHour(now, absl::UTCTimeZone());
  if (*last >= current_hour) {
    return absl::InvalidArgumentError(Concat(
        "range ", from, "..", to, " reaches into the future: its last hour ",
        FormatHour(*last), " has not ended yet (the current UTC hour is ",
        FormatHour(current_hour), "); end the range at ",
        FormatHour(current_hour - 1), " or earlier"));
  }
  return HourRange{*first, *last};
}

}  // namespace ghloader
