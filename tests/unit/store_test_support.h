// Shared parts of the store tests: events to write, and the backends that
// the conformance suites (event_store_conformance_test.cc,
// task_store_conformance_test.cc) run the same cases over. A backend gives
// each test a fresh, empty store location. For SQLite that is a file in a
// temporary directory, for MongoDB a database of its own on the server that
// GHLOADER_TEST_MONGODB_URI names. The backend also reads back what was
// stored there, beneath the store interface, for the checks the interface
// cannot make.
#ifndef GHLOADER_TESTS_UNIT_STORE_TEST_SUPPORT_H_
#define GHLOADER_TESTS_UNIT_STORE_TEST_SUPPORT_H_

#include <bson/bson.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "mongo_test_database.h"
#include "store/event_store.h"
#include "store/mongo/bson_document.h"
#include "store/sqlite/sqlite_connection.h"

namespace ghloader {

inline std::string Message(const absl::Status& status) {
  return std::string(ToStdView(status.message()));
}

inline int64_t UnixSeconds(int year, int month, int day, int hour) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilHour(year, month, day, hour), absl::UTCTimeZone()));
}

inline std::string Rfc3339(int64_t seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(seconds),
                          absl::UTCTimeZone());
}

// An Events API event whose JSON agrees with its parsed fields. Both must
// agree because the MongoDB store queries the stored document and the
// SQLite store queries the parsed fields.
inline BatchEvent MakeEvent(std::string key, std::string type, std::string login,
                            std::string repo, int64_t created_at, int64_t line_number = 1) {
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

// A PushEvent with no login or repository whose stored JSON is `json`.
inline BatchEvent WithJson(std::string key, std::string json, int64_t line_number = 1) {
  BatchEvent item = MakeEvent(std::move(key), "PushEvent", "", "", UnixSeconds(2015, 1, 1, 15),
                              line_number);
  item.event.json = std::move(json);
  return item;
}

// A fresh, empty store location for one test, removed when destroyed.
// Close every store opened on it first.
class TestStoreLocation {
 public:
  virtual ~TestStoreLocation() = default;

  // Returns the store URI (a --store value) that opens this location.
  virtual std::string Uri() const = 0;

  // Returns the number of rows or documents in `table`, which is "events"
  // or "rejects".
  virtual int64_t Count(std::string_view table) = 0;

  // Returns the reject stored for `hour` and `line`, or nullopt when there
  // is none.
  virtual std::optional<RejectedLine> FindReject(std::string_view hour, int64_t line) = 0;

  // Returns the stored JSON of the event with `key`, or nullopt when there
  // is none. SQLite returns the text it stored. MongoDB returns the document without
  // its _id field and without whitespace between tokens, so a compact JSON
  // line written to either store reads back equal to itself.
  virtual std::optional<std::string> FindEventJson(std::string_view key) = 0;
};

// A SQLite file in a new temporary directory. The store creates the file
// when it first opens it.
class SqliteTestFile : public TestStoreLocation {
 public:
  SqliteTestFile() {
    std::string pattern =
        (std::filesystem::path(::testing::TempDir()) / "ghl-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed for " << pattern;
      return;
    }
    directory_ = pattern;
    path_ = (directory_ / "store.db").string();
  }

  ~SqliteTestFile() override {
    if (directory_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }

  const std::string& path() const { return path_; }

  std::string Uri() const override { return Concat("sqlite:", path_); }

  int64_t Count(std::string_view table) override {
    return QueryInt(Concat("SELECT COUNT(*) FROM ", table));
  }

  std::optional<RejectedLine> FindReject(std::string_view hour, int64_t line) override {
    std::optional<RejectedLine> reject;
    Query("SELECT hour, line, reason, text FROM rejects WHERE hour = ?1 AND line = ?2",
          [&](sqlite::Statement& statement) {
            statement.Bind(1, hour);
            statement.Bind(2, line);
          },
          [&](const sqlite::Statement& row) {
            reject = RejectedLine{.hour = std::string(row.ColumnText(0)),
                                  .line_number = row.ColumnInt64(1),
                                  .reason = std::string(row.ColumnText(2)),
                                  .text = std::string(row.ColumnText(3))};
          });
    return reject;
  }

  std::optional<std::string> FindEventJson(std::string_view key) override {
    std::optional<std::string> json;
    Query("SELECT json FROM events WHERE key = ?1",
          [&](sqlite::Statement& statement) { statement.Bind(1, key); },
          [&](const sqlite::Statement& row) { json = std::string(row.ColumnText(0)); });
    return json;
  }

  // Runs a query that returns one integer, on a connection of its own.
  int64_t QueryInt(std::string_view sql) {
    int64_t value = 0;
    bool found = false;
    Query(sql, nullptr, [&](const sqlite::Statement& row) {
      value = row.ColumnInt64(0);
      found = true;
    });
    EXPECT_TRUE(found) << "no row from " << sql;
    return value;
  }

  // Runs a query that returns one text value, on a connection of its own.
  std::string QueryText(std::string_view sql) {
    std::string value;
    bool found = false;
    Query(sql, nullptr, [&](const sqlite::Statement& row) {
      value = std::string(row.ColumnText(0));
      found = true;
    });
    EXPECT_TRUE(found) << "no row from " << sql;
    return value;
  }

 private:
  // Prepares `sql` on a connection of its own, binds its parameters with
  // `bind` (if set) and passes the first row, if any, to `read`.
  void Query(std::string_view sql, const std::function<void(sqlite::Statement&)>& bind,
             const std::function<void(const sqlite::Statement&)>& read) {
    absl::StatusOr<std::unique_ptr<sqlite::Connection>> db = sqlite::Connection::Open(path_, 5000);
    ASSERT_TRUE(db.ok()) << db.status();
    absl::StatusOr<sqlite::Statement> statement = (*db)->Prepare(sql);
    ASSERT_TRUE(statement.ok()) << statement.status();
    if (bind) bind(*statement);
    absl::StatusOr<bool> row = statement->Step();
    ASSERT_TRUE(row.ok()) << row.status();
    if (*row) read(*statement);
  }

  std::filesystem::path directory_;
  std::string path_;
};

// Removes whitespace outside JSON strings, such as the spaces that
// libbson's JSON output puts around ':' and ','.
inline std::string CompactJson(std::string_view json) {
  std::string compact;
  bool in_string = false;
  bool escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      continue;
    }
    compact += c;
  }
  return compact;
}

// A database of its own on the MongoDB server, dropped when destroyed.
class MongoTestStore : public TestStoreLocation {
 public:
  explicit MongoTestStore(std::string_view base_uri) : database_(base_uri) {}

  std::string Uri() const override { return database_.Uri(""); }

  int64_t Count(std::string_view table) override { return database_.Count(table); }

  // NOTE: `hour` and `key` go into the JSON filter unescaped, which is
  // enough for the plain values the tests use.
  std::optional<RejectedLine> FindReject(std::string_view hour, int64_t line) override {
    BsonPtr reject =
        database_.FindOne("rejects", Concat(R"({"hour":")", hour, R"(","line":)", line, "}"));
    if (reject.get() == nullptr) return std::nullopt;
    return RejectedLine{.hour = GetString(*reject, "hour"),
                        .line_number = GetInt64(*reject, "line"),
                        .reason = GetString(*reject, "reason"),
                        .text = GetString(*reject, "text")};
  }

  std::optional<std::string> FindEventJson(std::string_view key) override {
    BsonPtr stored = database_.FindOne("events", Concat(R"({"_id":")", key, R"("})"));
    if (stored.get() == nullptr) return std::nullopt;
    bson_t without_id;
    bson_init(&without_id);
    bson_copy_to_excluding_noinit(stored.get(), &without_id, "_id", nullptr);
    std::string json = BsonToJson(without_id);
    bson_destroy(&without_id);
    return CompactJson(json);
  }

 private:
  MongoTestDatabase database_;
};

// A store backend that the conformance suites run over.
struct StoreBackend {
  std::string name;  // The test name suffix.
  // Makes a fresh, empty location. Returns nullptr when the backend has no
  // server to run against, and the test is then skipped with `skip_message`.
  std::function<std::unique_ptr<TestStoreLocation>()> create;
  std::string skip_message;
};

inline std::vector<StoreBackend> StoreBackends() {
  return {
      {.name = "SQLite",
       .create = []() -> std::unique_ptr<TestStoreLocation> {
         return std::make_unique<SqliteTestFile>();
       },
       .skip_message = ""},
      {.name = "MongoDB",
       .create = []() -> std::unique_ptr<TestStoreLocation> {
         std::optional<std::string> base_uri = MongoTestDatabase::BaseUri();
         if (!base_uri.has_value()) return nullptr;
         return std::make_unique<MongoTestStore>(*base_uri);
       },
       .skip_message = "GHLOADER_TEST_MONGODB_URI is not set"},
  };
}

inline std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

// Lets GoogleTest print the parameter of a failed test by its name.
inline void PrintTo(const StoreBackend& backend, std::ostream* out) { *out << backend.name; }

// Event store calls for test fixtures. Each adds a test failure when the
// store returns an error, and then returns a default result.
class EventStoreCalls {
 protected:
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

  std::unique_ptr<EventStore> store_;
};

// Base of the conformance fixtures: a fresh location of the backend under
// test. A derived SetUp calls this one first and returns if IsSkipped() or
// HasFatalFailure().
class StoreBackendTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    location_ = GetParam().create();
    if (location_ == nullptr) GTEST_SKIP() << GetParam().skip_message;
  }

  std::unique_ptr<TestStoreLocation> location_;
};

}  // namespace ghloader

#endif  // GHLOADER_TESTS_UNIT_STORE_TEST_SUPPORT_H_
