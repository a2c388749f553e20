// Conformance tests of the EventStore interface, run over every backend in
// store_test_support.h. They cover batch writes and their duplicate counts,
// rejects, the hour ledger with leases and fencing tokens, and QueryUser.
// The MongoDB cases are skipped when GHLOADER_TEST_MONGODB_URI is not set.
// Backend-only behaviour is tested in sqlite_event_store_test.cc and
// mongo_event_store_test.cc.
#include "store/event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "store/store_factory.h"
#include "store_test_support.h"

namespace ghloader {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// EventStoreCalls is destroyed first, so store_ closes before location_ is
// removed.
class EventStoreConformanceTest : public StoreBackendTest, public EventStoreCalls {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Reopen();
  }

  void Reopen() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<EventStore>> opened = OpenEventStore(location_->Uri());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }
};

TEST_P(EventStoreConformanceTest, WriteBatchCountsDuplicates) {
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
  EXPECT_EQ(location_->Count("events"), 3);
}

TEST_P(EventStoreConformanceTest, WriteBatchKeepsTheFirstCopy) {
  ASSERT_EQ(Write("h", {WithJson("k", R"({"id":"k","first":true})")}).inserted, 1);
  EXPECT_EQ(Write("h", {WithJson("k", R"({"id":"k","first":false})")}).duplicates, 1);
  EXPECT_EQ(location_->FindEventJson("k"), R"({"id":"k","first":true})");
}

TEST_P(EventStoreConformanceTest, EmptyBatchWritesNothing) {
  BatchWriteResult written = Write("h", {});
  EXPECT_EQ(written.inserted, 0);
  EXPECT_EQ(written.duplicates, 0);
  EXPECT_EQ(written.rejected, 0);
}

TEST_P(EventStoreConformanceTest, RejectsReplaceTheSameHourAndLine) {
  ASSERT_TRUE(store_->WriteRejects({{"2015-01-01-15", 7, "not valid JSON", "{oops"},
                                    {"2015-01-01-15", 9, "empty line", ""}})
                  .ok());
  ASSERT_TRUE(store_->WriteRejects({{"2015-01-01-15", 7, "the line is a JSON array", "[1]"},
                                    {"2015-01-01-16", 7, "empty line", ""}})
                  .ok());
  EXPECT_EQ(location_->Count("rejects"), 3);
  std::optional<RejectedLine> reject = location_->FindReject("2015-01-01-15", 7);
  ASSERT_TRUE(reject.has_value());
  EXPECT_EQ(reject->reason, "the line is a JSON array");
  EXPECT_EQ(reject->text, "[1]");
  EXPECT_TRUE(store_->WriteRejects({}).ok());
}

TEST_P(EventStoreConformanceTest, RejectTextIsCutAtTheLimit) {
  std::string huge(kMaxRejectedTextBytes + 1000, 'z');
  ASSERT_TRUE(store_->WriteRejects({{"h", 1, "too long", huge}}).ok());
  std::optional<RejectedLine> cut = location_->FindReject("h", 1);
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->text.size(), kMaxRejectedTextBytes);
}

TEST_P(EventStoreConformanceTest, FirstClaimGetsTokenOne) {
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

TEST_P(EventStoreConformanceTest, SecondClaimWhileLeaseIsLiveIsHeldByOther) {
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

TEST_P(EventStoreConformanceTest, ExpiredLeaseIsTakenOverWithAHigherToken) {
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

TEST_P(EventStoreConformanceTest, ConcurrentClaimsHaveOneWinner) {
  constexpr int kLoaders = 8;
  std::vector<ClaimOutcome> outcomes(kLoaders);
  std::vector<std::thread> loaders;
  for (int i = 0; i < kLoaders; ++i) {
    loaders.emplace_back([&, i] {
      absl::StatusOr<ClaimResult> claim =
          store_->ClaimHour("2015-01-01-15", Concat("loader-", i), absl::Seconds(30), false);
      // A failed claim counts as neither outcome checked below.
      outcomes[i] = claim.ok() ? claim->outcome : ClaimOutcome::kAlreadyLoaded;
    });
  }
  for (std::thread& loader : loaders) loader.join();
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), ClaimOutcome::kClaimed), 1);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), ClaimOutcome::kHeldByOther),
            kLoaders - 1);
}

TEST_P(EventStoreConformanceTest, CompleteHourWritesTheWholeRecord) {
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

TEST_P(EventStoreConformanceTest, LoadedHourIsAlreadyLoadedUnlessForced) {
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

TEST_P(EventStoreConformanceTest, MissingAndFailedHoursAreClaimedAgain) {
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

TEST_P(EventStoreConformanceTest, RenewLeaseExtendsTheExpiry) {
  ClaimResult claim = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(50));
  Lease lease = claim.lease;
  absl::Time before = lease.expires_at;
  ASSERT_TRUE(store_->RenewLease(lease, absl::Seconds(60)).ok());
  EXPECT_GT(lease.expires_at, before + absl::Seconds(30));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  // The renewed lease is still live, so another loader cannot take it.
  EXPECT_EQ(Claim("2015-01-01-15", "loader-b").outcome, ClaimOutcome::kHeldByOther);
}

TEST_P(EventStoreConformanceTest, ReleasedHourIsPendingAndClaimable) {
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

TEST_P(EventStoreConformanceTest, UnfinishedAttemptCarriesItsStoredCount) {
  int64_t t = UnixSeconds(2015, 1, 1, 15);
  ClaimResult crashed = Claim("2015-01-01-15", "loader-a", absl::Milliseconds(1));
  Write("2015-01-01-15",
        {MakeEvent("a", "PushEvent", "o", "o/r", t), MakeEvent("b", "PushEvent", "o", "o/r", t)});
  Write("2015-01-01-15",
        {MakeEvent("b", "PushEvent", "o", "o/r", t), MakeEvent("c", "PushEvent", "o", "o/r", t)});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  // The next claim learns what the unfinished attempt stored.
  ClaimResult next = Claim("2015-01-01-15", "loader-b");
  ASSERT_EQ(next.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(next.lease.events_stored_before, 3);
  EXPECT_GT(next.lease.fencing_token, crashed.lease.fencing_token);
}

TEST_P(EventStoreConformanceTest, UnknownHourIsNullopt) {
  absl::StatusOr<std::optional<HourRecord>> read = store_->GetHour("2015-01-01-15");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
}

TEST_P(EventStoreConformanceTest, QueryUserIsCaseInsensitiveAndSorted) {
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

TEST_P(EventStoreConformanceTest, QueryOfUnknownLoginIsEmpty) {
  ASSERT_EQ(Write("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).inserted, 1);
  absl::StatusOr<UserStats> stats = store_->QueryUser("nobody-here");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_THAT(stats->events, IsEmpty());
  EXPECT_THAT(stats->events_by_ym, IsEmpty());
  EXPECT_THAT(stats->pushed_to, IsEmpty());
}

// Characters with a meaning in regular expressions or SQL LIKE patterns
// match only themselves.
TEST_P(EventStoreConformanceTest, QueryTreatsPatternsLiterally) {
  ASSERT_EQ(Write("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).inserted, 1);
  for (std::string_view login : {"oct.", "^octo$", "oct%"}) {
    absl::StatusOr<UserStats> stats = store_->QueryUser(login);
    ASSERT_TRUE(stats.ok()) << stats.status();
    EXPECT_THAT(stats->events, IsEmpty()) << login;
  }
}

TEST_P(EventStoreConformanceTest, DataSurvivesReopen) {
  ASSERT_EQ(Write("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).inserted, 1);
  Reopen();
  absl::StatusOr<UserStats> stats = store_->QueryUser("octo");
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->events.size(), 1u);
  EXPECT_EQ(Write("h", {MakeEvent("1", "PushEvent", "octo", "o/r", 0)}).duplicates, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, EventStoreConformanceTest,
                         ::testing::ValuesIn(StoreBackends()), StoreBackendName);

TEST(HourStateTest, NamesRoundTrip) {
  for (HourState state : {HourState::kPending, HourState::kLoading, HourState::kLoaded,
                          HourState::kMissing, HourState::kFailed}) {
    std::optional<HourState> parsed = ParseHourState(HourStateName(state));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, state);
  }
  EXPECT_FALSE(ParseHourState("LOADED").has_value());
}

}  // namespace
}  // namespace ghloader
