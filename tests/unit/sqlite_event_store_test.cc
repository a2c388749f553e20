// Tests of what only the SQLite event store does: the file's columns and
// pragmas, and how the store factory opens `sqlite:` URIs. The cases every
// event store must pass are in event_store_conformance_test.cc.
#include "store/sqlite/sqlite_event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/strings.h"
#include "store/store_factory.h"
#include "store_test_support.h"

namespace ghloader {
namespace {

using ::testing::HasSubstr;

// A fresh SQLite file per test, opened through the store factory.
class SqliteEventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<EventStore>> opened = OpenEventStore(file_.Uri());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }

  SqliteTestFile file_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(SqliteEventStoreTest, EmptyLoginAndRepoAreStoredAsNull) {
  ASSERT_TRUE(store_->WriteBatch("h", {MakeEvent("n", "GistEvent", "", "", 0)}).ok());
  EXPECT_EQ(file_.QueryInt("SELECT COUNT(*) FROM events WHERE actor_login IS NULL"), 1);
  EXPECT_EQ(file_.QueryInt("SELECT COUNT(*) FROM events WHERE repo_name IS NULL"), 1);
}

TEST_F(SqliteEventStoreTest, NewFileUsesLargePagesAndWal) {
  EXPECT_EQ(file_.QueryInt("PRAGMA page_size"), 16384);
  EXPECT_EQ(file_.QueryText("PRAGMA journal_mode"), "wal");
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
