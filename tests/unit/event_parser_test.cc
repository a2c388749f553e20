// Tests for EventParser and ParseEventTime: both GH Archive formats, the
// fields the queries need, invalid UTF-8, rejected lines and the
// idempotency key.
#include "events/event_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/strings.h"

namespace ghloader {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Message(const absl::Status& status) { return std::string(ToStdView(status.message())); }

int64_t UnixSeconds(int year, int month, int day, int hour, int minute, int second) {
  return absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second), absl::UTCTimeZone()));
}

// Parses one line that must be accepted.
Event ParseOk(std::string_view line, LineParseResult* result_out = nullptr) {
  EventParser parser;
  Event event;
  absl::StatusOr<LineParseResult> result = parser.Parse(line, event);
  EXPECT_TRUE(result.ok()) << result.status() << "\nline: " << line;
  if (result.ok() && result_out != nullptr) *result_out = *result;
  return event;
}

// An Events API line, as in files from 2015 on.
constexpr std::string_view kEventsApiLine =
    R"({"id":"2489651045","type":"PushEvent","actor":{"id":665991,"login":"petroav",)"
    R"("gravatar_id":"","url":"https://api.github.com/users/petroav"},"repo":{"id":28688495,)"
    R"("name":"petroav/6.828","url":"https://api.github.com/repos/petroav/6.828"},)"
    R"("payload":{"push_id":536740396,"size":1},"public":true,"created_at":"2015-01-01T15:00:00Z"})";

// A 2011-2012 backfill line: Events API shape, anonymous actor, repo "/".
constexpr std::string_view kBackfillAnonymousLine =
    R"({"repo":{"url":"https://api.github.dev/repos//","name":"/"},"type":"PushEvent",)"
    R"("public":true,"created_at":"2011-02-15T00:00:10Z","payload":{"shas":[],)"
    R"("repo":"matcatc/pianobar","actor":"matcatc"},"actor":{"gravatar_id":"ec2144",)"
    R"("url":"https://api.github.dev/users/"},"id":"1132219720"})";

// A timeline line (up to 2014): actor string, actor_attributes, repository.
constexpr std::string_view kTimelineLine =
    R"({"created_at":"2013-02-15T00:00:39-08:00","payload":{"shas":[],"size":3,)"
    R"("ref":"refs/heads/master"},"public":true,"type":"PushEvent",)"
    R"("url":"https://github.com/bcomdlc/bcom-homepage-archive/compare/35d7e8bd4e...e5815a64d6",)"
    R"("actor":"bcomdlc","actor_attributes":{"name":"Darren Chamberlain","login":"BcomDLC",)"
    R"("type":"User"},"repository":{"id":3527704,"name":"bcom-homepage-archive",)"
    R"("owner":"bcomdlc","private":false,"created_at":"2012-02-23T09:24:29-08:00"}})";

TEST(EventParserTest, EventsApiFormat) {
  Event event = ParseOk(kEventsApiLine);
  EXPECT_EQ(event.id, "2489651045");
  EXPECT_EQ(event.type, "PushEvent");
  EXPECT_EQ(event.actor_login, "petroav");
  EXPECT_EQ(event.repo_name, "petroav/6.828");
  EXPECT_EQ(event.created_at, UnixSeconds(2015, 1, 1, 15, 0, 0));
  EXPECT_EQ(event.json, kEventsApiLine);
  EXPECT_EQ(event.key, Concat("2489651045@", UnixSeconds(2015, 1, 1, 15, 0, 0)));
}

TEST(EventParserTest, BackfillAnonymousActorAndSlashRepo) {
  Event event = ParseOk(kBackfillAnonymousLine);
  EXPECT_EQ(event.type, "PushEvent");
  // The payload's "actor" string is not the event's actor.
  EXPECT_EQ(event.actor_login, "");
  EXPECT_EQ(event.repo_name, "");
  EXPECT_EQ(event.id, "1132219720");
  EXPECT_EQ(event.created_at, UnixSeconds(2011, 2, 15, 0, 0, 10));
}

TEST(EventParserTest, BackfillEventWithLoginAndSlashRepo) {
  Event event = ParseOk(
      R"({"repo":{"url":"https://api.github.dev/repos//","name":"/"},"type":"FollowEvent",)"
      R"("created_at":"2011-02-15T00:00:11Z","payload":{},"actor":{"id":183767,)"
      R"("login":"dualmoon"},"id":"1132219738"})");
  EXPECT_EQ(event.actor_login, "dualmoon");
  EXPECT_EQ(event.repo_name, "");
}

TEST(EventParserTest, TimelineFormat) {
  Event event = ParseOk(kTimelineLine);
  EXPECT_EQ(event.id, "");
  EXPECT_EQ(event.type, "PushEvent");
  // actor_attributes.login wins over the actor string.
  EXPECT_EQ(event.actor_login, "BcomDLC");
  EXPECT_EQ(event.repo_name, "bcomdlc/bcom-homepage-archive");
  // 00:00:39 at -08:00 is 08:00:39 UTC.
  EXPECT_EQ(event.created_at, UnixSeconds(2013, 2, 15, 8, 0, 39));
  EXPECT_EQ(event.json, kTimelineLine);
  EXPECT_THAT(event.key, StartsWith("x"));
}

TEST(EventParserTest, TimelineActorStringWithoutAttributes) {
  Event event = ParseOk(
      R"({"created_at":"2013-02-15T00:35:35-08:00","payload":{},"public":true,)"
      R"("type":"ForkEvent","actor":"brianp","repository":{"id":889947,)"
      R"("name":"delayed_job_data_mapper","owner":"collectiveidea"}})");
  EXPECT_EQ(event.actor_login, "brianp");
  EXPECT_EQ(event.repo_name, "collectiveidea/delayed_job_data_mapper");
}

TEST(EventParserTest, TimelineAttributesWithoutLoginFallBackToActor) {
  Event event = ParseOk(
      R"({"created_at":"2012-06-14T15:00:01-07:00","type":"WatchEvent","actor":"octo",)"
      R"("actor_attributes":{"name":"No Login"},"repository":{"name":"r","owner":"o"}})");
  EXPECT_EQ(event.actor_login, "octo");
}

TEST(EventParserTest, TimelineNullActorHasNoLogin) {
  Event event = ParseOk(
      R"({"created_at":"2013-02-15T00:12:10-08:00","payload":{"id":4959098},)"
      R"("public":true,"type":"GistEvent","url":"https://gist.github.com/4959098","actor":null})");
  EXPECT_EQ(event.type, "GistEvent");
  EXPECT_EQ(event.actor_login, "");
  EXPECT_EQ(event.repo_name, "");
  EXPECT_EQ(event.created_at, UnixSeconds(2013, 2, 15, 8, 12, 10));
}

TEST(EventParserTest, MissingActorAndRepoAreEmpty) {
  Event event = ParseOk(R"({"type":"PublicEvent","created_at":"2015-01-01T00:00:00Z"})");
  EXPECT_EQ(event.actor_login, "");
  EXPECT_EQ(event.repo_name, "");
  EXPECT_EQ(event.id, "");
}

TEST(EventParserTest, TimelineEmptyOwnerUsesOrganization) {
  // Seen in the 2013 timeline sample: "owner":"" with the owner only in "organization".
  Event event = ParseOk(
      R"({"created_at":"2013-02-15T00:35:35-08:00","type":"ForkEvent","actor":"brianp",)"
      R"("repository":{"name":"delayed_job_data_mapper","owner":"","organization":"ci"}})");
  EXPECT_EQ(event.repo_name, "ci/delayed_job_data_mapper");
}

TEST(EventParserTest, TimelineRepositoryWithoutOwnerHasNoName) {
  Event event = ParseOk(
      R"({"created_at":"2013-02-15T00:35:35-08:00","type":"ForkEvent","actor":"brianp",)"
      R"("repository":{"name":"delayed_job_data_mapper","owner":""}})");
  EXPECT_EQ(event.repo_name, "");
}

TEST(EventParserTest, RepoObjectWinsOverRepository) {
  Event event = ParseOk(
      R"({"type":"PushEvent","created_at":"2015-01-01T00:00:00Z","repo":{"name":"a/b"},)"
      R"("repository":{"owner":"c","name":"d"}})");
  EXPECT_EQ(event.repo_name, "a/b");
}

TEST(EventParserTest, NumericIdIsAccepted) {
  Event event = ParseOk(R"({"id":48773613111,"type":"PushEvent","created_at":"2025-01-01T15:00:00Z"})");
  EXPECT_EQ(event.id, "48773613111");
  EXPECT_EQ(event.key, Concat("48773613111@", UnixSeconds(2025, 1, 1, 15, 0, 0)));
}

TEST(EventParserTest, PacificOffsetsConvertToUtc) {
  struct Case {
    std::string_view created_at;
    int64_t utc;
  };
  for (const Case& test_case : {
           Case{"2012-06-14T15:00:01-07:00", UnixSeconds(2012, 6, 14, 22, 0, 1)},
           Case{"2013-02-15T00:00:39-08:00", UnixSeconds(2013, 2, 15, 8, 0, 39)},
           // Crosses a day, a month and a year boundary in UTC.
           Case{"2014-12-31T23:30:00-08:00", UnixSeconds(2015, 1, 1, 7, 30, 0)},
           Case{"2012-05-31T23:30:00-07:00", UnixSeconds(2012, 6, 1, 6, 30, 0)},
           Case{"2015-01-01T05:30:00+05:30", UnixSeconds(2015, 1, 1, 0, 0, 0)},
           Case{"2015-01-01T00:00:00+00:00", UnixSeconds(2015, 1, 1, 0, 0, 0)},
       }) {
    absl::StatusOr<int64_t> parsed = ParseEventTime(test_case.created_at);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, test_case.utc) << test_case.created_at;

    Event event = ParseOk(Concat(R"({"type":"PushEvent","created_at":")", test_case.created_at,
                                 R"(","actor":"someone"})"));
    EXPECT_EQ(event.created_at, test_case.utc) << test_case.created_at;
  }
}

TEST(ParseEventTimeTest, AcceptsFractionsAndLowerCaseZ) {
  absl::StatusOr<int64_t> fraction = ParseEventTime("2015-01-01T15:00:01.123Z");
  ASSERT_TRUE(fraction.ok()) << fraction.status();
  EXPECT_EQ(*fraction, UnixSeconds(2015, 1, 1, 15, 0, 1));

  absl::StatusOr<int64_t> lower = ParseEventTime("2015-01-01t15:00:01z");
  ASSERT_TRUE(lower.ok()) << lower.status();
  EXPECT_EQ(*lower, UnixSeconds(2015, 1, 1, 15, 0, 1));
}

TEST(ParseEventTimeTest, RejectsMalformedTimes) {
  for (std::string_view text :
       {"", "2015-01-01", "2015-01-01T15:00:01", "2015-01-01 15:00", "2015-13-01T00:00:00Z",
        "2015-02-29T00:00:00Z", "2015-01-01T24:00:00Z", "2015-01-01T15:60:00Z",
        "2015-01-01T15:00:01+0800", "2015-01-01T15:00:01-08", "2015-01-01T15:00:01-24:00",
        "2015-01-01T15:00:01-08:60", "2015-01-01T15:00:01 Z", "2015-01-01T15:00:01ZZ",
        "20150101T150001Z", "yesterday"}) {
    absl::StatusOr<int64_t> parsed = ParseEventTime(text);
    EXPECT_FALSE(parsed.ok()) << "accepted '" << text << "'";
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(Message(parsed.status()), HasSubstr(Concat("'", text, "'")));
    }
  }
}

TEST(EventParserTest, InvalidUtf8IsRepairedAndFlagged) {
  std::string line =
      R"({"id":"1","type":"IssuesEvent","actor":{"login":"octo"},"created_at":"2015-01-01T00:00:00Z",)"
      R"("payload":{"title":"caf)"
      "\xe9 \xff\xfe"
      R"( end"}})";
  LineParseResult result;
  Event event = ParseOk(line, &result);
  EXPECT_TRUE(result.repaired_utf8);
  EXPECT_EQ(event.actor_login, "octo");
  EXPECT_EQ(event.type, "IssuesEvent");
  EXPECT_NE(event.json, line);
  // Each bad sequence becomes U+FFFD (EF BF BD); the rest is unchanged.
  EXPECT_THAT(event.json, HasSubstr("caf\xef\xbf\xbd \xef\xbf\xbd"));
  EXPECT_THAT(event.json, HasSubstr(" end\"}}"));
  EXPECT_THAT(event.json, StartsWith(R"({"id":"1","type":"IssuesEvent")"));
}

TEST(EventParserTest, ValidUtf8IsKeptByteForByte) {
  std::string line =
      R"({"id":"2","type":"IssuesEvent","actor":{"login":"octo"},"created_at":"2015-01-01T00:00:00Z",)"
      R"("payload":{"title":"ㅅㄷㄴㅅ café \u00e9 😀","body":"a\"b\\c"}})";
  LineParseResult result;
  Event event = ParseOk(line, &result);
  EXPECT_FALSE(result.repaired_utf8);
  EXPECT_EQ(event.json, line);
}

TEST(EventParserTest, InvalidUtf8InALoginIsRepaired) {
  std::string line = "{\"id\":\"3\",\"type\":\"PushEvent\",\"actor\":{\"login\":\"bad\xc3\"},"
                     "\"created_at\":\"2015-01-01T00:00:00Z\"}";
  LineParseResult result;
  Event event = ParseOk(line, &result);
  EXPECT_TRUE(result.repaired_utf8);
  EXPECT_EQ(event.actor_login, "bad\xef\xbf\xbd");
}

TEST(EventParserTest, RejectsUnparseableLinesWithReasons) {
  struct Case {
    std::string_view line;
    std::string_view reason;
  };
  for (const Case& test_case : {
           Case{R"({"id":"1","type":"PushEvent","actor":{"login":"a")", "not valid JSON"},
           Case{R"({"type":"PushEvent",})", "not valid JSON"},
           Case{"{}}", "not valid JSON"},
           Case{"not json at all", "not valid JSON"},
           Case{"[1,2,3]", "JSON array"},
           Case{R"([{"type":"PushEvent","created_at":"2015-01-01T00:00:00Z"}])", "JSON array"},
           Case{"42", "JSON scalar"},
           Case{R"("a string")", "JSON scalar"},
           Case{"null", "JSON scalar"},
           Case{R"({"created_at":"2015-01-01T00:00:00Z"})", "no string field 'type'"},
           Case{R"({"type":"","created_at":"2015-01-01T00:00:00Z"})", "no string field 'type'"},
           Case{R"({"type":7,"created_at":"2015-01-01T00:00:00Z"})", "no string field 'type'"},
           Case{R"({"type":"PushEvent"})", "no string field 'created_at'"},
           Case{R"({"type":"PushEvent","created_at":1420070400})", "no string field 'created_at'"},
           Case{R"({"type":"PushEvent","created_at":"2015-01-01 00:00"})", "created_at '2015-01-01 00:00'"},
           Case{R"({"type":"PushEvent","created_at":"2015-02-30T00:00:00Z"})", "out of range"},
           Case{R"({"type":"PushEvent","created_at":"2015-01-01T00:00:00"})", "'2015-01-01T00:00:00'"},
           Case{R"({"type":"PushEvent","created_at":"2015-01-01T00:00:00+8"})", "UTC offset"},
       }) {
    EventParser parser;
    Event event;
    absl::StatusOr<LineParseResult> result = parser.Parse(test_case.line, event);
    ASSERT_FALSE(result.ok()) << "accepted: " << test_case.line;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << test_case.line;
    EXPECT_THAT(Message(result.status()), HasSubstr(test_case.reason)) << test_case.line;
  }
}

TEST(EventParserTest, TruncatedLineWithInvalidUtf8IsRejected) {
  EventParser parser;
  Event event;
  absl::StatusOr<LineParseResult> result =
      parser.Parse("{\"type\":\"PushEvent\",\"x\":\"\xff", event);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EventParserTest, ParserIsReusableAfterARejectedLine) {
  EventParser parser;
  Event event;
  ASSERT_FALSE(parser.Parse("[1]", event).ok());
  ASSERT_TRUE(parser.Parse(kTimelineLine, event).ok());
  EXPECT_EQ(event.actor_login, "BcomDLC");
  ASSERT_TRUE(parser.Parse(kEventsApiLine, event).ok());
  // Every field is replaced, none is left over from the previous line.
  EXPECT_EQ(event.actor_login, "petroav");
  EXPECT_EQ(event.id, "2489651045");
  ASSERT_TRUE(parser.Parse(R"({"type":"X","created_at":"2015-01-01T00:00:00Z"})", event).ok());
  EXPECT_EQ(event.id, "");
  EXPECT_EQ(event.actor_login, "");
  EXPECT_EQ(event.repo_name, "");
}

TEST(EventParserTest, PaddedLineParsesLikeACopiedOne) {
  std::string buffer(kEventsApiLine);
  buffer.append(simdjson::SIMDJSON_PADDING, ' ');
  std::string_view line(buffer.data(), kEventsApiLine.size());
  EventParser parser;
  Event padded;
  ASSERT_TRUE(parser.Parse(line, padded, true).ok());
  EXPECT_EQ(padded.json, kEventsApiLine);
  EXPECT_EQ(padded.key, ParseOk(kEventsApiLine).key);
}

TEST(EventKeyTest, SameIdAndTimeGiveTheSameKey) {
  // A replay: GH Archive wrote the same event twice, maybe with other payload
  // details, so the key must not depend on the rest of the text.
  Event first = ParseOk(R"({"id":"100","type":"PushEvent","created_at":"2015-01-01T00:00:00Z"})");
  Event replay = ParseOk(
      R"({"id":"100","type":"PushEvent","created_at":"2015-01-01T00:00:00Z","public":true})");
  EXPECT_EQ(first.key, replay.key);
}

TEST(EventKeyTest, SameIdInAnotherYearGivesAnotherKey) {
  Event first = ParseOk(R"({"id":"100","type":"PushEvent","created_at":"2015-01-01T00:00:00Z"})");
  Event later = ParseOk(R"({"id":"100","type":"PushEvent","created_at":"2016-01-01T00:00:00Z"})");
  EXPECT_NE(first.key, later.key);
}

TEST(EventKeyTest, SameInstantWithOffsetOrZGivesTheSameKey) {
  Event utc = ParseOk(R"({"id":"7","type":"PushEvent","created_at":"2015-01-01T08:00:00Z"})");
  Event pacific =
      ParseOk(R"({"id":"7","type":"PushEvent","created_at":"2015-01-01T00:00:00-08:00"})");
  EXPECT_EQ(utc.key, pacific.key);
}

TEST(EventKeyTest, EventsWithoutIdAreKeyedByContent) {
  Event first = ParseOk(kTimelineLine);
  Event same = ParseOk(kTimelineLine);
  EXPECT_EQ(first.key, same.key);

  std::string other(kTimelineLine);
  other.replace(other.find("\"size\":3"), 8, "\"size\":4");
  Event different = ParseOk(other);
  EXPECT_NE(first.key, different.key);

  // Content keys cannot collide with id keys, which contain '@'.
  EXPECT_EQ(first.key.find('@'), std::string::npos);
  EXPECT_EQ(first.key.size(), 33u);
}

TEST(EventKeyTest, EmptyIdIsKeyedByContent) {
  Event event = ParseOk(R"({"id":"","type":"PushEvent","created_at":"2015-01-01T00:00:00Z"})");
  EXPECT_THAT(event.key, StartsWith("x"));
}

// Reads a gzip sample whole; the samples are a few MB.
std::vector<std::string> ReadGzipLines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return lines;
  std::string text;
  char chunk[1 << 16];
  int count = 0;
  while ((count = gzread(file, chunk, sizeof(chunk))) > 0) text.append(chunk, count);
  gzclose(file);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::filesystem::path Sample(std::string_view relative) {
  const char* data = std::getenv("GHARCHIVE_DATA");
  if (data == nullptr) return {};
  return std::filesystem::path(data) / relative;
}

struct SampleCounts {
  int64_t events = 0;
  int64_t rejected = 0;
  int64_t without_login = 0;
  int64_t without_repo = 0;
  int64_t without_id = 0;
  std::set<std::string> keys;
  int64_t min_created_at = INT64_MAX;
  int64_t max_created_at = INT64_MIN;
};

SampleCounts ParseSample(const std::filesystem::path& path) {
  SampleCounts counts;
  EventParser parser;
  Event event;
  for (const std::string& line : ReadGzipLines(path)) {
    if (!parser.Parse(line, event).ok()) {
      ++counts.rejected;
      continue;
    }
    ++counts.events;
    if (event.actor_login.empty()) ++counts.without_login;
    if (event.repo_name.empty()) ++counts.without_repo;
    if (event.id.empty()) ++counts.without_id;
    EXPECT_NE(event.repo_name, "/");
    counts.keys.insert(event.key);
    counts.min_created_at = std::min(counts.min_created_at, event.created_at);
    counts.max_created_at = std::max(counts.max_created_at, event.created_at);
  }
  return counts;
}

TEST(EventParserSamplesTest, TimelineHourOf2013) {
  std::filesystem::path path = Sample("arfon--gh_archive_parser/2013-02-15-0.json.gz");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "GHARCHIVE_DATA sample missing: " << path;
  SampleCounts counts = ParseSample(path);
  EXPECT_EQ(counts.events, 6851);
  EXPECT_EQ(counts.rejected, 0);
  EXPECT_EQ(counts.without_id, 6851);
  // Only the 3 events with "actor": null have no login; the 39 with an actor
  // string but no actor_attributes take the login from the string.
  EXPECT_EQ(counts.without_login, 3);
  EXPECT_EQ(counts.keys.size(), 6851u);
  // The file is named by the US Pacific hour 00; its events are 08:00-09:00 UTC.
  EXPECT_EQ(counts.min_created_at, UnixSeconds(2013, 2, 15, 8, 0, 34));
  EXPECT_EQ(counts.max_created_at, UnixSeconds(2013, 2, 15, 9, 0, 34));
}

TEST(EventParserSamplesTest, BackfillHourOf2011) {
  std::filesystem::path path = Sample("arfon--gh_archive_parser/2011-02-15-0.json.gz");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "GHARCHIVE_DATA sample missing: " << path;
  SampleCounts counts = ParseSample(path);
  EXPECT_EQ(counts.events, 1639);
  EXPECT_EQ(counts.rejected, 0);
  EXPECT_EQ(counts.without_id, 0);
  EXPECT_EQ(counts.without_login, 11);
  EXPECT_EQ(counts.keys.size(), 1639u);
  EXPECT_EQ(counts.min_created_at, UnixSeconds(2011, 2, 15, 0, 0, 6));
  EXPECT_EQ(counts.max_created_at, UnixSeconds(2011, 2, 15, 0, 59, 58));
}

TEST(EventParserSamplesTest, EventsApiHourOf2015) {
  std::filesystem::path path = Sample("nickderobertis--py-gh-archive/2015-01-01-1.json.gz");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "GHARCHIVE_DATA sample missing: " << path;
  SampleCounts counts = ParseSample(path);
  EXPECT_EQ(counts.events, 7427);
  EXPECT_EQ(counts.rejected, 0);
  EXPECT_EQ(counts.without_id, 0);
  EXPECT_EQ(counts.without_login, 0);
  EXPECT_EQ(counts.keys.size(), 7427u);
  EXPECT_GE(counts.min_created_at, UnixSeconds(2015, 1, 1, 1, 0, 0));
  EXPECT_LE(counts.max_created_at, UnixSeconds(2015, 1, 1, 1, 59, 59));
}

}  // namespace
}  // namespace ghloader
