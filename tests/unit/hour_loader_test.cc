// Tests for HourLoader and RangeLoader: hand-written fixture hours read
// through DirectorySource into a real SQLite store, with faults injected
// between the source and the loader to check retries, leases and counts.
#include "loader/hour_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "archive/directory_source.h"
#include "common/strings.h"
#include "events/event_parser.h"
#include "loader/range_loader.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/store_factory.h"

#ifndef GHLOADER_TEST_FIXTURES_DIR
#error "GHLOADER_TEST_FIXTURES_DIR must name tests/fixtures"
#endif

namespace ghloader {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

// tests/fixtures/hours/2016-01-01-0.json, see tests/fixtures/README.md.
constexpr absl::CivilHour kEventsApiHour(2016, 1, 1, 0);
constexpr int64_t kEventsApiLines = 16;
constexpr int64_t kEventsApiDistinct = 8;
constexpr int64_t kEventsApiDuplicates = 2;
constexpr int64_t kEventsApiRejected = 6;
// tests/fixtures/hours/2012-06-01-0.json.
constexpr absl::CivilHour kTimelineHour(2012, 6, 1, 0);

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

void WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string Gzip(std::string_view text) {
  uLongf size = compressBound(static_cast<uLong>(text.size())) + 64;
  std::string out(size, '\0');
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY),
            Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

fs::path FixtureHour(absl::CivilHour hour) {
  return fs::path(GHLOADER_TEST_FIXTURES_DIR) / "hours" / (HourFileStem(hour) + ".json");
}

// What a FaultInjectingSource does on one Fetch call.
struct Fault {
  enum class Kind {
    kNone,            // Pass the inner source's result through.
    kFailBeforeBody,  // Return `error` before any byte reaches the sink.
    kFailAfterBytes,  // Pass `bytes` bytes to the sink, then return `error`.
  };
  Kind kind = Kind::kNone;
  absl::Status error;
  size_t bytes = 0;
};

// Wraps a real source and breaks chosen attempts, as a dropped connection or
// an HTTP 5xx would. ArchiveSource is our own interface, so this is the
// narrowest seam for making a failure happen at an exact byte.
class FaultInjectingSource final : public ArchiveSource {
 public:
  FaultInjectingSource(ArchiveSource& inner, std::vector<Fault> faults)
      : inner_(inner), faults_(std::move(faults)) {}

  absl::StatusOr<FetchOutcome> Fetch(absl::CivilHour hour, ByteSink& sink,
                                     const std::atomic<bool>& cancel) override {
    Fault fault = attempts_ < faults_.size() ? faults_[attempts_] : Fault{};
    ++attempts_;
    if (fault.kind == Fault::Kind::kFailBeforeBody) return fault.error;
    if (fault.kind == Fault::Kind::kNone) return inner_.Fetch(hour, sink, cancel);

    CuttingSink cutting(sink, fault.bytes, fault.error);
    return inner_.Fetch(hour, cutting, cancel);
  }

  std::string Describe() const override { return "faulty " + inner_.Describe(); }
  size_t attempts() const { return attempts_; }

 private:
  // Passes the first `limit` bytes on, then fails the transfer.
  class CuttingSink final : public ByteSink {
   public:
    CuttingSink(ByteSink& sink, size_t limit, absl::Status error)
        : sink_(sink), limit_(limit), error_(std::move(error)) {}
    absl::Status Begin(const HourFileInfo& info) override { return sink_.Begin(info); }
    absl::Status Write(std::string_view bytes) override {
      size_t room = limit_ - passed_;
      if (bytes.size() < room) {
        passed_ += bytes.size();
        return sink_.Write(bytes);
      }
      absl::Status written = sink_.Write(bytes.substr(0, room));
      passed_ = limit_;
      return written.ok() ? error_ : written;
    }

   private:
    ByteSink& sink_;
    size_t limit_;
    size_t passed_ = 0;
    absl::Status error_;
  };

  ArchiveSource& inner_;
  std::vector<Fault> faults_;
  size_t attempts_ = 0;
};

class HourLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "ghl-loader-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
    hours_ = directory_ / "hours";
    fs::create_directories(hours_);
    store_path_ = (directory_ / "store.db").string();
    OpenStore();

    options_.batch_events = 2;  // Several batches per fixture hour.
    options_.first_backoff = absl::Milliseconds(1);
    options_.max_backoff = absl::Milliseconds(2);
    options_.fetch_attempts = 4;
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }

  void OpenStore() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<EventStore>> store = OpenEventStore(Concat("sqlite:", store_path_));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  // Starts over with an empty store.
  void ResetStore() {
    store_.reset();
    for (std::string_view suffix : {"", "-wal", "-shm"}) fs::remove(store_path_ + std::string(suffix));
    OpenStore();
  }

  // Puts a fixture hour into the source directory, as `as_hour`, plain or gzip.
  void AddHour(absl::CivilHour fixture, absl::CivilHour as_hour, bool gzip) {
    std::string text = ReadFile(FixtureHour(fixture));
    ASSERT_FALSE(text.empty()) << "fixture missing: " << FixtureHour(fixture);
    std::string stem = HourFileStem(as_hour);
    if (gzip) {
      WriteFile(hours_ / (stem + ".json.gz"), Gzip(text));
    } else {
      WriteFile(hours_ / (stem + ".json"), text);
    }
  }

  Lease ClaimOrDie(absl::CivilHour hour, bool force = false,
                   absl::Duration lease = absl::Seconds(30)) {
    absl::StatusOr<ClaimResult> claim = store_->ClaimHour(HourFileStem(hour), "test", lease, force);
    EXPECT_TRUE(claim.ok()) << claim.status();
    EXPECT_EQ(claim->outcome, ClaimOutcome::kClaimed);
    return claim->lease;
  }

  HourResult LoadHour(ArchiveSource& source, absl::CivilHour hour, bool force = false,
                      bool collect_logins = false) {
    Lease lease = ClaimOrDie(hour, force);
    HourLoader loader(source, *store_, options_, &progress_);
    return loader.Load(hour, lease, cancel_, collect_logins);
  }

  HourRecord Ledger(absl::CivilHour hour) {
    absl::StatusOr<std::optional<HourRecord>> record = store_->GetHour(HourFileStem(hour));
    EXPECT_TRUE(record.ok()) << record.status();
    if (!record.ok()) return HourRecord{};
    EXPECT_TRUE(record->has_value()) << "no ledger entry for " << HourFileStem(hour);
    return record->value_or(HourRecord{});
  }

  int64_t QueryInt(std::string_view sql) {
    absl::StatusOr<std::unique_ptr<sqlite::Connection>> db = sqlite::Connection::Open(store_path_, 5000);
    absl::StatusOr<sqlite::Statement> statement = (*db)->Prepare(sql);
    EXPECT_TRUE(statement.ok()) << statement.status();
    absl::StatusOr<bool> row = statement->Step();
    EXPECT_TRUE(row.ok()) << row.status();
    EXPECT_TRUE(row.value_or(false)) << "no row from " << sql;
    return statement->ColumnInt64(0);
  }

  int64_t StoredEvents() { return QueryInt("SELECT COUNT(*) FROM events"); }

  fs::path directory_;
  fs::path hours_;
  std::string store_path_;
  std::unique_ptr<EventStore> store_;
  HourLoadOptions options_;
  LoadProgress progress_;
  std::atomic<bool> cancel_{false};
};

TEST_F(HourLoaderTest, LoadsEventsApiFixtureWithExactCounts) {
  AddHour(kEventsApiHour, kEventsApiHour, false);
  DirectorySource source(hours_);
  HourResult result = LoadHour(source, kEventsApiHour, false, true);
  ASSERT_FALSE(result.abandoned) << result.record.error;

  const HourRecord& record = result.record;
  EXPECT_EQ(record.state, HourState::kLoaded) << record.error;
  EXPECT_EQ(record.hour, "2016-01-01-0");
  EXPECT_EQ(record.stats.lines, kEventsApiLines);
  EXPECT_EQ(record.stats.events_stored, kEventsApiDistinct);
  EXPECT_EQ(record.stats.duplicates, kEventsApiDuplicates);
  EXPECT_EQ(record.stats.lines_rejected, kEventsApiRejected);
  EXPECT_EQ(record.stats.lines_repaired, 1);
  int64_t size = static_cast<int64_t>(fs::file_size(hours_ / "2016-01-01-0.json"));
  EXPECT_EQ(record.stats.compressed_bytes, size);
  EXPECT_EQ(record.stats.decompressed_bytes, size);
  EXPECT_EQ(record.stats.fingerprint.size(), 32u);
  EXPECT_THAT(record.source, HasSubstr("2016-01-01-0.json"));
  EXPECT_THAT(result.logins, ElementsAre("fixture-alice", "fixture-bob", "fixture-carol"));

  HourRecord ledger = Ledger(kEventsApiHour);
  EXPECT_EQ(ledger.state, HourState::kLoaded);
  EXPECT_EQ(ledger.stats.lines, kEventsApiLines);
  EXPECT_EQ(ledger.stats.events_stored, kEventsApiDistinct);
  EXPECT_EQ(ledger.stats.duplicates, kEventsApiDuplicates);
  EXPECT_EQ(ledger.stats.lines_rejected, kEventsApiRejected);
  EXPECT_EQ(ledger.stats.fingerprint, record.stats.fingerprint);

  EXPECT_EQ(StoredEvents(), kEventsApiDistinct);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects WHERE hour = '2016-01-01-0'"), kEventsApiRejected);
  EXPECT_EQ(QueryInt("SELECT MIN(line) FROM rejects"), 6);
  EXPECT_EQ(QueryInt("SELECT MAX(line) FROM rejects"), 11);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects WHERE line = 11 AND reason = 'empty line'"), 1);

  EXPECT_EQ(progress_.events_stored.load(), kEventsApiDistinct);
  EXPECT_EQ(progress_.decompressed_bytes.load(), size);
}

TEST_F(HourLoaderTest, QueryAfterLoadSeesFixtureUsers) {
  AddHour(kEventsApiHour, kEventsApiHour, true);
  DirectorySource source(hours_);
  ASSERT_EQ(LoadHour(source, kEventsApiHour).record.state, HourState::kLoaded);

  absl::StatusOr<UserStats> alice = store_->QueryUser("FIXTURE-alice");
  ASSERT_TRUE(alice.ok()) << alice.status();
  ASSERT_EQ(alice->events.size(), 4u);
  EXPECT_EQ(alice->events[0].name, "PushEvent");
  EXPECT_EQ(alice->events[0].count, 2);
  EXPECT_THAT(alice->pushed_to, ElementsAre("fixture-org/alpha", "fixture-org/beta"));

  absl::StatusOr<UserStats> bob = store_->QueryUser("fixture-bob");
  ASSERT_TRUE(bob.ok());
  ASSERT_EQ(bob->events_by_ym.size(), 1u);
  EXPECT_EQ(bob->events_by_ym[0].year, 2013);
  EXPECT_EQ(bob->events_by_ym[0].month, 5);
}

TEST_F(HourLoaderTest, GzipAndPlainCopiesCountTheSame) {
  AddHour(kEventsApiHour, kEventsApiHour, true);
  DirectorySource source(hours_);
  HourResult result = LoadHour(source, kEventsApiHour);
  EXPECT_EQ(result.record.state, HourState::kLoaded) << result.record.error;
  EXPECT_EQ(result.record.stats.lines, kEventsApiLines);
  EXPECT_EQ(result.record.stats.events_stored, kEventsApiDistinct);
  EXPECT_EQ(result.record.stats.duplicates, kEventsApiDuplicates);
  EXPECT_EQ(result.record.stats.lines_rejected, kEventsApiRejected);
  EXPECT_EQ(result.record.stats.compressed_bytes,
            static_cast<int64_t>(fs::file_size(hours_ / "2016-01-01-0.json.gz")));
  EXPECT_EQ(result.record.stats.decompressed_bytes,
            static_cast<int64_t>(fs::file_size(FixtureHour(kEventsApiHour))));
}

TEST_F(HourLoaderTest, GzipFileIsPreferredOverPlain) {
  AddHour(kEventsApiHour, kEventsApiHour, true);
  WriteFile(hours_ / "2016-01-01-0.json", "not the file to read\n");
  DirectorySource source(hours_);
  HourResult result = LoadHour(source, kEventsApiHour);
  EXPECT_THAT(result.record.source, HasSubstr(".json.gz"));
  EXPECT_EQ(result.record.stats.events_stored, kEventsApiDistinct);
}

TEST_F(HourLoaderTest, LoadsTimelineFixture) {
  AddHour(kTimelineHour, kTimelineHour, false);
  DirectorySource source(hours_);
  HourResult result = LoadHour(source, kTimelineHour, false, true);
  EXPECT_EQ(result.record.state, HourState::kLoaded) << result.record.error;
  EXPECT_EQ(result.record.stats.lines, 6);
  EXPECT_EQ(result.record.stats.events_stored, 5);
  EXPECT_EQ(result.record.stats.duplicates, 1);
  EXPECT_EQ(result.record.stats.lines_rejected, 0);
  EXPECT_THAT(result.logins, ElementsAre("fixture-dave", "fixture-erin"));

  absl::StatusOr<UserStats> dave = store_->QueryUser("fixture-dave");
  ASSERT_TRUE(dave.ok());
  ASSERT_EQ(dave->events_by_ym.size(), 2u);
  EXPECT_EQ(dave->events_by_ym[0].month, 6);
  EXPECT_EQ(dave->events_by_ym[1].month, 7);
  EXPECT_THAT(dave->pushed_to, ElementsAre("fixture-dave/delta", "fixture-org/epsilon"));
}

TEST_F(HourLoaderTest, ForcedReloadStoresNothingNew) {
  AddHour(kEventsApiHour, kEventsApiHour, true);
  DirectorySource source(hours_);
  ASSERT_EQ(LoadHour(source, kEventsApiHour).record.state, HourState::kLoaded);

  HourResult reload = LoadHour(source, kEventsApiHour, true);
  EXPECT_EQ(reload.record.state, HourState::kLoaded) << reload.record.error;
  EXPECT_EQ(reload.record.stats.events_stored, 0);
  EXPECT_EQ(reload.record.stats.duplicates, kEventsApiDistinct + kEventsApiDuplicates);
  EXPECT_EQ(reload.record.stats.lines_rejected, kEventsApiRejected);
  EXPECT_EQ(StoredEvents(), kEventsApiDistinct);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), kEventsApiRejected);
  EXPECT_EQ(Ledger(kEventsApiHour).fencing_token, 2);
}

TEST_F(HourLoaderTest, SameEventsUnderAnotherHourAreDuplicates) {
  absl::CivilHour copy_hour(2016, 1, 1, 1);
  AddHour(kEventsApiHour, kEventsApiHour, true);
  AddHour(kEventsApiHour, copy_hour, false);
  DirectorySource source(hours_);
  ASSERT_EQ(LoadHour(source, kEventsApiHour).record.state, HourState::kLoaded);

  HourResult copy = LoadHour(source, copy_hour);
  EXPECT_EQ(copy.record.state, HourState::kLoaded);
  EXPECT_EQ(copy.record.stats.events_stored, 0);
  EXPECT_EQ(copy.record.stats.duplicates, kEventsApiDistinct + kEventsApiDuplicates);
  EXPECT_EQ(copy.record.stats.lines_rejected, kEventsApiRejected);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), 2 * kEventsApiRejected);
}

TEST_F(HourLoaderTest, TransientFailureMidFileKeepsCountsExact) {
  AddHour(kEventsApiHour, kEventsApiHour, false);
  size_t size = fs::file_size(hours_ / "2016-01-01-0.json");
  DirectorySource directory(hours_);

  // Cut the first attempt at many points: before, inside and after batches
  // that reached the store. The retry must count every event exactly once.
  for (size_t cut = 0; cut < size; cut += 97) {
    ResetStore();
    FaultInjectingSource source(
        directory, {Fault{Fault::Kind::kFailAfterBytes,
                          absl::UnavailableError("connection reset (injected)"), cut}});
    HourResult result = LoadHour(source, kEventsApiHour);
    ASSERT_EQ(result.record.state, HourState::kLoaded) << "cut at " << cut << ": " << result.record.error;
    EXPECT_EQ(source.attempts(), 2u);
    EXPECT_EQ(result.record.stats.lines, kEventsApiLines) << "cut at " << cut;
    EXPECT_EQ(result.record.stats.events_stored, kEventsApiDistinct) << "cut at " << cut;
    EXPECT_EQ(result.record.stats.duplicates, kEventsApiDuplicates) << "cut at " << cut;
    EXPECT_EQ(result.record.stats.lines_rejected, kEventsApiRejected) << "cut at " << cut;
    EXPECT_EQ(result.record.stats.compressed_bytes, static_cast<int64_t>(size));
    EXPECT_EQ(StoredEvents(), kEventsApiDistinct);
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), kEventsApiRejected);
  }
}

TEST_F(HourLoaderTest, TransientFailuresOfAGzipFileAreRetried) {
  AddHour(kEventsApiHour, kEventsApiHour, true);
  size_t size = fs::file_size(hours_ / "2016-01-01-0.json.gz");
  DirectorySource directory(hours_);
  FaultInjectingSource source(
      directory,
      {Fault{Fault::Kind::kFailBeforeBody, absl::UnavailableError("HTTP 503 (injected)"), 0},
       Fault{Fault::Kind::kFailAfterBytes, absl::DeadlineExceededError("timed out (injected)"),
             size / 2},
       Fault{Fault::Kind::kFailAfterBytes, absl::UnavailableError("partial file (injected)"),
             size - 1}});
  HourResult result = LoadHour(source, kEventsApiHour);
  ASSERT_EQ(result.record.state, HourState::kLoaded) << result.record.error;
  EXPECT_EQ(source.attempts(), 4u);
  EXPECT_EQ(result.record.stats.events_stored, kEventsApiDistinct);
  EXPECT_EQ(result.record.stats.duplicates, kEventsApiDuplicates);
  EXPECT_EQ(result.record.stats.lines_rejected, kEventsApiRejected);
  EXPECT_EQ(StoredEvents(), kEventsApiDistinct);
}

TEST_F(HourLoaderTest, PersistentTransientFailureFailsTheHour) {
  AddHour(kEventsApiHour, kEventsApiHour, true);
  DirectorySource directory(hours_);
  std::vector<Fault> faults(
      10, Fault{Fault::Kind::kFailBeforeBody, absl::UnavailableError("HTTP 502 (injected)"), 0});
  FaultInjectingSource source(directory, faults);
  HourResult result = LoadHour(source, kEventsApiHour);
  EXPECT_FALSE(result.abandoned);
  EXPECT_EQ(result.record.state, HourState::kFailed);
  EXPECT_THAT(result.record.error, HasSubstr("HTTP 502 (injected)"));
  EXPECT_EQ(source.attempts(), static_cast<size_t>(options_.fetch_attempts));

  HourRecord ledger = Ledger(kEventsApiHour);
  EXPECT_EQ(ledger.state, HourState::kFailed);
  EXPECT_THAT(ledger.error, HasSubstr("HTTP 502 (injected)"));
}

TEST_F(HourLoaderTest, PermanentFailureIsNotRetried) {
  AddHour(kEventsApiHour, kEventsApiHour, true);
  DirectorySource directory(hours_);
  FaultInjectingSource source(
      directory, {Fault{Fault::Kind::kFailBeforeBody,
                        absl::FailedPreconditionError("HTTP 403 (injected)"), 0}});
  HourResult result = LoadHour(source, kEventsApiHour);
  EXPECT_EQ(result.record.state, HourState::kFailed);
  EXPECT_EQ(source.attempts(), 1u);
  EXPECT_THAT(result.record.error, HasSubstr("HTTP 403"));
}

TEST_F(HourLoaderTest, AbsentFileIsMissing) {
  DirectorySource source(hours_);
  HourResult result = LoadHour(source, kEventsApiHour);
  EXPECT_FALSE(result.abandoned);
  EXPECT_EQ(result.record.state, HourState::kMissing);
  EXPECT_EQ(result.record.stats.lines, 0);
  EXPECT_EQ(result.record.stats.events_stored, 0);
  EXPECT_EQ(Ledger(kEventsApiHour).state, HourState::kMissing);
}

TEST_F(HourLoaderTest, NotGzipFailsTheHourWithAClearError) {
  WriteFile(hours_ / "2016-01-01-0.json.gz", "AASDSADSDFFSD this is not gzip");
  DirectorySource source(hours_);
  HourResult result = LoadHour(source, kEventsApiHour);
  EXPECT_EQ(result.record.state, HourState::kFailed);
  EXPECT_THAT(result.record.error, HasSubstr("not a gzip file"));
  EXPECT_THAT(result.record.error, HasSubstr("2016-01-01-0.json.gz"));
  EXPECT_EQ(Ledger(kEventsApiHour).state, HourState::kFailed);
}

TEST_F(HourLoaderTest, TruncatedGzipFailsWithoutRetry) {
  std::string gzip = Gzip(ReadFile(FixtureHour(kEventsApiHour)));
  WriteFile(hours_ / "2016-01-01-0.json.gz", std::string_view(gzip).substr(0, gzip.size() - 20));
  DirectorySource directory(hours_);
  FaultInjectingSource source(directory, {});
  HourResult result = LoadHour(source, kEventsApiHour);
  EXPECT_EQ(result.record.state, HourState::kFailed);
  EXPECT_THAT(result.record.error, HasSubstr("truncated gzip stream"));
  EXPECT_EQ(source.attempts(), 1u);

  // A good copy later loads the hour, without counting anything twice.
  WriteFile(hours_ / "2016-01-01-0.json.gz", gzip);
  HourResult again = LoadHour(directory, kEventsApiHour);
  EXPECT_EQ(again.record.state, HourState::kLoaded) << again.record.error;
  EXPECT_EQ(StoredEvents(), kEventsApiDistinct);
  // The failed attempt's events count as stored by it, the rest by the reload.
  EXPECT_EQ(result.record.stats.events_stored + again.record.stats.events_stored,
            kEventsApiDistinct);
  EXPECT_EQ(again.record.stats.events_stored + again.record.stats.duplicates +
                again.record.stats.lines_rejected,
            kEventsApiLines);
}

TEST_F(HourLoaderTest, CancelledLoadReleasesTheHour) {
  AddHour(kEventsApiHour, kEventsApiHour, false);
  DirectorySource source(hours_);
  cancel_ = true;
  HourResult result = LoadHour(source, kEventsApiHour);
  EXPECT_TRUE(result.abandoned);
  HourRecord ledger = Ledger(kEventsApiHour);
  EXPECT_EQ(ledger.state, HourState::kPending);
  EXPECT_EQ(ledger.lease_owner, "");
}

// A source that lets another loader take the hour over while it streams.
class TakeoverSource final : public ArchiveSource {
 public:
  TakeoverSource(ArchiveSource& inner, EventStore& store) : inner_(inner), store_(store) {}

  absl::StatusOr<FetchOutcome> Fetch(absl::CivilHour hour, ByteSink& sink,
                                     const std::atomic<bool>& cancel) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Outlive the lease.
    absl::StatusOr<ClaimResult> claim =
        store_.ClaimHour(HourFileStem(hour), "other-loader", absl::Seconds(30), false);
    EXPECT_TRUE(claim.ok()) << claim.status();
    EXPECT_EQ(claim->outcome, ClaimOutcome::kClaimed);
    return inner_.Fetch(hour, sink, cancel);
  }
  std::string Describe() const override { return inner_.Describe(); }

 private:
  ArchiveSource& inner_;
  EventStore& store_;
};

TEST_F(HourLoaderTest, LostLeaseAbandonsTheHour) {
  AddHour(kEventsApiHour, kEventsApiHour, false);
  DirectorySource directory(hours_);
  TakeoverSource source(directory, *store_);
  options_.lease_duration = absl::Milliseconds(3);
  Lease lease = ClaimOrDie(kEventsApiHour, false, options_.lease_duration);
  HourLoader loader(source, *store_, options_, nullptr);
  HourResult result = loader.Load(kEventsApiHour, lease, cancel_);
  EXPECT_TRUE(result.abandoned);

  HourRecord ledger = Ledger(kEventsApiHour);
  EXPECT_EQ(ledger.state, HourState::kLoading);
  EXPECT_EQ(ledger.lease_owner, "other-loader");
  EXPECT_GT(ledger.fencing_token, lease.fencing_token);
}

TEST_F(HourLoaderTest, LoadAfterACrashCountsEarlierEventsAsStored) {
  AddHour(kEventsApiHour, kEventsApiHour, false);

  // A loader stored the first three events of the hour and died.
  Lease crashed = ClaimOrDie(kEventsApiHour, false, absl::Milliseconds(1));
  std::vector<BatchEvent> first_events;
  EventParser parser;
  std::ifstream file(FixtureHour(kEventsApiHour));
  std::string line;
  for (int64_t number = 1; number <= 3 && std::getline(file, line); ++number) {
    BatchEvent item;
    ASSERT_TRUE(parser.Parse(line, item.event).ok());
    item.line_number = number;
    first_events.push_back(std::move(item));
  }
  absl::StatusOr<BatchWriteResult> written = store_->WriteBatch(crashed.hour, first_events);
  ASSERT_TRUE(written.ok());
  ASSERT_EQ(written->inserted, 2);  // Line 3 replays line 1.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  DirectorySource source(hours_);
  HourResult result = LoadHour(source, kEventsApiHour);
  EXPECT_EQ(result.record.state, HourState::kLoaded) << result.record.error;
  EXPECT_EQ(result.record.stats.events_stored, kEventsApiDistinct);
  EXPECT_EQ(result.record.stats.duplicates, kEventsApiDuplicates);
  EXPECT_EQ(result.record.stats.lines_rejected, kEventsApiRejected);
  EXPECT_EQ(StoredEvents(), kEventsApiDistinct);
}

class RangeLoaderTest : public HourLoaderTest {
 protected:
  LoadSummary RunRange(absl::CivilHour first, absl::CivilHour last, bool force = false,
                       int jobs = 2) {
    RangeLoadOptions options;
    options.range = HourRange{first, last};
    options.jobs = jobs;
    options.force = force;
    options.owner = MakeLeaseOwner();
    options.hour = options_;
    DirectorySource source(hours_);
    RangeLoader loader(source, *store_);
    LoadProgress progress;
    LoadSummary summary = loader.Run(options, cancel_, progress);
    EXPECT_EQ(progress.hours_total.load(), summary.hours_total);
    if (!summary.cancelled) {
      EXPECT_EQ(progress.hours_done.load(), summary.hours_total);
    }
    return summary;
  }
};

TEST_F(RangeLoaderTest, LoadsSkipsAndForces) {
  // Hour 0 is the fixture, hour 2 a gzip copy of it, hour 1 is absent.
  AddHour(kEventsApiHour, absl::CivilHour(2016, 1, 1, 0), false);
  AddHour(kEventsApiHour, absl::CivilHour(2016, 1, 1, 2), true);
  absl::CivilHour first(2016, 1, 1, 0);
  absl::CivilHour last(2016, 1, 1, 2);

  LoadSummary summary = RunRange(first, last);
  EXPECT_EQ(summary.hours_total, 3);
  EXPECT_EQ(summary.hours_loaded, 2);
  EXPECT_EQ(summary.hours_missing, 1);
  EXPECT_EQ(summary.hours_failed, 0);
  EXPECT_EQ(summary.hours_skipped, 0);
  // Whichever copy loads first stores the events, and the other finds them all.
  EXPECT_EQ(summary.events_stored, kEventsApiDistinct);
  EXPECT_EQ(summary.duplicates, kEventsApiDuplicates + kEventsApiDistinct + kEventsApiDuplicates);
  EXPECT_EQ(summary.lines_rejected, 2 * kEventsApiRejected);
  EXPECT_EQ(summary.lines_repaired, 2);
  EXPECT_EQ(summary.events_stored + summary.duplicates + summary.lines_rejected,
            2 * kEventsApiLines);
  EXPECT_FALSE(summary.cancelled);

  LoadSummary again = RunRange(first, last);
  EXPECT_EQ(again.hours_skipped, 2);
  EXPECT_EQ(again.hours_missing, 1);
  EXPECT_EQ(again.hours_loaded, 0);
  EXPECT_EQ(again.events_stored, 0);
  EXPECT_EQ(again.duplicates, 0);

  LoadSummary forced = RunRange(first, last, true);
  EXPECT_EQ(forced.hours_loaded, 2);
  EXPECT_EQ(forced.hours_skipped, 0);
  EXPECT_EQ(forced.events_stored, 0);
  EXPECT_EQ(forced.duplicates, 2 * (kEventsApiDistinct + kEventsApiDuplicates));
  EXPECT_EQ(StoredEvents(), kEventsApiDistinct);
}

TEST_F(RangeLoaderTest, FailedHourDoesNotStopTheOthers) {
  AddHour(kEventsApiHour, absl::CivilHour(2016, 1, 1, 0), true);
  WriteFile(hours_ / "2016-01-01-1.json.gz", "AASDSADSDFFSD corrupt");
  AddHour(kTimelineHour, absl::CivilHour(2016, 1, 1, 2), false);

  LoadSummary summary = RunRange(absl::CivilHour(2016, 1, 1, 0), absl::CivilHour(2016, 1, 1, 2));
  EXPECT_EQ(summary.hours_loaded, 2);
  EXPECT_EQ(summary.hours_failed, 1);
  ASSERT_EQ(summary.failures.size(), 1u);
  EXPECT_EQ(summary.failures[0].hour, "2016-01-01-1");
  EXPECT_THAT(summary.failures[0].error, HasSubstr("not a gzip file"));
  EXPECT_EQ(summary.events_stored, kEventsApiDistinct + 5);

  // The next run tries the failed hour again and skips the loaded ones.
  LoadSummary again = RunRange(absl::CivilHour(2016, 1, 1, 0), absl::CivilHour(2016, 1, 1, 2));
  EXPECT_EQ(again.hours_skipped, 2);
  EXPECT_EQ(again.hours_failed, 1);
}

TEST_F(RangeLoaderTest, HourHeldElsewhereFails) {
  AddHour(kEventsApiHour, kEventsApiHour, true);
  absl::StatusOr<ClaimResult> other =
      store_->ClaimHour("2016-01-01-0", "host/123/abcd", absl::Minutes(5), false);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_EQ(other->outcome, ClaimOutcome::kClaimed);

  LoadSummary summary = RunRange(kEventsApiHour, kEventsApiHour);
  EXPECT_EQ(summary.hours_failed, 1);
  ASSERT_EQ(summary.failures.size(), 1u);
  EXPECT_THAT(summary.failures[0].error, HasSubstr("host/123/abcd"));
  EXPECT_EQ(summary.events_stored, 0);
  EXPECT_EQ(Ledger(kEventsApiHour).lease_owner, "host/123/abcd");
}

TEST_F(RangeLoaderTest, OneJobLoadsInOrderToo) {
  AddHour(kEventsApiHour, absl::CivilHour(2016, 1, 1, 0), true);
  AddHour(kTimelineHour, absl::CivilHour(2016, 1, 1, 1), true);
  LoadSummary summary =
      RunRange(absl::CivilHour(2016, 1, 1, 0), absl::CivilHour(2016, 1, 1, 3), false, 1);
  EXPECT_EQ(summary.hours_loaded, 2);
  EXPECT_EQ(summary.hours_missing, 2);
  EXPECT_EQ(summary.events_stored, kEventsApiDistinct + 5);
  EXPECT_EQ(summary.duplicates, kEventsApiDuplicates + 1);
}

TEST_F(RangeLoaderTest, CancelledRangeLeavesHoursForTheNextRun) {
  AddHour(kEventsApiHour, kEventsApiHour, true);
  cancel_ = true;
  LoadSummary summary = RunRange(kEventsApiHour, kEventsApiHour);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_EQ(summary.hours_loaded, 0);
  cancel_ = false;
  LoadSummary next = RunRange(kEventsApiHour, kEventsApiHour);
  EXPECT_EQ(next.hours_loaded, 1);
  EXPECT_EQ(next.events_stored, kEventsApiDistinct);
}

}  // namespace
}  // namespace ghloader
