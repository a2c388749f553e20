// Tests for the MongoDB event store against a real server (FerretDB in the
// test scripts, see tests/integration/mongo_suite_test.sh): batch writes
// with duplicate counts and rejects, the stored document shape and value
// types, the hour ledger with leases and fencing tokens, and QueryUser.
// Skipped when GHLOADER_TEST_MONGODB_URI is not set.
#include "store/mongo/mongo_event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "mongo_test_database.h"
#include "store/store_factory.h"

namespace ghloader {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Message(const absl::Status& status) { return std::string(ToStdView(status.message())); }

int64_t UnixSeconds(int year, int month, int day, int hour) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilHour(year, month, day, hour), absl::UTCTimeZone()));
}

std::string Rfc3339(int64_t seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(seconds),
                          absl::UTCTimeZone());
}

// An Events API event whose JSON agrees with its parsed fields.
BatchEvent MakeEvent(std::string key, std::string type, std::string login, std::string repo,
                     int64_t created_at, int64_t line_number = 1) {
  BatchEvent item;
  Event& event = item.event;
  event.key = std::move(key);
  event.id = event.key;
  event.type = std::move(type);
  event.actor_login = std::move(login);
  event.repo_name = std::move(repo);
  event.created_at = created_at;
  std::string actor = event.actor_login.empty()
                          ? "{}"
                          : Concat("{\"login\":\"", event.actor_login, "\"}");
  std::string repo_name = event.repo_name.empty() ? "/" : event.repo_name;
  event.json = Concat("{\"id\":\"", event.id, "\",\"type\":\"", event.type,
                      "\",\"actor\":", actor, ",\"repo\":{\"name\":\"", repo_name,
                      "\"},\"created_at\":\"", Rfc3339(created_at), "\"}");
  item.line_number = line_number;
  return item;
}

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

BatchEvent WithJson(std::string key, std::string json, int64_t line_number = 1) {
  BatchEvent item = MakeEvent(std::move(key), "PushEvent", "", "", UnixSeconds(2015, 1, 1, 15),
                              line_number);
  item.event.json = std::move(json);
  return item;
}

class MongoEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> base_uri = MongoTestDatabase::BaseUri();
    if (!base_uri.has_value()) GTEST_SKIP() << "GHLOADER_TEST_MONGODB_URI is not set";
    database_ = std::make_unique<MongoTestDatabase>(*base_uri);
    Reopen();
  }

  void Reopen() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<EventStore>> opened = OpenEventStore(database_->Uri(""));
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }

  ClaimResult Claim(std::string_view hour, std::string_view owner,
                    absl::Duration lease = absl::Seconds(30), bool force = false) {
    absl::StatusOr<ClaimResult> claim = store_->ClaimHour(hour, owner, lease, force);
    EXPECT_TRUE(claim.ok()) << claim.status();
    return claim.ok() ? *claim : ClaimResult{};
  }

  BatchWriteResult Write(std::string_view hour, const std::vector<BatchEvent>& events) {
    absl::StatusOr<BatchWriteResult> written = store_->WriteBatch(hour, events);
    EXPECT_TRUE(written.ok()) << written.status();
    return written.ok() ? *written : BatchWriteResult{};
  }

  std::unique_ptr<MongoTestDatabase> database_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(MongoEventStoreTest, WriteBatchCountsDuplicates) {
  int64_t t = UnixSeconds(2015, 1, 1, 15);
  BatchWriteResult written = Write("2015-01-01-15", {MakeEvent("a", "PushEvent", "octo", "o/r", t),
                                                     MakeEvent("b", "PushEvent", "octo", "o/r", t),
                                                     MakeEvent("a", "PushEvent", "octo", "o/r", t)});
  EXPECT_EQ(written.inserted, 2);
  EXPECT_EQ(written.duplicates, 1);
  EXPECT_EQ(written.rejected, 0);

  written = Write("2015-01-01-15", {MakeEvent("a", "PushEvent", "octo", "o/r", t),
                                    MakeEvent("c", "WatchEvent", "octo", "o/r", t)});
  EXPECT_EQ(written.inserted, 1);
  EXPECT_EQ(written.duplicates, 1);
  EXPECT_EQ(database_->Count("events"), 3);
}

TEST_F(MongoEventStoreTest, WriteBatchKeepsTheFirstCopy) {
  ASSERT_EQ(Write("h", {WithJson("k", R"({"id":"k","first":true})")}).inserted, 1);
  EXPECT_EQ(Write("h", {WithJson("k", R"({"id":"k","first":false})")}).duplicates, 1);
  BsonPtr stored = database_->FindOne("events", R"({"_id":"k"})");
  ASSERT_NE(stored.get(), nullptr);
  EXPECT_TRUE(GetBool(*stored, "first"));
}

TEST_F(MongoEventStoreTest, EmptyBatchWritesNothing) {
  BatchWriteResult written = Write("h", {});
  EXPECT_EQ(written.inserted, 0);
  EXPECT_EQ(written.duplicates, 0);
  EXPECT_EQ(written.rejected, 0);
}

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

TEST_F(MongoEventStoreTest, RejectsReplaceTheSameHourAndLine) {
  ASSERT_TRUE(store_->WriteRejects({{"2015-01-01-15", 7, "not valid JSON", "{oops"},
                                    {"2015-01-01-15", 9, "empty line", ""}})
                  .ok());
  ASSERT_TRUE(store_->WriteRejects({{"2015-01-01-15", 7, "the line is a JSON array", "[1]"},
                                    {"2015-01-01-16", 7, "empty line", ""}})
                  .ok());
  EXPECT_EQ(database_->Count("rejects"), 3);
  BsonPtr reject = database_->FindOne("rejects", R"({"hour":"2015-01-01-15","line":7})");
  ASSERT_NE(reject.get(), nullptr);
  EXPECT_EQ(GetString(*reject, "reason"), "the line is a JSON array");
  EXPECT_EQ(GetString(*reject, "text"), "[1]");
  EXPECT_TRUE(store_->WriteRejects({}).ok());
}

TEST_F(MongoEventStoreTest, RejectTextIsCutAndMadeValidUtf8) {
  std::string huge(kMaxRejectedTextBytes + 1000, 'z');
  ASSERT_TRUE(store_->WriteRejects({{"h", 1, "too long", huge}, {"h", 2, "bad", "a\xff" "b"}}).ok());
  BsonPtr cut = database_->FindOne("rejects", R"({"hour":"h","line":1})");
  ASSERT_NE(cut.get(), nullptr);
  EXPECT_EQ(GetString(*cut, "text").size(), kMaxRejectedTextBytes);
  BsonPtr repaired = database_->FindOne("rejects", R"({"hour":"h","line":2})");
  ASSERT_NE(repaired.get(), nullptr);
  EXPECT_EQ(GetString(*repaired, "text"), "a\xef\xbf\xbd" "b");
}

TEST_F(MongoEventStoreTest, FirstClaimGetsTokenOne) {
  ClaimResult claim = Claim("2015-01-01-15", "loader-a");
  EXPECT_EQ(claim.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(claim.lease.hour, "2015-01-01-15");
  EXPECT_EQ(claim.lease.owner, "loader-a");
  EXPECT_EQ(claim.lease.fencing_token, 1);
  EXPECT_GT(claim.lease.expires_at, absl::Now());
  EXPECT_EQ(claim.lease.events_stored_before, 0);

  absl::StatusOr<std::optional<HourRecord>> record = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ((*record)->state, HourState::kLoading);
  EXPECT_EQ((*record)->lease_owner, "loader-a");
  EXPECT_EQ((*record)->fencing_token, 1);
}

TEST_F(MongoEventStoreTest, SecondClaimWhileLeaseIsLiveIsHeldByOther) {
  ClaimResult first = Claim("2015-01-01-15", "loader-a");
  ASSERT_EQ(first.outcome, ClaimOutcome::kClaimed);

  ClaimResult second = Claim("2015-01-01-15", "loader-b");
  EXPECT_EQ(second.outcome, ClaimOutcome::kHeldByOther);
  EXPECT_EQ(second.current.lease_owner, "loader-a");
  EXPECT_EQ(second.current.fencing_token, 1);
  EXPECT_EQ(second.current.state, HourState::kLoading);

  ClaimResult forced = Claim("2015-01-01-15", "loader-b", absl::Seconds(30), true);
  EXPECT_EQ(forced.outcome, ClaimOutcome::kHeldByOther);

  HourRecord record;
  record.state = HourState::kLoaded;
  EXPECT_TRUE(store_->CompleteHour(first.lease, record).ok());
}

TEST_F(MongoEventStoreTest, ExpiredLeaseIsTakenOverWithAHigherToken) {
  ClaimResult old_claim = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(1));
  ASSERT_EQ(old_claim.outcome, ClaimOutcome::kClaimed);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  ClaimResult new_claim = Claim("2015-01-01-15", "loader-b");
  ASSERT_EQ(new_claim.outcome, ClaimOutcome::kClaimed);
  EXPECT_GT(new_claim.lease.fencing_token, old_claim.lease.fencing_token);
  EXPECT_EQ(new_claim.current.lease_owner, "loader-a");

  HourRecord loaded;
  loaded.state = HourState::kLoaded;
  loaded.stats.events_stored = 99;
  absl::Status completed = store_->CompleteHour(old_claim.lease, loaded);
  EXPECT_EQ(completed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(completed), HasSubstr("2015-01-01-15"));
  EXPECT_THAT(Message(completed), HasSubstr("taken over"));
  Lease old_lease = old_claim.lease;
  EXPECT_EQ(store_->RenewLease(old_lease, absl::Seconds(30)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ReleaseHour(old_claim.lease).code(), absl::StatusCode::kFailedPrecondition);

  absl::StatusOr<std::optional<HourRecord>> record = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ((*record)->state, HourState::kLoading);
  EXPECT_EQ((*record)->lease_owner, "loader-b");
  EXPECT_EQ((*record)->stats.events_stored, 0);

  loaded.stats.events_stored = 5;
  ASSERT_TRUE(store_->CompleteHour(new_claim.lease, loaded).ok());
  record = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ((*record)->state, HourState::kLoaded);
  EXPECT_EQ((*record)->stats.events_stored, 5);
  EXPECT_EQ((*record)->lease_owner, "");
}

TEST_F(MongoEventStoreTest, ConcurrentClaimsHaveOneWinner) {
  constexpr int kLoaders = 8;
  std::vector<ClaimOutcome> outcomes(kLoaders);
  std::vector<std::thread> loaders;
  for (int i = 0; i < kLoaders; ++i) {
    loaders.emplace_back([&, i] {
      absl::StatusOr<ClaimResult> claim =
          store_->ClaimHour("2015-01-01-15", Concat("loader-", i), absl::Seconds(30), false);
      outcomes[i] = claim.ok() ? claim->outcome : ClaimOutcome::kAlreadyLoaded;
    });
  }
  for (std::thread& loader : loaders) loader.join();
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), ClaimOutcome::kClaimed), 1);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), ClaimOutcome::kHeldByOther),
            kLoaders - 1);
}

TEST_F(MongoEventStoreTest, CompleteHourWritesTheWholeRecord) {
  ClaimResult claim = Claim("2015-01-01-15", "loader-a");
  HourRecord record;
  record.state = HourState::kLoaded;
  record.stats = {.lines = 10, .events_stored = 7, .duplicates = 1, .lines_rejected = 2,
                  .lines_repaired = 1, .compressed_bytes = 1234, .decompressed_bytes = 5678,
                  .seconds = 1.5, .fingerprint = "00ff"};
  record.source = "http://127.0.0.1:1/2015-01-01-15.json.gz";
  ASSERT_TRUE(store_->CompleteHour(claim.lease, record).ok());

  Reopen();
  absl::StatusOr<std::optional<HourRecord>> read = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  const HourRecord& stored = **read;
  EXPECT_EQ(stored.hour, "2015-01-01-15");
  EXPECT_EQ(stored.state, HourState::kLoaded);
  EXPECT_EQ(stored.stats.lines, 10);
  EXPECT_EQ(stored.stats.events_stored, 7);
  EXPECT_EQ(stored.stats.duplicates, 1);
  EXPECT_EQ(stored.stats.lines_rejected, 2);
  EXPECT_EQ(stored.stats.lines_repaired, 1);
  EXPECT_EQ(stored.stats.compressed_bytes, 1234);
  EXPECT_EQ(stored.stats.decompressed_bytes, 5678);
  EXPECT_DOUBLE_EQ(stored.stats.seconds, 1.5);
  EXPECT_EQ(stored.stats.fingerprint, "00ff");
  EXPECT_EQ(stored.source, record.source);
  EXPECT_EQ(stored.error, "");
  EXPECT_EQ(stored.lease_expires_at, absl::InfinitePast());
  EXPECT_GT(stored.updated_at, absl::Now() - absl::Minutes(1));
}

TEST_F(MongoEventStoreTest, LoadedHourIsAlreadyLoadedUnlessForced) {
  ClaimResult claim = Claim("2015-01-01-15", "loader-a");
  HourRecord record;
  record.state = HourState::kLoaded;
  record.stats.events_stored = 11;
  ASSERT_TRUE(store_->CompleteHour(claim.lease, record).ok());

  ClaimResult again = Claim("2015-01-01-15", "loader-b");
  EXPECT_EQ(again.outcome, ClaimOutcome::kAlreadyLoaded);
  EXPECT_EQ(again.current.state, HourState::kLoaded);
  EXPECT_EQ(again.current.stats.events_stored, 11);

  ClaimResult forced = Claim("2015-01-01-15", "loader-b", absl::Seconds(30), true);
  EXPECT_EQ(forced.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(forced.lease.fencing_token, 2);
  EXPECT_EQ(forced.lease.events_stored_before, 0);
}

TEST_F(MongoEventStoreTest, MissingAndFailedHoursAreClaimedAgain) {
  for (HourState state : {HourState::kMissing, HourState::kFailed}) {
    std::string hour = Concat("2015-01-01-", static_cast<int>(state));
    ClaimResult claim = Claim(hour, "loader-a");
    HourRecord record;
    record.state = state;
    record.error = state == HourState::kFailed ? "corrupt gzip file" : "";
    ASSERT_TRUE(store_->CompleteHour(claim.lease, record).ok());

    ClaimResult again = Claim(hour, "loader-b");
    EXPECT_EQ(again.outcome, ClaimOutcome::kClaimed) << HourStateName(state);
    EXPECT_EQ(again.current.state, state);
    EXPECT_EQ(again.lease.fencing_token, 2);

    absl::StatusOr<std::optional<HourRecord>> read = store_->GetHour(hour);
    ASSERT_TRUE(read.ok()) << read.status();
    ASSERT_TRUE(read->has_value());
    EXPECT_EQ((*read)->error, "");
  }
}

TEST_F(MongoEventStoreTest, RenewLeaseExtendsTheExpiry) {
  ClaimResult claim = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(50));
  Lease lease = claim.lease;
  absl::Time before = lease.expires_at;
  ASSERT_TRUE(store_->RenewLease(lease, absl::Seconds(60)).ok());
  EXPECT_GT(lease.expires_at, before + absl::Seconds(30));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Claim("2015-01-01-15", "loader-b").outcome, ClaimOutcome::kHeldByOther);
}

TEST_F(MongoEventStoreTest, ReleasedHourIsPendingAndClaimable) {
  ClaimResult claim = Claim("2015-01-01-15", "loader-a");
  ASSERT_TRUE(store_->ReleaseHour(claim.lease).ok());
  absl::StatusOr<std::optional<HourRecord>> read = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->state, HourState::kPending);
  EXPECT_EQ((*read)->lease_owner, "");

  ClaimResult again = Claim("2015-01-01-15", "loader-b");
  EXPECT_EQ(again.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(again.lease.fencing_token, 2);
}

TEST_F(MongoEventStoreTest, UnfinishedAttemptCarriesItsStoredCount) {
  int64_t t = UnixSeconds(2015, 1, 1, 15);
  ClaimResult crashed = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(1));
  Write("2015-01-01-15",
        {MakeEvent("a", "PushEvent", "o", "o/r", t), MakeEvent("b", "PushEvent", "o", "o/r", t)});
  Write("2015-01-01-15",
        {MakeEvent("b", "PushEvent", "o", "o/r", t), MakeEvent("c", "PushEvent", "o", "o/r", t)});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  ClaimResult next = Claim("2015-01-01-15", "loader-b");
  ASSERT_EQ(next.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(next.lease.events_stored_before, 3);
  EXPECT_GT(next.lease.fencing_token, crashed.lease.fencing_token);
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

TEST_F(MongoEventStoreTest, UnknownHourIsNullopt) {
  absl::StatusOr<std::optional<HourRecord>> read = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
}

TEST_F(MongoEventStoreTest, QueryUserIsCaseInsensitiveAndSorted) {
  std::vector<BatchEvent> events = {
      MakeEvent("1", "PushEvent", "Octo", "octo/zeta", UnixSeconds(2015, 1, 1, 0)),
      MakeEvent("2", "PushEvent", "octo", "octo/alpha", UnixSeconds(2015, 1, 31, 23)),
      MakeEvent("3", "PushEvent", "OCTO", "octo/alpha", UnixSeconds(2014, 12, 31, 23)),
      MakeEvent("4", "WatchEvent", "octo", "other/repo", UnixSeconds(2015, 2, 1, 0)),
      MakeEvent("5", "IssuesEvent", "octo", "other/repo", UnixSeconds(2015, 2, 1, 1)),
      MakeEvent("6", "CreateEvent", "octo", "octo/new", UnixSeconds(2015, 2, 1, 2)),
      MakeEvent("7", "PushEvent", "octo", "", UnixSeconds(2015, 2, 1, 3)),
      MakeEvent("8", "PushEvent", "octocat", "octocat/x", UnixSeconds(2015, 1, 1, 0)),
      MakeEvent("9", "PushEvent", "", "anonymous/x", UnixSeconds(2015, 1, 1, 0)),
  };
  ASSERT_EQ(Write("h", events).inserted, 9);

  for (std::string_view login : {"octo", "OCTO", "oCtO"}) {
    absl::StatusOr<UserStats> stats = store_->QueryUser(login);
    ASSERT_TRUE(stats.ok()) << stats.status();

    ASSERT_EQ(stats->events.size(), 4u);
    EXPECT_EQ(stats->events[0].name, "PushEvent");
    EXPECT_EQ(stats->events[0].count, 4);
    EXPECT_EQ(stats->events[1].name, "CreateEvent");
    EXPECT_EQ(stats->events[2].name, "IssuesEvent");
    EXPECT_EQ(stats->events[3].name, "WatchEvent");

    ASSERT_EQ(stats->events_by_ym.size(), 3u);
    EXPECT_EQ(stats->events_by_ym[0].year, 2014);
    EXPECT_EQ(stats->events_by_ym[0].month, 12);
    EXPECT_EQ(stats->events_by_ym[1].year, 2015);
    EXPECT_EQ(stats->events_by_ym[1].month, 1);
    ASSERT_EQ(stats->events_by_ym[1].events.size(), 1u);
    EXPECT_EQ(stats->events_by_ym[1].events[0].count, 2);
    EXPECT_EQ(stats->events_by_ym[2].month, 2);
    ASSERT_EQ(stats->events_by_ym[2].events.size(), 4u);
    EXPECT_EQ(stats->events_by_ym[2].events[0].name, "CreateEvent");
    EXPECT_EQ(stats->events_by_ym[2].events[3].name, "WatchEvent");

    EXPECT_THAT(stats->pushed_to, ElementsAre("octo/alpha", "octo/zeta"));
  }
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

TEST_F(MongoEventStoreTest, QueryOfUnknownLoginIsEmpty) {
  ASSERT_EQ(Write("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).inserted, 1);
  absl::StatusOr<UserStats> stats = store_->QueryUser("nobody-here");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_THAT(stats->events, IsEmpty());
  EXPECT_THAT(stats->events_by_ym, IsEmpty());
  EXPECT_THAT(stats->pushed_to, IsEmpty());
}

TEST_F(MongoEventStoreTest, QueryTreatsPatternsLiterally) {
  ASSERT_EQ(Write("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).inserted, 1);
  for (std::string_view login : {"oct.", "^octo$", "oct%"}) {
    absl::StatusOr<UserStats> stats = store_->QueryUser(login);
    ASSERT_TRUE(stats.ok()) << stats.status();
    EXPECT_THAT(stats->events, IsEmpty()) << login;
  }
}

TEST_F(MongoEventStoreTest, DataSurvivesReopen) {
  ASSERT_EQ(Write("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).inserted, 1);
  Reopen();
  absl::StatusOr<UserStats> stats = store_->QueryUser("octo");
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->events.size(), 1u);
  EXPECT_EQ(Write("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).duplicates, 1);
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
