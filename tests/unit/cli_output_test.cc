// Tests for what the command line prints: the query JSON, whose field names
// the gRPC API shares, the text form, and the progress line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/progress_reporter.h"
#include "cli/user_stats_output.h"

namespace ghloader {
namespace {

using ::testing::HasSubstr;

UserStats SampleStats() {
  UserStats stats;
  stats.events = {{"PushEvent", 3}, {"WatchEvent", 1}};
  stats.events_by_ym = {{2014, 12, {{"PushEvent", 1}}},
                        {2015, 1, {{"PushEvent", 2}, {"WatchEvent", 1}}}};
  stats.pushed_to = {"octo/alpha", "octo/zeta"};
  return stats;
}

TEST(UserStatsJsonTest, HasTheApiFieldNamesAndOrder) {
  nlohmann::json json = nlohmann::json::parse(UserStatsToJson(SampleStats()));
  ASSERT_TRUE(json.is_object());
  EXPECT_EQ(json.size(), 3u);
  EXPECT_EQ(json["events"],
            nlohmann::json::parse(R"([{"name":"PushEvent","count":3},{"name":"WatchEvent","count":1}])"));
  ASSERT_EQ(json["events_by_ym"].size(), 2u);
  EXPECT_EQ(json["events_by_ym"][0]["year"], 2014);
  EXPECT_EQ(json["events_by_ym"][0]["month"], 12);
  EXPECT_EQ(json["events_by_ym"][1]["events"][1]["name"], "WatchEvent");
  EXPECT_EQ(json["pushed_to"], nlohmann::json::parse(R"(["octo/alpha","octo/zeta"])"));
}

TEST(UserStatsJsonTest, EmptyStatsAreEmptyArrays) {
  EXPECT_EQ(UserStatsToJson(UserStats{}), R"({"events":[],"events_by_ym":[],"pushed_to":[]})");
}

TEST(UserStatsJsonTest, NonAsciiNamesStayValidJson) {
  UserStats stats;
  stats.pushed_to = {"octo/caf\xc3\xa9", "octo/quote\"back\\slash"};
  nlohmann::json json = nlohmann::json::parse(UserStatsToJson(stats));
  EXPECT_EQ(json["pushed_to"][0], "octo/caf\xc3\xa9");
  EXPECT_EQ(json["pushed_to"][1], "octo/quote\"back\\slash");
}

TEST(UserStatsTextTest, ListsTotalsMonthsAndRepositories) {
  std::string text = UserStatsToText("octo", SampleStats());
  EXPECT_THAT(text, HasSubstr("octo: 4 events"));
  EXPECT_THAT(text, HasSubstr("2014-12"));
  EXPECT_THAT(text, HasSubstr("2015-01  PushEvent 2, WatchEvent 1"));
  EXPECT_THAT(text, HasSubstr("Pushed to (2 repositories)"));
  EXPECT_THAT(text, HasSubstr("  octo/zeta\n"));
}

TEST(UserStatsTextTest, OneRepositoryIsSingular) {
  UserStats stats = SampleStats();
  stats.pushed_to = {"octo/alpha"};
  EXPECT_THAT(UserStatsToText("octo", stats), HasSubstr("Pushed to (1 repository)"));
}

TEST(UserStatsTextTest, UnknownUserIsOneLine) {
  EXPECT_EQ(UserStatsToText("nobody", UserStats{}), "nobody: 0 events\n");
}

TEST(ProgressLineTest, ShowsHoursEventsRateAndEta) {
  std::string line =
      ProgressReporter::FormatLine(12, 48, 1234567, 85.34, absl::Seconds(2 * 60 + 31));
  EXPECT_EQ(line, "12/48 hours  1,234,567 events  85.3 MB/s  ETA 0:02:31");
}

TEST(ProgressLineTest, UnknownEtaIsDashes) {
  std::string line = ProgressReporter::FormatLine(0, 48, 0, 0, absl::InfiniteDuration());
  EXPECT_THAT(line, HasSubstr("ETA --:--:--"));
  EXPECT_THAT(line, HasSubstr("0 events"));
}

TEST(ProgressLineTest, LongEtaShowsHours) {
  std::string line = ProgressReporter::FormatLine(1, 8760, 999, 1.0, absl::Hours(30));
  EXPECT_THAT(line, HasSubstr("ETA 30:00:00"));
  EXPECT_THAT(line, HasSubstr("999 events"));
}

}  // namespace
}  // namespace ghloader
