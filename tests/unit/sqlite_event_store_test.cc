// Tests for the SQLite event store: batch writes and their duplicate counts,
// rejects, the hour ledger with leases and fencing tokens, and QueryUser.
#include "store/sqlite/sqlite_event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/store_factory.h"

namespace ghloader {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Message(const absl::Status& status) { return std::string(ToStdView(status.message())); }

int64_t UnixSeconds(int year, int month, int day, int hour) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilHour(year, month, day, hour), absl::UTCTimeZone()));
}

BatchEvent MakeEvent(std::string key, std::string type, std::string login, std::string repo,
                     int64_t created_at, int64_t line_number = 1) {
  BatchEvent item;
  item.event.key = std::move(key);
  item.event.id = item.event.key;
  item.event.type = std::move(type);
  item.event.actor_login = std::move(login);
  item.event.repo_name = std::move(repo);
  item.event.created_at = created_at;
  item.event.json = Concat("{\"key\":\"", item.event.key, "\"}");
  item.line_number = line_number;
  return item;
}

// A fresh SQLite file per test, opened through the store factory.
class SqliteEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / "ghl-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
    path_ = (directory_ / "events.db").string();
    Reopen();
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  void Reopen() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<EventStore>> opened = OpenEventStore(Concat("sqlite:", path_));
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }

  // Runs a query that returns one integer, on a connection of its own.
  int64_t QueryInt(std::string_view sql) {
    absl::StatusOr<std::unique_ptr<sqlite::Connection>> db = sqlite::Connection::Open(path_, 5000);
    EXPECT_TRUE(db.ok()) << db.status();
    absl::StatusOr<sqlite::Statement> statement = (*db)->Prepare(sql);
    EXPECT_TRUE(statement.ok()) << statement.status();
    absl::StatusOr<bool> row = statement->Step();
    EXPECT_TRUE(row.ok()) << row.status();
    EXPECT_TRUE(row.value_or(false)) << "no row from " << sql;
    return statement->ColumnInt64(0);
  }

  std::string QueryText(std::string_view sql) {
    absl::StatusOr<std::unique_ptr<sqlite::Connection>> db = sqlite::Connection::Open(path_, 5000);
    absl::StatusOr<sqlite::Statement> statement = (*db)->Prepare(sql);
    EXPECT_TRUE(statement.ok()) << statement.status();
    absl::StatusOr<bool> row = statement->Step();
    EXPECT_TRUE(row.ok()) << row.status();
    EXPECT_TRUE(row.value_or(false)) << "no row from " << sql;
    return std::string(statement->ColumnText(0));
  }

  ClaimResult Claim(std::string_view hour, std::string_view owner,
                    absl::Duration lease = absl::Seconds(30), bool force = false) {
    absl::StatusOr<ClaimResult> claim = store_->ClaimHour(hour, owner, lease, force);
    EXPECT_TRUE(claim.ok()) << claim.status();
    return claim.ok() ? *claim : ClaimResult{};
  }

  std::filesystem::path directory_;
  std::string path_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(SqliteEventStoreTest, WriteBatchCountsDuplicates) {
  int64_t t = UnixSeconds(2015, 1, 1, 15);
  std::vector<BatchEvent> first = {MakeEvent("a", "PushEvent", "octo", "o/r", t),
                                   MakeEvent("b", "PushEvent", "octo", "o/r", t),
                                   MakeEvent("a", "PushEvent", "octo", "o/r", t)};
  absl::StatusOr<BatchWriteResult> written = store_->WriteBatch("2015-01-01-15", first);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->inserted, 2);
  EXPECT_EQ(written->duplicates, 1);
  EXPECT_EQ(written->rejected, 0);

  std::vector<BatchEvent> second = {MakeEvent("a", "PushEvent", "octo", "o/r", t),
                                    MakeEvent("c", "WatchEvent", "octo", "o/r", t)};
  written = store_->WriteBatch("2015-01-01-15", second);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->inserted, 1);
  EXPECT_EQ(written->duplicates, 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM events"), 3);
}

TEST_F(SqliteEventStoreTest, WriteBatchKeepsTheFirstCopyAndItsJson) {
  int64_t t = UnixSeconds(2015, 1, 1, 15);
  BatchEvent original = MakeEvent("k", "PushEvent", "octo", "o/r", t);
  original.event.json = R"({"id":"k","first":true})";
  BatchEvent replay = MakeEvent("k", "PushEvent", "octo", "o/r", t);
  replay.event.json = R"({"id":"k","first":false})";
  ASSERT_TRUE(store_->WriteBatch("h", {original}).ok());
  ASSERT_TRUE(store_->WriteBatch("h", {replay}).ok());
  EXPECT_EQ(QueryText("SELECT json FROM events WHERE key = 'k'"), R"({"id":"k","first":true})");
}

TEST_F(SqliteEventStoreTest, EmptyLoginAndRepoAreStoredAsNull) {
  ASSERT_TRUE(store_->WriteBatch("h", {MakeEvent("n", "GistEvent", "", "", 0)}).ok());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM events WHERE actor_login IS NULL"), 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM events WHERE repo_name IS NULL"), 1);
}

TEST_F(SqliteEventStoreTest, EmptyBatchWritesNothing) {
  absl::StatusOr<BatchWriteResult> written = store_->WriteBatch("h", {});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->inserted, 0);
  EXPECT_EQ(written->duplicates, 0);
}

TEST_F(SqliteEventStoreTest, RejectsReplaceTheSameHourAndLine) {
  ASSERT_TRUE(store_->WriteRejects({{"2015-01-01-15", 7, "not valid JSON", "{oops"},
                                    {"2015-01-01-15", 9, "empty line", ""}})
                  .ok());
  ASSERT_TRUE(store_->WriteRejects({{"2015-01-01-15", 7, "the line is a JSON array", "[1]"},
                                    {"2015-01-01-16", 7, "empty line", ""}})
                  .ok());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), 3);
  EXPECT_EQ(QueryText("SELECT reason FROM rejects WHERE hour = '2015-01-01-15' AND line = 7"),
            "the line is a JSON array");
  EXPECT_EQ(QueryText("SELECT text FROM rejects WHERE hour = '2015-01-01-15' AND line = 7"), "[1]");
  EXPECT_TRUE(store_->WriteRejects({}).ok());
}

TEST_F(SqliteEventStoreTest, RejectTextIsCutAtTheLimit) {
  std::string huge(kMaxRejectedTextBytes + 1000, 'z');
  ASSERT_TRUE(store_->WriteRejects({{"h", 1, "too long", huge}}).ok());
  EXPECT_EQ(QueryInt("SELECT length(text) FROM rejects"),
            static_cast<int64_t>(kMaxRejectedTextBytes));
}

TEST_F(SqliteEventStoreTest, FirstClaimGetsTokenOne) {
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

TEST_F(SqliteEventStoreTest, SecondClaimWhileLeaseIsLiveIsHeldByOther) {
  ClaimResult first = Claim("2015-01-01-15", "loader-a");
  ASSERT_EQ(first.outcome, ClaimOutcome::kClaimed);

  ClaimResult second = Claim("2015-01-01-15", "loader-b");
  EXPECT_EQ(second.outcome, ClaimOutcome::kHeldByOther);
  EXPECT_EQ(second.current.lease_owner, "loader-a");
  EXPECT_EQ(second.current.fencing_token, 1);
  EXPECT_EQ(second.current.state, HourState::kLoading);

  // Force does not take a live lease away either.
  ClaimResult forced = Claim("2015-01-01-15", "loader-b", absl::Seconds(30), true);
  EXPECT_EQ(forced.outcome, ClaimOutcome::kHeldByOther);

  // The first lease still completes.
  HourRecord record;
  record.state = HourState::kLoaded;
  EXPECT_TRUE(store_->CompleteHour(first.lease, record).ok());
}

TEST_F(SqliteEventStoreTest, ExpiredLeaseIsTakenOverWithAHigherToken) {
  ClaimResult old_claim = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(1));
  ASSERT_EQ(old_claim.outcome, ClaimOutcome::kClaimed);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  ClaimResult new_claim = Claim("2015-01-01-15", "loader-b");
  ASSERT_EQ(new_claim.outcome, ClaimOutcome::kClaimed);
  EXPECT_GT(new_claim.lease.fencing_token, old_claim.lease.fencing_token);
  EXPECT_EQ(new_claim.current.lease_owner, "loader-a");

  // The old holder can no longer renew, complete or release the hour...
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

  // ...and nothing it tried was written.
  absl::StatusOr<std::optional<HourRecord>> record = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ((*record)->state, HourState::kLoading);
  EXPECT_EQ((*record)->lease_owner, "loader-b");
  EXPECT_EQ((*record)->stats.events_stored, 0);

  // The new holder completes.
  loaded.stats.events_stored = 5;
  ASSERT_TRUE(store_->CompleteHour(new_claim.lease, loaded).ok());
  record = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ((*record)->state, HourState::kLoaded);
  EXPECT_EQ((*record)->stats.events_stored, 5);
  EXPECT_EQ((*record)->lease_owner, "");
}

TEST_F(SqliteEventStoreTest, CompleteHourWritesTheWholeRecord) {
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

TEST_F(SqliteEventStoreTest, LoadedHourIsAlreadyLoadedUnlessForced) {
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
  // A reload starts its count from zero: the hour had ended.
  EXPECT_EQ(forced.lease.events_stored_before, 0);
}

TEST_F(SqliteEventStoreTest, MissingAndFailedHoursAreClaimedAgain) {
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
    // A new claim clears the previous error.
    EXPECT_EQ((*read)->error, "");
  }
}

TEST_F(SqliteEventStoreTest, RenewLeaseExtendsTheExpiry) {
  ClaimResult claim = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(50));
  Lease lease = claim.lease;
  absl::Time before = lease.expires_at;
  ASSERT_TRUE(store_->RenewLease(lease, absl::Seconds(60)).ok());
  EXPECT_GT(lease.expires_at, before + absl::Seconds(30));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  // The renewed lease is still live, so another loader cannot take it.
  EXPECT_EQ(Claim("2015-01-01-15", "loader-b").outcome, ClaimOutcome::kHeldByOther);
}

TEST_F(SqliteEventStoreTest, ReleasedHourIsPendingAndClaimable) {
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

TEST_F(SqliteEventStoreTest, UnfinishedAttemptCarriesItsStoredCount) {
  int64_t t = UnixSeconds(2015, 1, 1, 15);
  ClaimResult crashed = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(1));
  ASSERT_TRUE(store_->WriteBatch("2015-01-01-15", {MakeEvent("a", "PushEvent", "o", "o/r", t),
                                                   MakeEvent("b", "PushEvent", "o", "o/r", t)})
                  .ok());
  ASSERT_TRUE(store_->WriteBatch("2015-01-01-15", {MakeEvent("b", "PushEvent", "o", "o/r", t),
                                                   MakeEvent("c", "PushEvent", "o", "o/r", t)})
                  .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  // The next claim learns what the unfinished attempt stored.
  ClaimResult next = Claim("2015-01-01-15", "loader-b");
  ASSERT_EQ(next.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(next.lease.events_stored_before, 3);
  EXPECT_GT(next.lease.fencing_token, crashed.lease.fencing_token);
}

TEST_F(SqliteEventStoreTest, UnknownHourIsNullopt) {
  absl::StatusOr<std::optional<HourRecord>> read = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
}

TEST_F(SqliteEventStoreTest, QueryUserIsCaseInsensitiveAndSorted) {
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
  ASSERT_TRUE(store_->WriteBatch("h", events).ok());

  for (std::string_view login : {"octo", "OCTO", "oCtO"}) {
    absl::StatusOr<UserStats> stats = store_->QueryUser(login);
    ASSERT_TRUE(stats.ok()) << stats.status();

    // By count descending, then by name.
    ASSERT_EQ(stats->events.size(), 4u);
    EXPECT_EQ(stats->events[0].name, "PushEvent");
    EXPECT_EQ(stats->events[0].count, 4);
    EXPECT_EQ(stats->events[1].name, "CreateEvent");
    EXPECT_EQ(stats->events[2].name, "IssuesEvent");
    EXPECT_EQ(stats->events[3].name, "WatchEvent");

    // By year and month, in UTC.
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

    // Distinct, sorted, and only repositories of PushEvents.
    EXPECT_THAT(stats->pushed_to, ElementsAre("octo/alpha", "octo/zeta"));
  }
}

TEST_F(SqliteEventStoreTest, QueryOfUnknownLoginIsEmpty) {
  ASSERT_TRUE(store_->WriteBatch("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).ok());
  absl::StatusOr<UserStats> stats = store_->QueryUser("nobody-here");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_THAT(stats->events, IsEmpty());
  EXPECT_THAT(stats->events_by_ym, IsEmpty());
  EXPECT_THAT(stats->pushed_to, IsEmpty());
}

TEST_F(SqliteEventStoreTest, QueryTreatsLikePatternsLiterally) {
  ASSERT_TRUE(store_->WriteBatch("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).ok());
  absl::StatusOr<UserStats> stats = store_->QueryUser("oct%");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_THAT(stats->events, IsEmpty());
}

TEST_F(SqliteEventStoreTest, NewFileUsesLargePagesAndWal) {
  EXPECT_EQ(QueryInt("PRAGMA page_size"), 16384);
  EXPECT_EQ(QueryText("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteEventStoreTest, DataSurvivesReopen) {
  ASSERT_TRUE(store_->WriteBatch("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).ok());
  Reopen();
  absl::StatusOr<UserStats> stats = store_->QueryUser("octo");
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->events.size(), 1u);
  absl::StatusOr<BatchWriteResult> again =
      store_->WriteBatch("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 1);
}

TEST(StoreFactoryTest, RejectsUnknownSchemes) {
  absl::StatusOr<Stores> stores = OpenStores("mysql://localhost/db");
  ASSERT_FALSE(stores.ok());
  EXPECT_EQ(stores.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(stores.status()), HasSubstr("'mysql://localhost/db'"));
  EXPECT_THAT(Message(stores.status()), HasSubstr("sqlite:PATH"));
}

TEST(StoreFactoryTest, RejectsAnEmptySqlitePath) {
  absl::StatusOr<Stores> stores = OpenStores("sqlite:");
  ASSERT_FALSE(stores.ok());
  EXPECT_EQ(stores.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(stores.status()), HasSubstr("sqlite:"));
}

TEST(StoreFactoryTest, MissingFileIsNotFoundWhenCreationIsOff) {
  std::string path =
      (std::filesystem::path(::testing::TempDir()) / Concat("ghl-missing-", getpid(), ".db"))
          .string();
  std::filesystem::remove(path);
  absl::StatusOr<Stores> stores = OpenStores(Concat("sqlite:", path), {.create_if_missing = false});
  ASSERT_FALSE(stores.ok());
  EXPECT_EQ(stores.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(stores.status()), HasSubstr(path));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(StoreFactoryTest, UnwritableDirectoryFails) {
  absl::StatusOr<Stores> stores = OpenStores("sqlite:/nonexistent-directory/ghloader.db");
  ASSERT_FALSE(stores.ok());
  EXPECT_THAT(Message(stores.status()), HasSubstr("/nonexistent-directory/ghloader.db"));
}

}  // namespace
}  // namespace ghloader
