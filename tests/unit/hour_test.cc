// Tests for archive hours: hour file names and the ranges that `load --from
// --to` accepts or rejects.
#include "archive/hour.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/strings.h"

namespace ghloader {
namespace {

using ::testing::HasSubstr;

// A fixed "now" keeps the future-range checks independent of the clock:
// 2024-06-15 12:34:56 UTC, so the current hour is 2024-06-15T12.
absl::Time FixedNow() {
  return absl::FromCivil(absl::CivilSecond(2024, 6, 15, 12, 34, 56), absl::UTCTimeZone());
}

std::string Message(const absl::Status& status) { return std::string(ToStdView(status.message())); }

TEST(HourFileStemTest, HourIsNotZeroPadded) {
  EXPECT_EQ(HourFileStem(absl::CivilHour(2015, 1, 1, 0)), "2015-01-01-0");
  EXPECT_EQ(HourFileStem(absl::CivilHour(2015, 1, 1, 5)), "2015-01-01-5");
  EXPECT_EQ(HourFileStem(absl::CivilHour(2015, 1, 1, 15)), "2015-01-01-15");
  EXPECT_EQ(HourFileStem(absl::CivilHour(2011, 2, 12, 23)), "2011-02-12-23");
}

TEST(HourFileStemTest, MonthAndDayAreZeroPadded) {
  EXPECT_EQ(HourFileStem(absl::CivilHour(2012, 6, 4, 9)), "2012-06-04-9");
}

TEST(ParseHourFileStemTest, ReadsStemsBothWays) {
  absl::StatusOr<absl::CivilHour> plain = ParseHourFileStem("2015-01-01-5");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, absl::CivilHour(2015, 1, 1, 5));

  absl::StatusOr<absl::CivilHour> padded = ParseHourFileStem("2015-01-01-05");
  ASSERT_TRUE(padded.ok()) << padded.status();
  EXPECT_EQ(*padded, absl::CivilHour(2015, 1, 1, 5));

  absl::StatusOr<absl::CivilHour> late = ParseHourFileStem("2015-01-01-23");
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(*late, absl::CivilHour(2015, 1, 1, 23));
}

TEST(ParseHourFileStemTest, RoundTripsEveryHourOfADay) {
  for (int hour = 0; hour < 24; ++hour) {
    absl::CivilHour civil(2016, 2, 29, hour);
    absl::StatusOr<absl::CivilHour> parsed = ParseHourFileStem(HourFileStem(civil));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, civil);
  }
}

TEST(ParseHourFileStemTest, RejectsMalformedStems) {
  for (std::string_view stem :
       {"", "2015-01-01", "2015-01-01-", "2015-01-01-24", "2015-01-01-123", "2015-1-01-5",
        "2015-01-1-5", "2015/01/01-5", "2015-01-01T05", "2015-01-01-+5", "2015-01-01-x",
        "2015-13-01-5", "2015-00-01-5", "2015-02-29-0", "2015-04-31-0", "2015-01-00-0"}) {
    absl::StatusOr<absl::CivilHour> parsed = ParseHourFileStem(stem);
    EXPECT_FALSE(parsed.ok()) << "accepted '" << stem << "'";
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(Message(parsed.status()), HasSubstr(std::string(stem)));
    }
  }
}

TEST(ParseRangeEndTest, DayStartsAtHourZeroAndEndsAtHour23) {
  absl::StatusOr<absl::CivilHour> start = ParseRangeEnd("2015-01-01", false, "--from");
  ASSERT_TRUE(start.ok()) << start.status();
  EXPECT_EQ(*start, absl::CivilHour(2015, 1, 1, 0));

  absl::StatusOr<absl::CivilHour> end = ParseRangeEnd("2015-01-01", true, "--to");
  ASSERT_TRUE(end.ok()) << end.status();
  EXPECT_EQ(*end, absl::CivilHour(2015, 1, 1, 23));
}

TEST(ParseRangeEndTest, HourFormIsOneHourAtEitherEnd) {
  absl::StatusOr<absl::CivilHour> start = ParseRangeEnd("2015-01-01T07", false, "--from");
  ASSERT_TRUE(start.ok()) << start.status();
  EXPECT_EQ(*start, absl::CivilHour(2015, 1, 1, 7));

  absl::StatusOr<absl::CivilHour> end = ParseRangeEnd("2015-01-01T07", true, "--to");
  ASSERT_TRUE(end.ok()) << end.status();
  EXPECT_EQ(*end, absl::CivilHour(2015, 1, 1, 7));
}

TEST(ParseRangeEndTest, AcceptsFebruary29OfLeapYears) {
  absl::StatusOr<absl::CivilHour> leap = ParseRangeEnd("2016-02-29", false, "--from");
  ASSERT_TRUE(leap.ok()) << leap.status();
  EXPECT_EQ(*leap, absl::CivilHour(2016, 2, 29, 0));

  absl::StatusOr<absl::CivilHour> century = ParseRangeEnd("2000-02-29T03", false, "--from");
  ASSERT_TRUE(century.ok()) << century.status();
  EXPECT_EQ(*century, absl::CivilHour(2000, 2, 29, 3));
}

TEST(ParseRangeEndTest, RejectsFebruary29OfCommonYears) {
  absl::StatusOr<absl::CivilHour> parsed = ParseRangeEnd("2015-02-29", false, "--from");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(parsed.status()), HasSubstr("--from"));
  EXPECT_THAT(Message(parsed.status()), HasSubstr("'2015-02-29'"));
  EXPECT_THAT(Message(parsed.status()), HasSubstr("has no day 29"));

  // 2100 is not a leap year although it is divisible by 4.
  EXPECT_FALSE(ParseRangeEnd("2100-02-29", false, "--from").ok());
}

TEST(ParseRangeEndTest, RejectsInvalidMonthDayAndHour) {
  struct Case {
    std::string_view value;
    std::string_view reason;
  };
  for (const Case& test_case : {Case{"2015-13-01", "month must be 01-12"},
                                Case{"2015-00-10", "month must be 01-12"},
                                Case{"2015-04-31", "has no day 31"},
                                Case{"2015-01-32", "has no day 32"},
                                Case{"2015-01-00", "has no day 0"},
                                Case{"2015-01-01T24", "hour must be 00-23"},
                                Case{"2015-01-01T99", "hour must be 00-23"}}) {
    absl::StatusOr<absl::CivilHour> parsed = ParseRangeEnd(test_case.value, false, "--to");
    ASSERT_FALSE(parsed.ok()) << "accepted " << test_case.value;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(parsed.status()), HasSubstr(Concat("'", test_case.value, "'")));
    EXPECT_THAT(Message(parsed.status()), HasSubstr(test_case.reason));
    EXPECT_THAT(Message(parsed.status()), HasSubstr("--to"));
  }
}

TEST(ParseRangeEndTest, RejectsMalformedShapes) {
  for (std::string_view value :
       {"", "2015", "2015-01", "2015-1-01", "2015-01-1", "15-01-01", "2015/01/01",
        "2015-01-01T", "2015-01-01T5", "2015-01-01T005", "2015-01-01 05", "2015-01-01t05",
        "2015-01-01T05:00", "2015-01-01-5", " 2015-01-01", "2015-01-01 ", "+015-01-01",
        "2015-0a-01", "yesterday"}) {
    absl::StatusOr<absl::CivilHour> parsed = ParseRangeEnd(value, false, "--from");
    ASSERT_FALSE(parsed.ok()) << "accepted '" << value << "'";
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(parsed.status()), HasSubstr(Concat("'", value, "'")));
    EXPECT_THAT(Message(parsed.status()), HasSubstr("YYYY-MM-DD"));
  }
}

TEST(ParseHourRangeTest, WholeDaysCoverAllTheirHours) {
  absl::StatusOr<HourRange> range = ParseHourRange("2015-01-01", "2015-01-02", FixedNow());
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->first, absl::CivilHour(2015, 1, 1, 0));
  EXPECT_EQ(range->last, absl::CivilHour(2015, 1, 2, 23));
  EXPECT_EQ(range->size(), 48);

  std::vector<absl::CivilHour> hours = range->Hours();
  ASSERT_EQ(hours.size(), 48u);
  EXPECT_EQ(hours.front(), absl::CivilHour(2015, 1, 1, 0));
  EXPECT_EQ(hours[24], absl::CivilHour(2015, 1, 2, 0));
  EXPECT_EQ(hours.back(), absl::CivilHour(2015, 1, 2, 23));
}

TEST(ParseHourRangeTest, SingleHour) {
  absl::StatusOr<HourRange> range = ParseHourRange("2015-01-01T15", "2015-01-01T15", FixedNow());
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->size(), 1);
  EXPECT_EQ(HourFileStem(range->Hours().front()), "2015-01-01-15");
}

TEST(ParseHourRangeTest, MixesDayAndHourForms) {
  absl::StatusOr<HourRange> range = ParseHourRange("2015-01-01T22", "2015-01-02", FixedNow());
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->size(), 2 + 24);

  absl::StatusOr<HourRange> to_hour = ParseHourRange("2015-01-01", "2015-01-01T02", FixedNow());
  ASSERT_TRUE(to_hour.ok()) << to_hour.status();
  EXPECT_EQ(to_hour->size(), 3);
}

TEST(ParseHourRangeTest, CrossesMonthYearAndLeapDay) {
  absl::StatusOr<HourRange> range = ParseHourRange("2016-02-28T23", "2016-03-01T00", FixedNow());
  ASSERT_TRUE(range.ok()) << range.status();
  std::vector<absl::CivilHour> hours = range->Hours();
  ASSERT_EQ(hours.size(), 26u);
  EXPECT_EQ(HourFileStem(hours[1]), "2016-02-29-0");
  EXPECT_EQ(HourFileStem(hours.back()), "2016-03-01-0");

  absl::StatusOr<HourRange> new_year = ParseHourRange("2014-12-31T23", "2015-01-01T00", FixedNow());
  ASSERT_TRUE(new_year.ok()) << new_year.status();
  EXPECT_EQ(new_year->size(), 2);
}

TEST(ParseHourRangeTest, RejectsFromAfterTo) {
  absl::StatusOr<HourRange> range = ParseHourRange("2015-01-02", "2015-01-01", FixedNow());
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(range.status()), HasSubstr("FROM 2015-01-02 is after TO 2015-01-01"));

  absl::StatusOr<HourRange> hours = ParseHourRange("2015-01-01T05", "2015-01-01T04", FixedNow());
  ASSERT_FALSE(hours.ok());
  EXPECT_THAT(Message(hours.status()), HasSubstr("2015-01-01T05"));
}

TEST(ParseHourRangeTest, UsesTheCallersNamesForTheEnds) {
  absl::StatusOr<HourRange> range =
      ParseHourRange("2015-01-02", "2015-01-01", FixedNow(), {"start_date", "end_date"});
  ASSERT_FALSE(range.ok());
  EXPECT_THAT(Message(range.status()), HasSubstr("start_date 2015-01-02 is after end_date"));

  absl::StatusOr<HourRange> malformed =
      ParseHourRange("2015-1-1", "2015-01-01", FixedNow(), {"--from", "--to"});
  ASSERT_FALSE(malformed.ok());
  EXPECT_THAT(Message(malformed.status()), HasSubstr("invalid --from value '2015-1-1'"));
}

TEST(ParseHourRangeTest, FirstArchiveHourIsAccepted) {
  absl::StatusOr<HourRange> range = ParseHourRange("2011-02-12", "2011-02-12T00", FixedNow());
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->first, kFirstArchiveHour);
  EXPECT_EQ(range->size(), 1);
}

TEST(ParseHourRangeTest, RejectsRangesBeforeTheArchive) {
  absl::StatusOr<HourRange> range = ParseHourRange("2011-02-11", "2011-02-12", FixedNow());
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(range.status()), HasSubstr("2011-02-11"));
  EXPECT_THAT(Message(range.status()), HasSubstr("before 2011-02-12"));

  absl::StatusOr<HourRange> old = ParseHourRange("2011-02-11T23", "2011-02-11T23", FixedNow());
  ASSERT_FALSE(old.ok());
  EXPECT_THAT(Message(old.status()), HasSubstr("2011-02-11T23"));
  EXPECT_THAT(Message(old.status()), HasSubstr("before"));
}

TEST(ParseHourRangeTest, AcceptsTheLastEndedHour) {
  absl::StatusOr<HourRange> range = ParseHourRange("2024-06-15T11", "2024-06-15T11", FixedNow());
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->size(), 1);
}

TEST(ParseHourRangeTest, RejectsRangesIntoTheFuture) {
  // The current hour has no file yet: GH Archive publishes it after it ends.
  absl::StatusOr<HourRange> current_hour =
      ParseHourRange("2024-06-15T12", "2024-06-15T12", FixedNow());
  ASSERT_FALSE(current_hour.ok());
  EXPECT_THAT(Message(current_hour.status()), HasSubstr("has not ended yet"));
  EXPECT_THAT(Message(current_hour.status()), HasSubstr("end the range at 2024-06-15T11"));

  absl::StatusOr<HourRange> next_hour =
      ParseHourRange("2024-06-15T12", "2024-06-15T13", FixedNow());
  ASSERT_FALSE(next_hour.ok());
  EXPECT_EQ(next_hour.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(next_hour.status()), HasSubstr("future"));
  EXPECT_THAT(Message(next_hour.status()), HasSubstr("2024-06-15T13"));
  EXPECT_THAT(Message(next_hour.status()), HasSubstr("the current UTC hour is 2024-06-15T12"));

  // Today as a whole day never has all its hours ended.
  absl::StatusOr<HourRange> today = ParseHourRange("2024-06-15", "2024-06-15", FixedNow());
  ASSERT_FALSE(today.ok());
  EXPECT_THAT(Message(today.status()), HasSubstr("2024-06-15T23"));

  absl::StatusOr<HourRange> far = ParseHourRange("2099-01-01", "2099-01-02", FixedNow());
  ASSERT_FALSE(far.ok());
  EXPECT_THAT(Message(far.status()), HasSubstr("2099-01-01..2099-01-02"));
}

TEST(ParseHourRangeTest, ChecksMalformedValuesBeforeOrder) {
  absl::StatusOr<HourRange> range = ParseHourRange("2015-01-02", "2015-02-30", FixedNow());
  ASSERT_FALSE(range.ok());
  EXPECT_THAT(Message(range.status()), HasSubstr("'2015-02-30'"));
  EXPECT_THAT(Message(range.status()), HasSubstr("has no day 30"));
}

}  // namespace
}  // namespace ghloader
