// Tests of what only the MongoDB event store does, run against a real
// server (FerretDB in tests/integration/mongo_suite_test.sh). They cover the
// stored document shape and value types, documents the server rejects, the
// in-flight batch of a crashed loader, QueryUser over timeline events read
// from the stored JSON, collection names from the URI, and open errors.
// The cases every event store must pass are in
// event_store_conformance_test.cc. Skipped when GHLOADER_TEST_MONGODB_URI
// is not set.
#include "store/mongo/mongo_event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "mongo_test_database.h"
#include "store/store_factory.h"
#include "store_test_support.h"

namespace ghloader {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A timeline event: `actor` is the login string, `repository` has owner and
// name, and created_at has a US Pacific offset.
BatchEvent MakeTimelineEvent(std::string key, std::string type, std::string login,
                             std::string owner, std::string name, std::string created_at_text,
                             int64_t created_at) {
  BatchEvent item;
  Event& event = item.event;
  event.key = std::move(key);
  event.type = std::move(type);
  event.actor_login = login;
  event.repo_name = Concat(owner, "/", name);
  event.created_at = created_at;
  event.json = Concat("{\"type\":\"", event.type, "\",\"actor\":\"", login,
                      "\",\"actor_attributes\":{\"login\":\"", login,
                      "\"},\"repository\":{\"owner\":\"", owner, "\",\"name\":\"", name,
                      "\"},\"created_at\":\"", created_at_text, "\"}");
  item.line_number = 1;
  return item;
}

class MongoEventStoreTest : public ::testing::Test, public EventStoreCalls {
 protected:
  void SetUp() override {
    std::optional<std::string> base_uri = MongoTestDatabase::BaseUri();
    if (!base_uri.has_value()) GTEST_SKIP() << "GHLOADER_TEST_MONGODB_URI is not set";
    database_ = std::make_unique<MongoTestDatabase>(*base_uri);
    absl::StatusOr<std::unique_ptr<EventStore>> opened = OpenEventStore(database_->Uri(""));
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }

  // Closes the store before database_ drops its database.
  void TearDown() override { store_.reset(); }

  std::unique_ptr<MongoTestDatabase> database_;
};

TEST_F(MongoEventStoreTest, DocumentIsTheEventWithItsKeyAsId) {
  std::string json =
      R"({"id":"2489651045","type":"PushEvent","actor":{"id":1,"login":"Octo"},)"
      R"("repo":{"name":"o/r"},"payload":{"size":2,"commits":[{"sha":"a"},{"sha":"b"}]},)"
      R"("public":true,"created_at":"2015-01-01T15:00:01Z","z":null,"a":1.25})";
  ASSERT_EQ(Write("h", {WithJson("2489651045@1420124401", json)}).inserted, 1);

  BsonPtr stored = database_->FindOne("events", R"({"_id":"2489651045@1420124401"})");
  ASSERT_NE(stored.get(), nullptr);
  std::vector<std::string> keys;
  bson_iter_t iter;
  ASSERT_TRUE(bson_iter_init(&iter, stored.get()));
  while (bson_iter_next(&iter)) keys.emplace_back(bson_iter_key(&iter));
  EXPECT_THAT(keys, ElementsAre("_id", "id", "type", "actor", "repo", "payload", "public",
                                "created_at", "z", "a"));
  EXPECT_EQ(GetString(*stored, "actor.login"), "Octo");
  EXPECT_EQ(GetString(*stored, "payload.commits.1.sha"), "b");
  EXPECT_EQ(GetString(*stored, "created_at"), "2015-01-01T15:00:01Z");
  EXPECT_DOUBLE_EQ(GetDouble(*stored, "a"), 1.25);
}

TEST_F(MongoEventStoreTest, IntegerTypesArePreserved) {
  ASSERT_EQ(Write("h", {WithJson("n", R"({"small":7,"big":5000000000,"negative":-2147483649,)"
                                      R"("huge":18446744073709551615,"real":2.5,"flag":false})")})
                .inserted,
            1);
  BsonPtr stored = database_->FindOne("events", R"({"_id":"n"})");
  ASSERT_NE(stored.get(), nullptr);
  auto type_of = [&](const char* key) {
    bson_iter_t iter;
    EXPECT_TRUE(bson_iter_init_find(&iter, stored.get(), key)) << key;
    return bson_iter_type(&iter);
  };
  EXPECT_EQ(type_of("small"), BSON_TYPE_INT32);
  EXPECT_EQ(type_of("big"), BSON_TYPE_INT64);
  EXPECT_EQ(GetInt64(*stored, "big"), 5000000000);
  EXPECT_EQ(type_of("negative"), BSON_TYPE_INT64);
  EXPECT_EQ(type_of("huge"), BSON_TYPE_DOUBLE);
  EXPECT_EQ(type_of("real"), BSON_TYPE_DOUBLE);
  EXPECT_EQ(type_of("flag"), BSON_TYPE_BOOL);
}

// Keys that look like Extended JSON must not be interpreted. MongoDB 5.0+
// stores such keys as they are; FerretDB 1.24 refuses keys starting with
// '$', which then land in rejects. Either way the value never becomes an
// int64.
TEST_F(MongoEventStoreTest, NumberLongKeyStaysLiteralOrIsRejected) {
  BatchWriteResult written =
      Write("2015-01-01-15", {WithJson("x", R"({"id":"x","n":{"$numberLong":"5"}})", 4)});
  ASSERT_EQ(written.inserted + written.rejected, 1);
  if (written.inserted == 1) {
    BsonPtr stored = database_->FindOne("events", R"({"_id":"x"})");
    ASSERT_NE(stored.get(), nullptr);
    EXPECT_EQ(GetString(*stored, "n.$numberLong"), "5");
  } else {
    BsonPtr reject = database_->FindOne("rejects", R"({"hour":"2015-01-01-15","line":4})");
    ASSERT_NE(reject.get(), nullptr);
    EXPECT_THAT(GetString(*reject, "reason"), HasSubstr("$numberLong"));
    EXPECT_EQ(GetString(*reject, "text"), R"({"id":"x","n":{"$numberLong":"5"}})");
    EXPECT_EQ(database_->Count("events"), 0);
  }
}

TEST_F(MongoEventStoreTest, DottedAndDollarKeysRoundTripOrAreRejected) {
  std::vector<BatchEvent> events = {
      WithJson("dot-top", R"({"a.b":1})", 1),
      WithJson("dot-nested", R"({"payload":{"c.d":2}})", 2),
      WithJson("dollar-top", R"({"$x":3})", 3),
      WithJson("dollar-nested", R"({"payload":{"$y":4}})", 4),
      WithJson("plain", R"({"ok":5})", 5),
  };
  BatchWriteResult written = Write("2015-01-01-15", events);
  EXPECT_EQ(written.inserted + written.rejected, 5);
  EXPECT_EQ(written.duplicates, 0);
  EXPECT_EQ(database_->Count("events") + database_->Count("rejects"), 5);
  EXPECT_EQ(database_->Count("rejects"), written.rejected);

  // Each document is either stored with its key as written or rejected with
  // the server's reason, its hour, line and text.
  struct Case {
    const char* id;
    const char* path;
    int64_t value;
  };
  for (const Case& c : {Case{"dot-top", "a.b", 1}, Case{"dot-nested", "payload.c.d", 2},
                        Case{"dollar-top", "$x", 3}, Case{"dollar-nested", "payload.$y", 4}}) {
    BsonPtr stored = database_->FindOne("events", Concat(R"({"_id":")", c.id, R"("})"));
    if (stored.get() != nullptr) {
      bson_iter_t iter;
      bson_iter_t field;
      ASSERT_TRUE(bson_iter_init(&iter, stored.get()));
      // bson_iter_find_descendant splits at '.', so read dotted keys by hand.
      std::string_view path = c.path;
      if (path == "a.b") {
        ASSERT_TRUE(bson_iter_find(&iter, "a.b")) << c.id;
        EXPECT_EQ(bson_iter_as_int64(&iter), c.value) << c.id;
      } else if (path == "payload.c.d") {
        ASSERT_TRUE(bson_iter_find(&iter, "payload")) << c.id;
        ASSERT_TRUE(bson_iter_recurse(&iter, &field)) << c.id;
        ASSERT_TRUE(bson_iter_find(&field, "c.d")) << c.id;
        EXPECT_EQ(bson_iter_as_int64(&field), c.value) << c.id;
      } else {
        EXPECT_EQ(GetInt64(*stored, c.path), c.value) << c.id;
      }
      continue;
    }
    int64_t line = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].event.key == c.id) line = events[i].line_number;
    }
    BsonPtr reject =
        database_->FindOne("rejects", Concat(R"({"hour":"2015-01-01-15","line":)", line, "}"));
    ASSERT_NE(reject.get(), nullptr) << c.id << " is neither stored nor rejected";
    EXPECT_THAT(GetString(*reject, "reason"), HasSubstr("MongoDB refused the document")) << c.id;
    EXPECT_THAT(GetString(*reject, "reason"), AnyOf(HasSubstr("'.'"), HasSubstr("'$'"))) << c.id;
  }
  EXPECT_NE(database_->FindOne("events", R"({"_id":"plain"})").get(), nullptr);
}

TEST_F(MongoEventStoreTest, OversizedDocumentGoesToRejects) {
  std::string big(17 << 20, 'x');
  std::vector<BatchEvent> events = {
      WithJson("small", R"({"ok":1})", 1),
      WithJson("big", Concat(R"({"body":")", big, R"("})"), 2),
  };
  BatchWriteResult written = Write("2015-01-01-15", events);
  EXPECT_EQ(written.inserted, 1);
  EXPECT_EQ(written.rejected, 1);

  BsonPtr reject = database_->FindOne("rejects", R"({"hour":"2015-01-01-15","line":2})");
  ASSERT_NE(reject.get(), nullptr);
  EXPECT_THAT(GetString(*reject, "reason"), HasSubstr("maximum document size"));
  EXPECT_EQ(GetString(*reject, "text").size(), kMaxRejectedTextBytes);
  EXPECT_EQ(database_->Count("events"), 1);

  // A reload rejects it again under the same hour and line.
  written = Write("2015-01-01-15", events);
  EXPECT_EQ(written.duplicates, 1);
  EXPECT_EQ(written.rejected, 1);
  EXPECT_EQ(database_->Count("rejects"), 1);
}

TEST_F(MongoEventStoreTest, OwnIdFieldGoesToRejects) {
  BatchWriteResult written = Write("h", {WithJson("k", R"({"_id":"mine","ok":1})", 3)});
  EXPECT_EQ(written.rejected, 1);
  BsonPtr reject = database_->FindOne("rejects", R"({"hour":"h","line":3})");
  ASSERT_NE(reject.get(), nullptr);
  EXPECT_THAT(GetString(*reject, "reason"), HasSubstr("'_id'"));
}

// BSON strings must be valid UTF-8, so the store replaces invalid bytes in
// a rejected line with U+FFFD. The conformance suite checks the cut at
// kMaxRejectedTextBytes.
TEST_F(MongoEventStoreTest, RejectTextIsMadeValidUtf8) {
  ASSERT_TRUE(store_->WriteRejects({{"h", 2, "bad", "a\xff" "b"}}).ok());
  BsonPtr repaired = database_->FindOne("rejects", R"({"hour":"h","line":2})");
  ASSERT_NE(repaired.get(), nullptr);
  EXPECT_EQ(GetString(*repaired, "text"), "a\xef\xbf\xbd" "b");
}

// A loader that dies while the server writes its batch leaves the batch's
// keys in the ledger entry; the next claim counts those that landed.
TEST_F(MongoEventStoreTest, InFlightBatchOfACrashIsCounted) {
  int64_t t = UnixSeconds(2015, 1, 1, 15);
  ClaimResult crashed = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(1));
  ASSERT_EQ(crashed.outcome, ClaimOutcome::kClaimed);
  Write("2015-01-01-15",
        {MakeEvent("a", "PushEvent", "o", "o/r", t), MakeEvent("b", "PushEvent", "o", "o/r", t)});
  // The crash: "c" reached the server, "d" did not, and nothing was counted.
  ASSERT_TRUE(database_->Command(
      R"({"update":"jobs","updates":[{"q":{"_id":"2015-01-01-15"},)"
      R"("u":{"$set":{"in_flight_keys":["c","d"]}}}]})"));
  ASSERT_TRUE(database_->Command(R"({"insert":"events","documents":[{"_id":"c"}]})"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  ClaimResult next = Claim("2015-01-01-15", "loader-b");
  ASSERT_EQ(next.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(next.lease.events_stored_before, 3);
  EXPECT_EQ(database_->Count("jobs", R"({"in_flight_keys":{"$exists":true}})"), 0);
}

// A forced reload's batches may hold events stored long before, so a
// crash during it does not count its in-flight batch.
TEST_F(MongoEventStoreTest, InFlightBatchOfAReloadIsNotCounted) {
  int64_t t = UnixSeconds(2015, 1, 1, 15);
  ClaimResult first = Claim("2015-01-01-15", "loader-a");
  Write("2015-01-01-15", {MakeEvent("a", "PushEvent", "o", "o/r", t)});
  HourRecord loaded;
  loaded.state = HourState::kLoaded;
  loaded.stats.events_stored = 1;
  ASSERT_TRUE(store_->CompleteHour(first.lease, loaded).ok());

  ClaimResult reload = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(1), true);
  ASSERT_EQ(reload.outcome, ClaimOutcome::kClaimed);
  ASSERT_TRUE(database_->Command(
      R"({"update":"jobs","updates":[{"q":{"_id":"2015-01-01-15"},)"
      R"("u":{"$set":{"in_flight_keys":["a"]}}}]})"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  ClaimResult next = Claim("2015-01-01-15", "loader-b");
  ASSERT_EQ(next.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(next.lease.events_stored_before, 0);
}

// Timeline events: the login is the `actor` string, the repository is
// owner/name, and the month is that of the UTC time, not of the local time
// the text shows.
TEST_F(MongoEventStoreTest, QueryUserReadsTimelineEventsInUtc) {
  int64_t july_utc = UnixSeconds(2012, 7, 1, 5);  // 2012-06-30T22:01:39-07:00
  int64_t june_utc = UnixSeconds(2012, 6, 30, 15);
  std::vector<BatchEvent> events = {
      MakeTimelineEvent("t1", "PushEvent", "Gyuho", "gyuho", "learn", "2012-06-30T22:01:39-07:00",
                        july_utc + 99),
      MakeTimelineEvent("t2", "PushEvent", "gyuho", "gyuho", "docs", "2012-06-30T08:00:00-07:00",
                        june_utc),
      MakeTimelineEvent("t3", "WatchEvent", "gyuho", "other", "lib", "2012-12-31T23:30:00-08:00",
                        UnixSeconds(2013, 1, 1, 7) + 1800),
      MakeEvent("m1", "PushEvent", "GYUHO", "gyuho/modern", UnixSeconds(2015, 1, 1, 0)),
  };
  ASSERT_EQ(Write("h", events).inserted, 4);

  absl::StatusOr<UserStats> stats = store_->QueryUser("gyuho");
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->events.size(), 2u);
  EXPECT_EQ(stats->events[0].name, "PushEvent");
  EXPECT_EQ(stats->events[0].count, 3);
  EXPECT_EQ(stats->events[1].name, "WatchEvent");

  ASSERT_EQ(stats->events_by_ym.size(), 4u);
  EXPECT_EQ(stats->events_by_ym[0].year, 2012);
  EXPECT_EQ(stats->events_by_ym[0].month, 6);
  EXPECT_EQ(stats->events_by_ym[1].month, 7);
  EXPECT_EQ(stats->events_by_ym[1].events[0].count, 1);
  EXPECT_EQ(stats->events_by_ym[2].year, 2013);
  EXPECT_EQ(stats->events_by_ym[2].month, 1);
  EXPECT_EQ(stats->events_by_ym[2].events[0].name, "WatchEvent");
  EXPECT_EQ(stats->events_by_ym[3].year, 2015);

  EXPECT_THAT(stats->pushed_to, ElementsAre("gyuho/docs", "gyuho/learn", "gyuho/modern"));
}

// The parser takes the login from actor_attributes.login when the event has
// one, else from the actor string; the two may differ in case.
TEST_F(MongoEventStoreTest, QueryUserFollowsTheParsersLogin) {
  int64_t t = UnixSeconds(2012, 6, 1, 6);
  BatchEvent attributes = MakeTimelineEvent("a1", "PushEvent", "Fixture-Erin", "erin", "zeta",
                                            "2012-05-31T23:30:00-07:00", t);
  attributes.event.json =
      R"({"created_at":"2012-05-31T23:30:00-07:00","type":"PushEvent","actor":"fixture-erin",)"
      R"("actor_attributes":{"login":"Fixture-Erin"},"repository":{"name":"zeta","owner":"erin"}})";
  BatchEvent no_attributes = MakeTimelineEvent("a2", "WatchEvent", "Fixture-Erin", "erin",
                                               "zeta", "2012-05-31T23:40:00-07:00", t + 600);
  no_attributes.event.json =
      R"({"created_at":"2012-05-31T23:40:00-07:00","type":"WatchEvent","actor":"Fixture-Erin",)"
      R"("repository":{"name":"zeta","owner":"erin"}})";
  BatchEvent other = MakeTimelineEvent("a3", "ForkEvent", "someone-else", "erin", "zeta",
                                       "2012-05-31T23:50:00-07:00", t + 1200);
  other.event.json =
      R"({"created_at":"2012-05-31T23:50:00-07:00","type":"ForkEvent","actor":"Fixture-Erin",)"
      R"("actor_attributes":{"login":"someone-else"},"repository":{"name":"zeta","owner":"erin"}})";
  BatchEvent organization = MakeTimelineEvent("a4", "PushEvent", "Fixture-Erin", "", "omega",
                                              "2012-05-31T23:55:00-07:00", t + 1500);
  organization.event.json =
      R"({"created_at":"2012-05-31T23:55:00-07:00","type":"PushEvent","actor":"Fixture-Erin",)"
      R"("repository":{"name":"omega","owner":"","organization":"erin-org"}})";
  ASSERT_EQ(Write("h", {attributes, no_attributes, other, organization}).inserted, 4);

  absl::StatusOr<UserStats> stats = store_->QueryUser("fixture-erin");
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->events.size(), 2u);
  EXPECT_EQ(stats->events[0].name, "PushEvent");
  EXPECT_EQ(stats->events[0].count, 2);
  EXPECT_EQ(stats->events[1].name, "WatchEvent");
  ASSERT_EQ(stats->events_by_ym.size(), 1u);
  EXPECT_EQ(stats->events_by_ym[0].month, 6);
  EXPECT_EQ(stats->events_by_ym[0].events.size(), 2u);
  // An empty owner is read from `organization`, as the event parser does.
  EXPECT_THAT(stats->pushed_to, ElementsAre("erin-org/omega", "erin/zeta"));
}

TEST_F(MongoEventStoreTest, CollectionNamesComeFromTheUri) {
  absl::StatusOr<std::unique_ptr<EventStore>> renamed = OpenEventStore(
      database_->Uri("eventsCollection=ev2&rejectsCollection=rj2&jobsCollection=hours2"));
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  ASSERT_TRUE((*renamed)->WriteBatch("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).ok());
  ASSERT_TRUE((*renamed)->WriteRejects({{"h", 1, "empty line", ""}}).ok());
  ASSERT_TRUE((*renamed)->ClaimHour("h", "loader", absl::Seconds(5), false).ok());
  EXPECT_EQ(database_->Count("ev2"), 1);
  EXPECT_EQ(database_->Count("rj2"), 1);
  EXPECT_EQ(database_->Count("hours2"), 1);
  EXPECT_EQ(database_->Count("events"), 0);
}

TEST_F(MongoEventStoreTest, MissingDatabaseIsNotFoundWhenCreationIsOff) {
  MongoTestDatabase empty(*MongoTestDatabase::BaseUri());
  absl::StatusOr<std::unique_ptr<EventStore>> opened =
      OpenEventStore(empty.Uri(""), {.create_if_missing = false});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(opened.status()), HasSubstr(empty.name()));
  EXPECT_THAT(Message(opened.status()), HasSubstr("'events'"));
}

TEST(MongoDatabaseTest, UnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  absl::StatusOr<MongoStoreConfig> config =
      ParseMongoStoreUri("mongodb://127.0.0.1:1/db?serverSelectionTimeoutMS=200");
  ASSERT_TRUE(config.ok()) << config.status();
  MongoOpenOptions options;
  options.startup_retry_budget = absl::Milliseconds(300);
  options.first_backoff = absl::Milliseconds(100);
  absl::Time started = absl::Now();
  absl::StatusOr<std::shared_ptr<MongoDatabase>> database = MongoDatabase::Open(*config, options);
  ASSERT_FALSE(database.ok());
  EXPECT_EQ(database.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Message(database.status()), HasSubstr("mongodb://127.0.0.1:1/db"));
  EXPECT_THAT(Message(database.status()), HasSubstr("not reachable"));
  EXPECT_LT(absl::Now() - started, absl::Seconds(10));
}

}  // namespace
}  // namespace ghloader
